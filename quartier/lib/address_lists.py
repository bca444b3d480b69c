"""Email addresses out of what people paste or upload: free text, a CSV export, a vCard file."""

from __future__ import annotations

import csv
import io
import re

# Loose on purpose: `outreach` validates each address properly; this only finds candidates.
_CANDIDATE = re.compile(r"[^\s,;:<>\"'()\[\]]{1,64}@[^\s,;:<>\"'()\[\]]{1,255}", re.ASCII)
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ADDRESSES = 5_000


def addresses_in_text(text: str) -> list[str]:
    """Every address-looking word in pasted text ("Ana <ana@example.org>, bob@example.org")."""
    return [match.group(0).strip(".") for match in _CANDIDATE.finditer(text or "")][:MAX_ADDRESSES]


def addresses_in_csv(text: str) -> list[str]:
    """Addresses in any cell of a CSV file (contact exports name their columns differently)."""
    found: list[str] = []
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    try:
        for row in csv.reader(io.StringIO(text, newline=""), dialect):
            for cell in row:
                found.extend(addresses_in_text(cell))
                if len(found) >= MAX_ADDRESSES:
                    return found[:MAX_ADDRESSES]
    except csv.Error:
        return addresses_in_text(text)  # not CSV after all: read it as text
    return found


def addresses_in_vcard(text: str) -> list[str]:
    """The EMAIL properties of a vCard file (RFC 6350), folded lines included."""
    unfolded = re.sub(r"\r?\n[ \t]", "", text or "")
    found: list[str] = []
    for line in unfolded.splitlines():
        name, _colon, value = line.partition(":")
        if name.split(";", 1)[0].strip().upper().rsplit(".", 1)[-1] == "EMAIL":
            found.extend(addresses_in_text(value))
    return found[:MAX_ADDRESSES]


def addresses_in_upload(name: str, data: bytes) -> list[str]:
    """By the file's name: `.vcf` as vCard, anything else as CSV. Undecodable bytes are replaced."""
    text = data[:MAX_FILE_BYTES].decode("utf-8-sig", errors="replace")
    if name.lower().endswith((".vcf", ".vcard")) or text.lstrip().upper().startswith("BEGIN:VCARD"):
        return addresses_in_vcard(text)
    return addresses_in_csv(text)
