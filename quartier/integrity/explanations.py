"""The sentence a moderator reads for each finding, written from its evidence in their language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def explain(kind: str, evidence: dict[str, Any]) -> str:
    """Why the detector proposed this group, in plain words, from the facts it recorded."""
    facts = {key: value for key, value in evidence.items() if not isinstance(value, list | dict)}
    if kind == "near_duplicate":
        return (
            _(
                "%(accounts)s accounts published %(texts)s posts or comments that are near copies of each "
                "other (lightly reworded at most): linked texts share a median of %(median_shared_bands)s "
                "of %(bands)s MinHash bands."
            )
            % facts
        )
    if kind == "synchronised":
        return (
            _(
                "%(accounts)s accounts acted on the same %(items)s items within %(window_seconds)s seconds "
                "of each other, each pair on at least %(min_items_per_pair)s different items."
            )
            % facts
        )
    if kind == "shared_fingerprint":
        return (
            _(
                "%(accounts)s accounts signed up within %(span_seconds)s seconds from the same network, "
                "with the same browser family and the same shape of email address."
            )
            % facts
        )
    if kind == "dense_low_trust":
        return (
            _(
                "%(accounts)s accounts are densely linked to each other (%(links_inside)s links, density "
                "%(density)s) but have only %(links_outside)s links to the rest of the campaign, and no "
                "trust from staff or from people met in person reaches them."
            )
            % facts
        )
    return ""


EVIDENCE_LABELS = {
    "texts": gettext_lazy("Texts"),
    "accounts": gettext_lazy("Accounts"),
    "linked_pairs": gettext_lazy("Pairs of near-identical texts"),
    "median_shared_bands": gettext_lazy("Median MinHash bands shared"),
    "median_similarity": gettext_lazy("Median similarity of linked texts"),
    "bands": gettext_lazy("MinHash bands"),
    "rows_per_band": gettext_lazy("Values per band"),
    "sample": gettext_lazy("Examples"),
    "items": gettext_lazy("Items acted on in step"),
    "items_in_step": gettext_lazy("Items acted on in step"),
    "window_seconds": gettext_lazy("Window (seconds)"),
    "min_items_per_pair": gettext_lazy("Fewest items per pair"),
    "span_seconds": gettext_lazy("Signups within (seconds)"),
    "shared": gettext_lazy("Shared"),
    "signed_up_at": gettext_lazy("Signed up at (Unix time)"),
    "links_inside": gettext_lazy("Links inside the group"),
    "links_outside": gettext_lazy("Links to the rest of the campaign"),
    "links_total": gettext_lazy("Links in all"),
    "density": gettext_lazy("Density"),
    "trust_threshold": gettext_lazy("Trust below"),
    "trust": gettext_lazy("Trust"),
}


def evidence_rows(evidence: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs for a page: lists joined, labels translated."""
    rows = []
    for key, value in evidence.items():
        text = ", ".join(str(item) for item in value) if isinstance(value, list | tuple) else str(value)
        rows.append((str(EVIDENCE_LABELS.get(key, key)), text))
    return rows
