"""The sentence a moderator reads for each finding, written from its evidence in their language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


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
