"""The periodic job's near-duplicate step: sign new texts, check them as they arrive, group the week's links.

Each run, under a lock on the one `NearDuplicateProgress` row:
1. the posts and comments written since the last run are signed (MinHash) and their signatures stored;
2. the index of the window's texts this worker holds in memory (`TextIndex`: band keys and
   signatures) is brought up to date with what other runs checked, or rebuilt from the stored
   signatures when the worker has none, when it no longer matches the database (the progress row's
   token or mark) or once a day (so that texts leaving the window leave memory too);
3. the new signatures are checked against it in micro-batches (`near_duplicates.BATCH`) and the
   confirmed links stored (`NearDuplicateLink`), and the mark moves on.

The findings are then the connected groups of the links between texts of the window
(`near_duplicate_findings`): one query, whatever the number of texts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from quartier.integrity.detection import minhash, near_duplicates
from quartier.integrity.detection.findings import Finding
from quartier.integrity.models import ContentSignature, NearDuplicateLink, NearDuplicateProgress
from quartier.social.queries import bulk as social_bulk

# How far back texts are compared; signatures older than this and a day are deleted.
TEXT_WINDOW = timedelta(days=7)
# A worker's index is rebuilt from the stored signatures at least this often.
INDEX_LIFETIME = timedelta(days=1)
SIGNATURE_BATCH = 2000
READ_CHUNK = 8192


@dataclass
class HeldIndex:
    """The index a worker process keeps between runs, and what it holds: the signatures up to
    `through`, as of the progress row made with `token`."""

    token: UUID
    through: int
    built_at: datetime
    index: near_duplicates.TextIndex


_held: HeldIndex | None = None


def forget_held_index() -> None:
    """Drop the index this process holds (the next run rebuilds it)."""
    global _held
    _held = None


def check_new_texts() -> int:
    """Steps 1 to 3 above; returns how many texts were checked (0 when another run holds the lock)."""
    NearDuplicateProgress.objects.get_or_create(pk=1)
    with transaction.atomic():
        progress = NearDuplicateProgress.objects.select_for_update(skip_locked=True).filter(pk=1).first()
        if progress is None:
            return 0
        purge_old_signatures()
        index_new_texts()
        held = _index_for(progress)
        checked = 0
        new = ContentSignature.objects.filter(pk__gt=progress.checked_through)
        for pks, authors, signatures in _signature_chunks(new, near_duplicates.BATCH):
            _store_links(held.index.check(pks, authors, signatures))
            held.through = progress.checked_through = int(pks[-1])
            checked += len(pks)
        progress.save(update_fields=["checked_through"])
    return checked


def _index_for(progress: NearDuplicateProgress) -> HeldIndex:
    """This process's index, holding every signature of the window up to the progress mark."""
    global _held
    now = timezone.now()
    stale = (
        _held is None
        or _held.token != progress.token
        or _held.through > progress.checked_through
        or now - _held.built_at > INDEX_LIFETIME
    )
    if stale:
        _held = None  # the old index goes before the new one is read
        _held = HeldIndex(progress.token, 0, now, near_duplicates.TextIndex())
        held_since = now - TEXT_WINDOW
    else:
        held_since = None
    known = ContentSignature.objects.filter(pk__gt=_held.through, pk__lte=progress.checked_through)
    if held_since is not None:
        known = known.filter(created_at__gte=held_since)
        _held.index.reserve(known.count() * 5 // 4 + 1024)  # room for the texts of the next runs too
    for pks, authors, signatures in _signature_chunks(known, READ_CHUNK):
        _held.index.add(pks, authors, signatures)
        _held.through = int(pks[-1])
    _held.through = progress.checked_through
    return _held


def _signature_chunks(signatures, size: int):
    """(ids, authors, signatures) of stored signatures in id order, `size` at a time."""
    rows = signatures.order_by("pk").values_list("pk", "author_id", "signature")
    chunk: list[tuple[int, int, bytes]] = []
    for row in rows.iterator(chunk_size=size):
        chunk.append(row)
        if len(chunk) == size:
            yield _arrays(chunk)
            chunk = []
    if chunk:
        yield _arrays(chunk)


def _arrays(chunk: list[tuple[int, int, bytes]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pks = np.fromiter((pk for pk, _author, _signature in chunk), dtype=np.int64, count=len(chunk))
    authors = np.fromiter((author for _pk, author, _signature in chunk), dtype=np.int64, count=len(chunk))
    signatures = np.frombuffer(b"".join(bytes(signature) for *_rest, signature in chunk), dtype="<u4")
    return pks, authors, signatures.reshape(len(chunk), minhash.NUM_HASHES)


def _store_links(links: near_duplicates.Links) -> None:
    if not len(links):
        return
    # The index may still hold texts deleted since (an erased account's): no link to those.
    existing = set(
        ContentSignature.objects.filter(pk__in=set(links.earlier.tolist())).values_list("pk", flat=True)
    )
    NearDuplicateLink.objects.bulk_create(
        [
            NearDuplicateLink(earlier_id=earlier, later_id=later, shared_bands=shared, similarity=similarity)
            for earlier, later, shared, similarity in zip(
                links.earlier.tolist(), links.later.tolist(), links.shared.tolist(), links.similarity.tolist(),
                strict=True,
            )
            if earlier in existing
        ],
        ignore_conflicts=True,
    )  # fmt: skip


def index_new_texts() -> int:
    """Store the signatures of posts and comments not signed yet (the last TEXT_WINDOW); returns how many."""
    since = timezone.now() - TEXT_WINDOW
    last = {  # one index lookup each (the unique index on kind and object id), not a scan of the table
        kind: ContentSignature.objects.filter(kind=kind).aggregate(top=Max("object_id"))["top"]
        for kind in ContentSignature.Kind.values
    }
    stored = 0
    batch: list[tuple[str, int, int, object, str]] = []
    texts = social_bulk.texts_since(
        since, after_post=last.get("post") or 0, after_comment=last.get("comment") or 0
    )
    for row in texts:
        batch.append(row)
        if len(batch) >= SIGNATURE_BATCH:
            stored += _store_signatures(batch)
            batch = []
    return stored + _store_signatures(batch)


def _store_signatures(batch: list[tuple[str, int, int, object, str]]) -> int:
    if not batch:
        return 0
    signatures, long_enough = minhash.signatures([text for *_rest, text in batch])
    rows = [
        ContentSignature(
            kind=kind, object_id=pk, author_id=author, created_at=created_at,
            signature=signatures[i].astype("<u4").tobytes(),
        )
        for i, (kind, pk, author, created_at, _text) in enumerate(batch)
        if long_enough[i]
    ]  # fmt: skip
    ContentSignature.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def purge_old_signatures() -> int:
    """Delete the signatures (and their links) of texts older than the window and a day."""
    deleted, _by_model = ContentSignature.objects.filter(
        created_at__lt=timezone.now() - TEXT_WINDOW - timedelta(days=1)
    ).delete()
    return deleted


def near_duplicate_findings() -> list[Finding]:
    """The groups of linked texts of the last TEXT_WINDOW, by at least INTEGRITY_MIN_CLUSTER_SIZE accounts."""
    since = timezone.now() - TEXT_WINDOW
    rows = NearDuplicateLink.objects.filter(
        earlier__created_at__gte=since, later__created_at__gte=since
    ).values_list(
        "earlier_id", "later_id", "shared_bands", "similarity",
        "earlier__kind", "earlier__object_id", "earlier__author_id",
        "later__kind", "later__object_id", "later__author_id",
    )  # fmt: skip
    earlier, later, shared, similarity = [], [], [], []
    author_of: dict[int, int] = {}
    label_of: dict[int, str] = {}
    for first, second, bands, agree, *ends in rows.iterator(chunk_size=10000):
        earlier.append(first)
        later.append(second)
        shared.append(bands)
        similarity.append(agree)
        for pk, (kind, object_id, author) in ((first, ends[:3]), (second, ends[3:])):
            author_of[pk] = author
            label_of[pk] = f"{kind}:{object_id}"
    links = near_duplicates.Links(
        earlier=np.array(earlier, dtype=np.int64), later=np.array(later, dtype=np.int64),
        shared=np.array(shared, dtype=np.int64), similarity=np.array(similarity, dtype=np.float64),
    )  # fmt: skip
    return near_duplicates.findings_from_links(
        links, author_of=author_of, label_of=label_of, min_accounts=settings.INTEGRITY_MIN_CLUSTER_SIZE
    )
