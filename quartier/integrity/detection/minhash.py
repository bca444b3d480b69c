"""MinHash over character shingles, and a compact index of band hashes for near-duplicate search.

A text is normalised (case folded, punctuation and spacing reduced to single spaces), cut into
overlapping 5-byte shingles (UTF-8), each hashed to 32 bits with a rolling polynomial; the signature
is the minimum of NUM_HASHES multiply-shift hashes over them, and LSH cuts it into BANDS bands of
ROWS values, each band reduced to one 32-bit key (a different mix per band, so keys of different
bands do not meet). Two texts whose shingle sets have Jaccard similarity s share at least one band
with probability 1 - (1 - s^ROWS)^BANDS: about 0.99 at s = 0.7, 0.87 at 0.5 and 0.12 at 0.3.

The index keeps only band keys: BANDS uint32 keys and BANDS uint32 row numbers per text (128 bytes),
plus each row's item id and author (12 bytes), in sorted numpy arrays; new texts go to a small
dictionary merged into the arrays when it grows (amortised O(log n) per text). datasketch's
in-memory LSH takes about 3.8 KB per text for the same job.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

SHINGLE = 5
BANDS = 16
ROWS = 4
NUM_HASHES = BANDS * ROWS
# Texts with fewer shingles than this are too short to call copies of each other ("Thank you!").
MIN_SHINGLES = 40
_POLY = np.uint32(16777619)

# Fixed seeds: signatures and band keys must be comparable across processes and runs.
_rng = np.random.default_rng(0x1D5E7)
_MUL = _rng.integers(1, 2**63, size=NUM_HASHES, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_ADD = _rng.integers(0, 2**63, size=NUM_HASHES, dtype=np.uint64)
_BAND_MIX = _rng.integers(1, 2**63, size=(BANDS, ROWS), dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_SHIFT = np.uint64(32)
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_NOT_WORD = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    text = text.casefold()
    if not text.isascii():  # accents dropped: "é" and "e" make the same shingles
        text = "".join(
            char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)
        )
    return _NOT_WORD.sub(" ", text).strip()


def shingle_hashes(text: str) -> np.ndarray:
    """The distinct 32-bit hashes of the text's shingles (empty when shorter than one shingle)."""
    data = np.frombuffer(normalise(text).encode(), dtype=np.uint8)
    count = len(data) - SHINGLE + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint32)
    hashes = np.zeros(count, dtype=np.uint32)
    for offset in range(SHINGLE):
        hashes = hashes * _POLY + data[offset : offset + count]
    hashes.sort()  # distinct values by sort: np.unique's hashing path is slower on these sizes
    return hashes[np.concatenate([[True], hashes[1:] != hashes[:-1]])]


def signature(hashes: np.ndarray) -> np.ndarray:
    """The NUM_HASHES-value MinHash signature (uint32) of a set of shingle hashes (non-empty)."""
    values = (_MUL[:, None] * hashes.astype(np.uint64)[None, :] + _ADD[:, None]) >> _SHIFT
    return values.min(axis=1).astype(np.uint32)


