"""A compact index of texts by their LSH band keys, for near-duplicate search as posts arrive.

It keeps only band keys: BANDS uint32 keys and BANDS uint32 row numbers per text (128 bytes), plus
each row's item id and author (12 bytes, in arrays that grow by doubling), in sorted numpy runs:
a few sorted (key, row) arrays, each more than MERGE_FACTOR times the size of the next, the newest
merged into the one before when it grows near it (amortised O(log n) copies per text, never a full
re-sort). datasketch's in-memory LSH takes about 3.8 KB per text for the same job.

Texts arrive one at a time (`candidates` then `add`, buffered in a small dictionary) or in
micro-batches (`check_and_add`: the texts of the last moment checked together in a few numpy passes,
each seeing the texts before it in the batch too). Both give the same rows and shared-band counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from quartier.integrity.detection import minhash

# A run is merged into the run before it while that one is at most MERGE_FACTOR times its size:
# at most log_MERGE_FACTOR(n) + 1 runs to search.
MERGE_FACTOR = 4
# Texts added one at a time wait in a dictionary until there are this many, then become a run.
PENDING_LIMIT = 4096
# Smaller batches go through `candidates` and `add` text by text (fewer numpy calls for one text).
SMALL_BATCH = 8
_LOW = np.uint64(0xFFFFFFFF)
_SHIFT = np.uint64(32)


@dataclass(frozen=True)
class Candidates:
    """For a batch of texts: every (text of the batch, row of the index) sharing at least one band,
    sorted by text then row, and how many bands each shares."""

    texts: np.ndarray  # position in the batch (int64)
    rows: np.ndarray  # row in the index (int64)
    shared: np.ndarray  # bands shared (int64)

    def of(self, text: int) -> dict[int, int]:
        """The rows text `text` of the batch shares bands with, as `BandIndex.candidates` gives them."""
        start, end = np.searchsorted(self.texts, [text, text + 1])
        return dict(zip(self.rows[start:end].tolist(), self.shared[start:end].tolist(), strict=True))


class BandIndex:
    """Texts by band key: `check_and_add` a batch, `candidates` then `add` one, or `rebuild` from arrays."""

    def __init__(self) -> None:
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []  # (keys sorted, the row of each key)
        self._item_ids = np.empty(0, dtype=np.int64)
        self._authors = np.empty(0, dtype=np.int32)
        self._count = 0  # rows in the arrays above (the rest of them is spare capacity)
        self._pending: dict[int, list[int]] = {}
        self._pending_items: list[tuple[int, int]] = []

    def __len__(self) -> int:
        return self._count + len(self._pending_items)

    @property
    def item_ids(self) -> np.ndarray:
        return self._item_ids[: self._count]

    @property
    def authors(self) -> np.ndarray:
        return self._authors[: self._count]

    @property
    def nbytes(self) -> int:
        """Bytes of the rows held (the item arrays' spare capacity, up to as much again, apart)."""
        runs = sum(keys.nbytes + rows.nbytes for keys, rows in self._runs)
        return runs + self.item_ids.nbytes + self.authors.nbytes

    def rebuild(self, item_ids: np.ndarray, authors: np.ndarray, keys: np.ndarray) -> None:
        """Replace the index with texts given as arrays (keys: shape (n, BANDS))."""
        count = len(item_ids)
        flat = np.asarray(keys, dtype=np.uint32).reshape(count * minhash.BANDS)
        rows = np.repeat(np.arange(count, dtype=np.uint32), minhash.BANDS)
        order = np.argsort(flat, kind="stable")
        self._runs = [(flat[order], rows[order])] if count else []
        self._item_ids = np.asarray(item_ids, dtype=np.int64).copy()
        self._authors = np.asarray(authors, dtype=np.int32).copy()
        self._count = count
        self._pending, self._pending_items = {}, []

    def extend(self, item_ids: np.ndarray, authors: np.ndarray, keys: np.ndarray) -> None:
        """Add a batch of texts without checking them (keys: shape (n, BANDS))."""
        keys = np.asarray(keys, dtype=np.uint32).reshape(-1, minhash.BANDS)
        self.flush()
        first_row = len(self)
        order = np.argsort(keys.reshape(-1), kind="stable")
        self._append_items(item_ids, authors)
        self._push((keys.reshape(-1)[order], (first_row + order // minhash.BANDS).astype(np.uint32)))

    def candidates(self, keys: np.ndarray, *, max_bucket: int | None = None) -> dict[int, int]:
        """Rows sharing at least one band with `keys` (one text's), and how many bands each shares.
        With `max_bucket`, a key already held by `max_bucket` rows or more is passed over (a slogan
        everyone quotes would otherwise pair every new text with all the others)."""
        spans = [
            (
                np.searchsorted(run_keys, keys, side="left"),
                np.searchsorted(run_keys, keys, side="right"),
                run_rows,
            )
            for run_keys, run_rows in self._runs
        ]
        found: dict[int, int] = {}
        for position, key in enumerate(keys.tolist()):
            pending = self._pending.get(key, ()) if self._pending else ()
            if max_bucket is not None:
                held = len(pending) + sum(int(right[position] - left[position]) for left, right, _ in spans)
                if held >= max_bucket:
                    continue
            for left, right, run_rows in spans:
                for row in run_rows[left[position] : right[position]].tolist():
                    found[row] = found.get(row, 0) + 1
            for row in pending:
                found[row] = found.get(row, 0) + 1
        return found

    def add(self, item_id: int, author: int, keys: np.ndarray) -> int:
        """Add one text; returns its row. The pending texts become a run every PENDING_LIMIT texts."""
        row = len(self)
        self._pending_items.append((item_id, author))
        for key in keys.tolist():
            self._pending.setdefault(key, []).append(row)
        if len(self._pending_items) >= PENDING_LIMIT:
            self.flush()
        return row

    def check_and_add(
        self, item_ids: np.ndarray, authors: np.ndarray, keys: np.ndarray, *, max_bucket: int | None = None
    ) -> Candidates:
        """Add a batch of texts (keys: shape (n, BANDS)), and return what each shares bands with:
        the rows already in the index and the texts before it in the batch, exactly what calling
        `candidates` then `add` for each text in turn would find (`max_bucket` included). Their rows
        are len(self) onwards."""
        keys = np.asarray(keys, dtype=np.uint32).reshape(-1, minhash.BANDS)
        if len(keys) < SMALL_BATCH:
            return self._check_and_add_each(item_ids, authors, keys, max_bucket)
        self.flush()
        first_row = len(self)
        order = np.argsort(keys.reshape(-1), kind="stable")
        needles = keys.reshape(-1)[order]  # sorted (faster searches); equal keys in batch order
        text_of = (order // minhash.BANDS).astype(np.int64)
        in_text_order = np.repeat(np.arange(len(keys), dtype=np.int64), minhash.BANDS)
        spans = []
        held = np.zeros(len(order), dtype=np.int64)  # rows of the index holding each key, in text order
        for run_keys, run_rows in self._runs:
            left, counts = np.empty(len(order), dtype=np.int64), np.empty(len(order), dtype=np.int64)
            left[order] = np.searchsorted(run_keys, needles, side="left")
            counts[order] = np.searchsorted(run_keys, needles, side="right") - left[order]
            spans.append((left, counts, run_rows))
            held += counts
        # Within the batch: each key meets the earlier texts' equal keys (not its own text's).
        new_key = np.ones(len(needles), dtype=bool)
        new_key[1:] = needles[1:] != needles[:-1]
        new_text = new_key.copy()
        new_text[1:] |= text_of[1:] != text_of[:-1]
        positions = np.arange(len(needles))
        key_start = np.maximum.accumulate(np.where(new_key, positions, 0))
        text_start = np.maximum.accumulate(np.where(new_text, positions, 0))
        earlier = text_start - key_start
        if max_bucket is not None:  # as `candidates`: the key's holders so far, the batch's earlier texts too
            crowded = held[order] + earlier >= max_bucket
            earlier = np.where(crowded, 0, earlier)
            crowded_in_text_order = np.empty(len(order), dtype=bool)
            crowded_in_text_order[order] = crowded
            for _left, counts, _rows in spans:
                counts[crowded_in_text_order] = 0
        texts, rows = [], []
        for left, counts, run_rows in spans:
            # Back in text order: each text's rows together, in sorted stretches (one per key).
            texts.append(np.repeat(in_text_order, counts))
            rows.append(run_rows[_ranges(left, counts)])
        texts.append(np.repeat(text_of, earlier))
        rows.append(first_row + text_of[_ranges(key_start, earlier)])
        found = _count_pairs(np.concatenate(texts), np.concatenate(rows))
        self._append_items(item_ids, authors)
        self._push((needles, (first_row + text_of).astype(np.uint32)))
        return found

    def _check_and_add_each(
        self, item_ids: np.ndarray, authors: np.ndarray, keys: np.ndarray, max_bucket: int | None
    ) -> Candidates:
        texts, rows, shared = [], [], []
        for text, (item_id, author, text_keys) in enumerate(zip(item_ids, authors, keys, strict=True)):
            found = sorted(self.candidates(text_keys, max_bucket=max_bucket).items())
            texts += [text] * len(found)
            rows += [row for row, _count in found]
            shared += [count for _row, count in found]
            self.add(int(item_id), int(author), text_keys)
        return Candidates(
            texts=np.array(texts, np.int64), rows=np.array(rows, np.int64), shared=np.array(shared, np.int64)
        )

    def item(self, row: int) -> tuple[int, int]:
        """(item id, author) of a row."""
        if row < self._count:
            return int(self._item_ids[row]), int(self._authors[row])
        return self._pending_items[row - self._count]

    def items_of(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(item ids, authors) of many rows, those still pending included."""
        rows = np.asarray(rows, dtype=np.int64)
        if self._pending_items:
            self.flush()
        return self._item_ids[rows], self._authors[rows].astype(np.int64)

    def flush(self) -> None:
        """Turn the texts added one at a time into a run."""
        if not self._pending_items:
            return
        keys = np.fromiter(self._pending, dtype=np.uint32, count=len(self._pending))
        counts = np.fromiter(map(len, self._pending.values()), dtype=np.int64, count=len(self._pending))
        rows = np.fromiter((row for rows in self._pending.values() for row in rows), dtype=np.uint32)
        keys = np.repeat(keys, counts)
        order = np.argsort(keys, kind="stable")
        items = np.asarray(self._pending_items, dtype=np.int64).reshape(-1, 2)
        self._pending, self._pending_items = {}, []
        self._append_items(items[:, 0], items[:, 1])
        self._push((keys[order], rows[order]))

    def _append_items(self, item_ids: np.ndarray, authors: np.ndarray) -> None:
        end = self._count + len(item_ids)
        if end > len(self._item_ids):
            capacity = max(end, 2 * len(self._item_ids), 1024)
            self._item_ids = np.concatenate([self.item_ids, np.empty(capacity - self._count, np.int64)])
            self._authors = np.concatenate([self.authors, np.empty(capacity - self._count, np.int32)])
        self._item_ids[self._count : end] = item_ids
        self._authors[self._count : end] = authors
        self._count = end

    def _push(self, run: tuple[np.ndarray, np.ndarray]) -> None:
        self._runs.append(run)
        while len(self._runs) > 1 and len(self._runs[-2][0]) <= MERGE_FACTOR * len(self._runs[-1][0]):
            newer = self._runs.pop()
            self._runs[-1] = _merge(self._runs[-1], newer)


def check_texts(
    index: BandIndex,
    item_ids: np.ndarray,
    authors: np.ndarray,
    texts: list[str],
    *,
    max_bucket: int | None = None,
) -> Candidates:
    """A batch of texts checked against the index and added to it, those long enough (MIN_SHINGLES):
    the candidates' `texts` are positions in `texts`."""
    signatures, long_enough = minhash.signatures(texts)
    kept = np.flatnonzero(long_enough)
    found = index.check_and_add(
        np.asarray(item_ids)[kept], np.asarray(authors)[kept], minhash.band_keys(signatures[kept]),
        max_bucket=max_bucket,
    )  # fmt: skip
    return Candidates(texts=kept[found.texts], rows=found.rows, shared=found.shared)


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The indices starts[i], starts[i] + 1, ..., starts[i] + counts[i] - 1 for every i, in order."""
    total = int(counts.sum())
    return np.arange(total, dtype=np.int64) + np.repeat(starts - (np.cumsum(counts) - counts), counts)


def _count_pairs(texts: np.ndarray, rows: np.ndarray) -> Candidates:
    """Each distinct (text, row) pair once, sorted, with how many times it came (mostly given in
    stretches already sorted)."""
    pairs = (texts.astype(np.uint64) << _SHIFT) | rows.astype(np.uint64)
    pairs.sort(kind="stable")  # a merge of the sorted stretches (timsort): 3-4 times quicker here
    first = np.ones(len(pairs), dtype=bool)
    first[1:] = pairs[1:] != pairs[:-1]
    starts = np.flatnonzero(first)
    shared = np.diff(np.append(starts, len(pairs)))
    distinct = pairs[starts]
    return Candidates(
        texts=(distinct >> _SHIFT).astype(np.int64), rows=(distinct & _LOW).astype(np.int64), shared=shared
    )


def _merge(
    older: tuple[np.ndarray, np.ndarray], newer: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Two sorted runs as one, in one pass (a new key goes after the older run's equal keys)."""
    at = np.searchsorted(older[0], newer[0], side="right") + np.arange(len(newer[0]))
    from_older = np.ones(len(older[0]) + len(newer[0]), dtype=bool)
    from_older[at] = False
    merged = []
    for old_values, new_values in zip(older, newer, strict=True):
        values = np.empty(len(from_older), dtype=old_values.dtype)
        values[at] = new_values
        values[from_older] = old_values
        merged.append(values)
    return merged[0], merged[1]
