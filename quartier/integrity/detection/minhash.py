"""MinHash over character shingles: normalised text, shingle hashes, signatures and LSH band keys.

A text is normalised (case folded, accents dropped, punctuation and spacing reduced to single spaces),
cut into overlapping 5-byte shingles (UTF-8), each hashed to 32 bits with a rolling polynomial; the
signature is the minimum of NUM_HASHES multiply-shift hashes over them, and LSH cuts it into BANDS
bands of ROWS values, each band reduced to one 32-bit key (a different mix per band, so keys of
different bands do not meet). Two texts whose shingle sets have Jaccard similarity s share at least
one band with probability 1 - (1 - s^ROWS)^BANDS: about 0.99 at s = 0.7, 0.87 at 0.5 and 0.12 at 0.3.

Every step has a one-text form (`normalise`, `shingle_hashes`, `signature`) and a many-text form
(`signatures`) that normalises the texts as one string and hashes all their shingles in one numpy
pass; both give the same values. The band index the keys go into is `band_index.BandIndex`.
"""

from __future__ import annotations

import re
import sys
import unicodedata

import numpy as np

SHINGLE = 5
BANDS = 16
ROWS = 4
NUM_HASHES = BANDS * ROWS
# Texts with fewer shingles than this are too short to call copies of each other ("Thank you!").
MIN_SHINGLES = 40
# `signatures` hashes this many texts at a time (bounds its temporary arrays to a few MB).
CHUNK = 2048
# Fewer texts than this are hashed one by one (the one-pass form takes more numpy calls a text).
FEW = 8
# How many first shingles of a text `_long_enough` sorts to find MIN_SHINGLES distinct ones.
PREFIX = 64
_POLY = np.uint32(16777619)