def signatures(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Signatures of many texts at once (one row per text), and a mask of those long enough."""
    hashed = [shingle_hashes(text) for text in texts]
    long_enough = np.array([len(hashes) >= MIN_SHINGLES for hashes in hashed], dtype=bool)
    result = np.zeros((len(texts), NUM_HASHES), dtype=np.uint32)
    kept = [hashes for hashes, keep in zip(hashed, long_enough, strict=True) if keep]
    if kept:
        flat = np.concatenate(kept).astype(np.uint64)
        starts = np.cumsum([0] + [len(hashes) for hashes in kept[:-1]])
        block = np.empty((NUM_HASHES, len(kept)), dtype=np.uint32)
        for row in range(NUM_HASHES):
            values = (_MUL[row] * flat + _ADD[row]) >> _SHIFT
            block[row] = np.minimum.reduceat(values, starts)
        result[long_enough] = block.T
    return result, long_enough


def band_keys(signatures_: np.ndarray) -> np.ndarray:
    """BANDS uint32 keys per signature: shape (n, BANDS) for (n, NUM_HASHES), or (BANDS,) for one."""
    rows = np.asarray(signatures_, dtype=np.uint64).reshape(-1, BANDS, ROWS)
    mixed = (rows * _BAND_MIX[None, :, :]).sum(axis=2, dtype=np.uint64) >> _SHIFT
    keys = mixed.astype(np.uint32)
    return keys[0] if np.ndim(signatures_) == 1 else keys


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """The Jaccard similarity two signatures estimate."""
    return float(np.mean(a == b))


class BandIndex:
    """Texts by band key: `add` one (streaming), `candidates` of a new one, or `rebuild` from arrays."""

    def __init__(self) -> None:
        self.keys = np.empty(0, dtype=np.uint32)  # sorted
        self.rows = np.empty(0, dtype=np.uint32)  # the row of each key
        self.item_ids = np.empty(0, dtype=np.int64)
        self.authors = np.empty(0, dtype=np.int32)
        self._pending: dict[int, list[int]] = {}
        self._pending_items: list[tuple[int, int]] = []

    def __len__(self) -> int:
        return len(self.item_ids) + len(self._pending_items)

    @property
    def nbytes(self) -> int:
        return self.keys.nbytes + self.rows.nbytes + self.item_ids.nbytes + self.authors.nbytes

    def rebuild(self, item_ids: np.ndarray, authors: np.ndarray, keys: np.ndarray) -> None:
        """Replace the index with texts given as arrays (keys: shape (n, BANDS))."""
        count = len(item_ids)
        flat = np.asarray(keys, dtype=np.uint32).reshape(count * BANDS)
        rows = np.repeat(np.arange(count, dtype=np.uint32), BANDS)
        order = np.argsort(flat, kind="stable")
        self.keys, self.rows = flat[order], rows[order]
        self.item_ids = np.asarray(item_ids, dtype=np.int64).copy()
        self.authors = np.asarray(authors, dtype=np.int32).copy()
        self._pending, self._pending_items = {}, []

    def candidates(self, keys: np.ndarray) -> dict[int, int]:
        """Rows sharing at least one band with `keys`, and how many bands each shares."""
        found: dict[int, int] = {}
        left = np.searchsorted(self.keys, keys, side="left")
        right = np.searchsorted(self.keys, keys, side="right")
        for start, end in zip(left.tolist(), right.tolist(), strict=True):
            for row in self.rows[start:end].tolist():
                found[row] = found.get(row, 0) + 1
        for key in keys.tolist():
            for row in self._pending.get(key, ()):
                found[row] = found.get(row, 0) + 1
        return found

    def add(self, item_id: int, author: int, keys: np.ndarray) -> int:
        """Add a text; returns its row. Merges the pending texts into the arrays now and then."""
        row = len(self)
        self._pending_items.append((item_id, author))
        for key in keys.tolist():
            self._pending.setdefault(key, []).append(row)
        if len(self._pending_items) >= max(4096, len(self.item_ids) // 4):
            self.flush()
        return row

    def item(self, row: int) -> tuple[int, int]:
        """(item id, author) of a row."""
        if row < len(self.item_ids):
            return int(self.item_ids[row]), int(self.authors[row])
        return self._pending_items[row - len(self.item_ids)]

    def flush(self) -> None:
        if not self._pending_items:
            return
        pending_keys = np.fromiter(
            (key for key, rows in self._pending.items() for _row in rows), dtype=np.uint32
        )
        pending_rows = np.fromiter((row for rows in self._pending.values() for row in rows), dtype=np.uint32)
        keys = np.concatenate([self.keys, pending_keys])
        rows = np.concatenate([self.rows, pending_rows])
        order = np.argsort(keys, kind="stable")
        self.keys, self.rows = keys[order], rows[order]
        items = np.asarray(self._pending_items, dtype=np.int64).reshape(-1, 2)
        self.item_ids = np.concatenate([self.item_ids, items[:, 0]])
        self.authors = np.concatenate([self.authors, items[:, 1].astype(np.int32)])
        self._pending, self._pending_items = {}, []
