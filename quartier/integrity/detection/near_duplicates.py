"""Posts and comments copied across accounts, lightly reworded: MinHash LSH, checked as texts arrive.

Texts go through a `TextIndex` in the order they were written, in micro-batches: each text is
checked against every earlier text of the window (the band index, `band_index.BandIndex`) and then
added to it. An earlier text of another author sharing at least `min_bands` band keys is a
candidate; it is confirmed when their full signatures agree on at least `min_similarity` of their
values (the estimated Jaccard similarity of their shingles: lightly reworded copies are around 0.5
to 0.8, unrelated posts on the same subjects below 0.3). Each text keeps a link to at most `top_k`
confirmed earlier texts, the most similar (enough to connect a group, never every pair of it). A
band key already held by `max_bucket` texts (a slogan everyone quotes) is passed over from then on.

A connected group of linked texts written by at least `min_accounts` accounts is a finding
(`findings_from_links`). The periodic job keeps the links it confirms in the database and groups
the week's; `find` runs the same steps over texts held in memory (tests and the quality benchmark).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from quartier.integrity.detection import minhash
from quartier.integrity.detection.band_index import BandIndex
from quartier.integrity.detection.findings import Finding, components
from quartier.integrity.detection.minhash import BANDS, NUM_HASHES, ROWS

MIN_SIMILARITY = 0.4
MIN_BANDS = 1
MAX_BUCKET = 200
TOP_K = 10
# Texts checked together: those of the last moment (the job reads stored signatures this many at a time).
BATCH = 512


@dataclass(frozen=True)
class Links:
    """Confirmed pairs: text `later[i]` is a near copy of the earlier text `earlier[i]` (item ids), by
    another author; they share `shared[i]` bands and agree on `similarity[i]` of their signatures."""

    earlier: np.ndarray  # int64
    later: np.ndarray  # int64
    shared: np.ndarray  # int64
    similarity: np.ndarray  # float64

    def __len__(self) -> int:
        return int(self.later.size)

    @classmethod
    def concatenate(cls, parts: Sequence[Links]) -> Links:
        if not parts:
            return cls(*(np.zeros(0, dtype) for dtype in (np.int64, np.int64, np.int64, np.float64)))
        return cls(
            *(np.concatenate([getattr(part, name) for part in parts]) for name in cls.__dataclass_fields__)
        )


class TextIndex:
    """The texts of the window: their band keys (to find candidates) and signatures (to confirm them),
    with the low byte of each signature value apart (a first pass that rules out most candidates in
    a quarter of the memory reads): 140 + 256 + 64 bytes a text. Rows are in the order texts were added."""

    def __init__(
        self,
        *,
        min_bands: int = MIN_BANDS,
        min_similarity: float = MIN_SIMILARITY,
        max_bucket: int = MAX_BUCKET,
        top_k: int = TOP_K,
    ) -> None:
        self.bands = BandIndex()
        self._signatures = np.empty((0, NUM_HASHES), dtype=np.uint32)
        self._low_bytes = np.empty((0, NUM_HASHES), dtype=np.uint8)
        self.min_bands, self.min_similarity, self.max_bucket, self.top_k = (
            min_bands, min_similarity, max_bucket, top_k,
        )  # fmt: skip

    def __len__(self) -> int:
        return len(self.bands)

    @property
    def nbytes(self) -> int:
        return self.bands.nbytes + len(self) * NUM_HASHES * 5

    def reserve(self, count: int) -> None:
        """Make room for `count` texts in all (one allocation instead of doubling as they come)."""
        if count > len(self._signatures):
            held = len(self._signatures)
            grown, low = np.empty((count, NUM_HASHES), np.uint32), np.empty((count, NUM_HASHES), np.uint8)
            grown[:held], low[:held] = self._signatures, self._low_bytes
            self._signatures, self._low_bytes = grown, low

    def add(self, item_ids: np.ndarray, authors: np.ndarray, signatures: np.ndarray) -> None:
        """Hold texts already checked (their links are known), without checking them again."""
        self.bands.extend(item_ids, authors, minhash.band_keys(signatures))
        self._append(signatures)

    def check(self, item_ids: np.ndarray, authors: np.ndarray, signatures: np.ndarray) -> Links:
        """Check a batch of texts (in the order written) against the earlier ones, batch included,
        add them, and return the confirmed links, at most `top_k` per text."""
        item_ids = np.asarray(item_ids, dtype=np.int64)
        authors = np.asarray(authors, dtype=np.int64)
        signatures = np.asarray(signatures, dtype=np.uint32).reshape(-1, NUM_HASHES)
        found = self.bands.check_and_add(
            item_ids, authors, minhash.band_keys(signatures), max_bucket=self.max_bucket
        )
        self._append(signatures)
        _ids, earlier_authors = self.bands.items_of(found.rows)
        keep = (earlier_authors != authors[found.texts]) & (found.shared >= self.min_bands)
        texts, rows, shared = found.texts[keep], found.rows[keep], found.shared[keep]
        similarity = self._agreement(rows, signatures, texts)
        keep = similarity >= self.min_similarity
        texts, rows, shared, similarity = texts[keep], rows[keep], shared[keep], similarity[keep]
        # Each text's most similar earlier texts first (texts are sorted already), then its top_k.
        order = np.lexsort((rows, -similarity, texts))
        texts, rows, shared, similarity = texts[order], rows[order], shared[order], similarity[order]
        first = np.searchsorted(texts, texts, side="left")
        keep = np.arange(texts.size) - first < self.top_k
        return Links(
            earlier=self.bands.items_of(rows[keep])[0],
            later=item_ids[texts[keep]],
            shared=shared[keep],
            similarity=similarity[keep],
        )

    def _agreement(
        self, rows: np.ndarray, batch: np.ndarray, texts: np.ndarray, chunk: int = 65536
    ) -> np.ndarray:
        """The share of equal signature values between each held row and text `texts[i]` of the batch,
        or 0 where it is surely under `min_similarity`: two equal values have equal low bytes, so
        fewer equal low bytes than the threshold's count rule a pair out before its full values are read."""
        needed = int(np.floor(self.min_similarity * NUM_HASHES))
        batch_low = batch.astype(np.uint8)
        equal = np.zeros(rows.size, dtype=np.int64)
        for start in range(0, rows.size, chunk):
            held, mine = rows[start : start + chunk], texts[start : start + chunk]
            maybe = np.count_nonzero(self._low_bytes[held] == batch_low[mine], axis=1) >= needed
            held, mine = held[maybe], mine[maybe]
            equal[start : start + chunk][maybe] = np.count_nonzero(
                self._signatures[held] == batch[mine], axis=1
            )
        return equal / NUM_HASHES

    def _append(self, signatures: np.ndarray) -> None:
        held = len(self) - len(signatures)
        if len(self) > len(self._signatures):  # a quarter more each time (256 bytes a text: no doubling)
            self.reserve(max(len(self), len(self._signatures) + len(self._signatures) // 4, 1024))
        self._signatures[held : len(self)] = signatures
        self._low_bytes[held : len(self)] = signatures  # the low byte of each value (uint32 to uint8)


def find(
    labels: Sequence[str],
    authors: np.ndarray,
    signatures: np.ndarray,
    *,
    min_bands: int = MIN_BANDS,
    min_similarity: float = MIN_SIMILARITY,
    min_accounts: int = 3,
    max_bucket: int = MAX_BUCKET,
    top_k: int = TOP_K,
    batch: int = BATCH,
) -> list[Finding]:
    """Groups of near-identical texts by at least `min_accounts` accounts, among texts given in the
    order they were written: `labels[i]` names text i ("post:12"), `authors[i]` its author,
    `signatures[i]` its signature. The periodic job's steps, in memory."""
    authors = np.asarray(authors, dtype=np.int64)
    index = TextIndex(min_bands=min_bands, min_similarity=min_similarity, max_bucket=max_bucket, top_k=top_k)
    ids = np.arange(len(labels), dtype=np.int64)
    links = Links.concatenate(
        [
            index.check(
                ids[start : start + batch], authors[start : start + batch], signatures[start : start + batch]
            )
            for start in range(0, len(labels), batch)
        ]
    )
    return findings_from_links(
        links, author_of=dict(enumerate(authors.tolist())), label_of=dict(enumerate(labels)),
        min_accounts=min_accounts,
    )  # fmt: skip


def findings_from_links(
    links: Links, *, author_of: Mapping[int, int], label_of: Mapping[int, str], min_accounts: int = 3
) -> list[Finding]:
    """The connected groups of linked texts written by at least `min_accounts` accounts, each with its
    evidence; `author_of` and `label_of` give each linked item's author and label."""
    pairs = list(zip(links.earlier.tolist(), links.later.tolist(), strict=True))
    groups = components(pairs)
    group_of = {item: number for number, group in enumerate(groups) for item in group}
    bands_in: dict[int, list[int]] = {}
    similar_in: dict[int, list[float]] = {}
    for (earlier, _later), shared, similarity in zip(
        pairs, links.shared.tolist(), links.similarity.tolist(), strict=True
    ):
        bands_in.setdefault(group_of[earlier], []).append(shared)
        similar_in.setdefault(group_of[earlier], []).append(similarity)
    findings = []
    for number, group in enumerate(groups):
        accounts = {author_of[item] for item in group}
        if len(accounts) < min_accounts:
            continue
        members: dict[int, dict] = {account: {"items": []} for account in accounts}
        for item in sorted(group):
            members[author_of[item]]["items"].append(label_of[item])
        findings.append(
            Finding(
                kind="near_duplicate",
                members=members,
                evidence={
                    "texts": len(group),
                    "accounts": len(accounts),
                    "linked_pairs": len(bands_in[number]),
                    "median_shared_bands": int(np.median(bands_in[number])),
                    "median_similarity": round(float(np.median(similar_in[number])), 2),
                    "bands": BANDS,
                    "rows_per_band": ROWS,
                    "sample": sorted(label_of[item] for item in group)[:10],
                },
            )
        )
    return findings