# Fixed seeds: signatures and band keys must be comparable across processes and runs.
_rng = np.random.default_rng(0x1D5E7)
_MUL = _rng.integers(1, 2**63, size=NUM_HASHES, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_ADD = _rng.integers(0, 2**63, size=NUM_HASHES, dtype=np.uint64)
_BAND_MIX = _rng.integers(1, 2**63, size=(BANDS, ROWS), dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_SHIFT = np.uint64(32)
_NOT_WORD = re.compile(r"[\W_]+")
_SEPARATOR = "\x00"  # between texts normalised together
# What is known of each code point: learnt on first sight (ASCII now), kept for the process (1.1 MB).
_KNOWN, _WORD, _COMBINING = np.uint8(1), np.uint8(2), np.uint8(4)
_FLAGS = np.zeros(sys.maxunicode + 1, dtype=np.uint8)


def _flags(points: np.ndarray) -> np.ndarray:
    """The _WORD and _COMBINING flags of code points, each learnt from `unicodedata` on first sight."""
    for point in np.unique(points[_FLAGS[points] == 0]).tolist():
        char = chr(point)
        word = _WORD if char.isalnum() else 0  # what the regular expressions call \w, "_" apart
        _FLAGS[point] = _KNOWN | word | (_COMBINING if unicodedata.combining(char) else 0)
    return _FLAGS[points]


_flags(np.arange(128, dtype=np.uint32))


def _normalised(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The normalised texts in UTF-8 one after the other, a 0 byte between two, and where each starts
    and ends in it. Normalised: case folded, accents dropped (NFKD without the combining marks), each
    run of non-word characters ("_" included) one space, none at either end. One numpy pass over all
    the texts: a Python test per character (accents) cost more than everything else together."""
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) != len(texts) - 1:  # a text holds the separator: a non-word anyway
        joined = _SEPARATOR.join(text.replace(_SEPARATOR, " ") for text in texts)
    joined = joined.casefold()
    if not joined.isascii():
        joined = unicodedata.normalize("NFKD", joined)
    points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).copy()
    flags = _flags(points)
    if (flags & _COMBINING).any():
        points, flags = points[(flags & _COMBINING) == 0], flags[(flags & _COMBINING) == 0]
    separator = points == 0
    other = ((flags & _WORD) == 0) & ~separator
    bounded = np.concatenate([[True], separator, [True]])  # text bounds, with one before and after
    run_starts = np.flatnonzero(other & ~np.concatenate([[False], other[:-1]]))
    run_ends = np.flatnonzero(other & ~np.concatenate([other[1:], [False]]))
    inner = ~bounded[run_starts] & ~bounded[run_ends + 2]  # runs touching neither end of their text
    points[run_starts] = 32
    keep = ~other
    keep[run_starts[inner]] = True
    points = points[keep]
    if not len(points) or points.max() < 128:
        data = points.astype(np.uint8)
    else:
        data = np.frombuffer(points.tobytes().decode("utf-32-le").encode(), dtype=np.uint8)
    separators = np.flatnonzero(data == 0)
    return data, np.concatenate([[0], separators + 1]), np.concatenate([separators, [len(data)]])


def normalise(text: str) -> str:
    """One text as `_normalised` makes it, with fewer numpy steps (for one text at a time)."""
    text = text.casefold()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        combining = (_flags(points) & _COMBINING) != 0
        if combining.any():
            text = points[~combining].tobytes().decode("utf-32-le", "surrogatepass")
    return _NOT_WORD.sub(" ", text).strip()


def shingle_hashes(text: str) -> np.ndarray:
    """The distinct 32-bit hashes of the text's shingles, sorted (empty when shorter than one shingle);
    `shingle_sets` gives the same for many texts at once."""
    data = np.frombuffer(normalise(text).encode(), dtype=np.uint8)
    count = len(data) - SHINGLE + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint32)
    hashes = np.zeros(count, dtype=np.uint32)
    for offset in range(SHINGLE):
        hashes = hashes * _POLY + data[offset : offset + count]
    hashes.sort()  # distinct values by sort: np.unique's hashing path is slower on these sizes
    return hashes[np.concatenate([[True], hashes[1:] != hashes[:-1]])]


def shingle_sets(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The distinct shingle hashes of many texts in one pass: (each text's sorted hashes one after the
    other, uint32; the offsets of each text's hashes in them, len(texts) + 1 values)."""
    hashes, offsets = _all_shingles(texts)
    text_of = np.repeat(np.arange(len(texts), dtype=np.uint64), np.diff(offsets))
    keyed = (text_of << _SHIFT) | hashes.astype(np.uint64)  # sorted: by text, then hash
    keyed.sort()
    distinct = np.ones(len(keyed), dtype=bool)
    distinct[1:] = keyed[1:] != keyed[:-1]
    keyed = keyed[distinct]
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.bincount((keyed >> _SHIFT).astype(np.int64), minlength=len(texts)), out=offsets[1:])
    return keyed.astype(np.uint32), offsets


def _all_shingles(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The hashes of every shingle of many texts, repeats kept, one text after the other (uint32), and
    the offsets of each text's hashes in them (len(texts) + 1 values)."""
    data, starts, ends = _normalised(texts)
    counts = np.maximum(ends - starts - SHINGLE + 1, 0)
    padded = np.concatenate([data, np.zeros(SHINGLE - 1, dtype=np.uint8)])
    hashes = np.zeros(len(data), dtype=np.uint32)  # of the shingle starting at each byte
    for offset in range(SHINGLE):
        hashes *= _POLY
        hashes += padded[offset : offset + len(data)]
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    positions = np.arange(offsets[-1], dtype=np.int64) + np.repeat(starts - offsets[:-1], counts)
    return hashes[positions], offsets


def _long_enough(hashes: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Which texts have at least MIN_SHINGLES distinct shingles, from `_all_shingles`' output, without
    sorting them all: the first PREFIX shingles of a text are sorted (a short sort each) and counted;
    only a text with fewer distinct ones there but more shingles after (repeating itself) is counted whole."""
    counts = np.diff(offsets)
    result = counts >= MIN_SHINGLES
    candidates = np.flatnonzero(result)
    steps = np.minimum(np.arange(PREFIX)[None, :], counts[candidates, None] - 1)  # the last one repeated
    prefix = np.sort(hashes[offsets[candidates, None] + steps], axis=1)
    distinct = 1 + (prefix[:, 1:] != prefix[:, :-1]).sum(axis=1)
    result[candidates] = distinct >= MIN_SHINGLES
    for text in candidates[(distinct < MIN_SHINGLES) & (counts[candidates] > PREFIX)].tolist():
        result[text] = len(np.unique(hashes[offsets[text] : offsets[text + 1]])) >= MIN_SHINGLES
    return result


def signature(hashes: np.ndarray) -> np.ndarray:
    """The NUM_HASHES-value MinHash signature (uint32) of a set of shingle hashes (non-empty)."""
    values = (_MUL[:, None] * hashes.astype(np.uint64)[None, :] + _ADD[:, None]) >> _SHIFT
    return values.min(axis=1).astype(np.uint32)


def signatures(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Signatures of many texts at once (one row per text), and a mask of those long enough."""
    result = np.zeros((len(texts), NUM_HASHES), dtype=np.uint32)
    long_enough = np.zeros(len(texts), dtype=bool)
    if len(texts) < FEW:
        for position, text in enumerate(texts):
            hashes = shingle_hashes(text)
            if len(hashes) >= MIN_SHINGLES:
                result[position], long_enough[position] = signature(hashes), True
        return result, long_enough
    for first in range(0, len(texts), CHUNK):
        hashes, offsets = _all_shingles(texts[first : first + CHUNK])  # a minimum needs no distinct values
        kept = _long_enough(hashes, offsets)
        long_enough[first : first + CHUNK] = kept
        if kept.any():
            result[first : first + CHUNK][kept] = _minima(hashes, offsets, kept)
    return result, long_enough


def band_keys_of(texts: list[str], step: int = 32_768) -> tuple[np.ndarray, np.ndarray]:
    """The band keys of many texts (shape (n, BANDS)) and the mask of those long enough, `step` texts
    at a time: a full rebuild holds 64 bytes a text instead of every signature (512 bytes a text)."""
    keys = np.zeros((len(texts), BANDS), dtype=np.uint32)
    long_enough = np.zeros(len(texts), dtype=bool)
    for first in range(0, len(texts), step):
        chunk, kept = signatures(texts[first : first + step])
        long_enough[first : first + step] = kept
        keys[first : first + step] = band_keys(chunk)
    return keys, long_enough


def _minima(hashes: np.ndarray, offsets: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """The signatures of the texts `kept` (a mask), from `_all_shingles`' output."""
    lengths = np.diff(offsets)[kept]
    take = np.repeat(kept, np.diff(offsets))
    flat = hashes[take].astype(np.uint64)
    starts = np.concatenate([[0], np.cumsum(lengths[:-1])])
    values = np.empty_like(flat)
    block = np.empty((len(lengths), NUM_HASHES), dtype=np.uint64)
    for row in range(NUM_HASHES):  # (a * h + b) >> 32 grows with a * h + b: shift the minima only
        np.multiply(flat, _MUL[row], out=values)
        values += _ADD[row]
        block[:, row] = np.minimum.reduceat(values, starts)
    return (block >> _SHIFT).astype(np.uint32)


def band_keys(signatures_: np.ndarray) -> np.ndarray:
    """BANDS uint32 keys per signature: shape (n, BANDS) for (n, NUM_HASHES), or (BANDS,) for one."""
    rows = np.asarray(signatures_, dtype=np.uint64).reshape(-1, BANDS, ROWS)
    mixed = (rows * _BAND_MIX[None, :, :]).sum(axis=2, dtype=np.uint64) >> _SHIFT
    keys = mixed.astype(np.uint32)
    return keys[0] if np.ndim(signatures_) == 1 else keys


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """The Jaccard similarity two signatures estimate."""
    return float(np.mean(a == b))
