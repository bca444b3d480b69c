"""Who was checked in at which event, in bulk: the in-person edges of integrity's trust graph."""

from __future__ import annotations

from collections.abc import Iterator

from quartier.organizing.models import Rsvp


def checked_in_rows() -> Iterator[tuple[int, int, int]]:
    """(event id, host id, supporter id) for every RSVP its host marked present, streamed."""
    return (
        Rsvp.objects.filter(attended=True)
        .values_list("shift__event_id", "shift__event__host_id", "supporter_id")
        .order_by()
        .iterator(chunk_size=5000)
    )
