"""What every social write shares: the error type, the check that an account may write, a per-person lock."""

from __future__ import annotations

from datetime import timedelta

from quartier.accounts.models import Supporter
from quartier.social.models import (
    ModerationAction,
)
from quartier.social.queries import visibility as visibility_queries

# A second identical submission within this time is the same one (a double click, a retried request).
SAME_SUBMISSION_WINDOW = timedelta(seconds=30)


class SocialError(Exception):
    """A refused write; `code` names why (see `views.ERRORS` for the messages people see)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _check_may_write(supporter: Supporter) -> None:
    if not supporter.is_verified:
        raise SocialError("unverified")
    sanction = visibility_queries.sanction_of(supporter)
    if sanction is not None:
        raise SocialError("banned" if sanction.kind == ModerationAction.Kind.BAN else "suspended")


def _lock(supporter: Supporter) -> None:
    """Serialises one supporter's writes, so that limits are counted exactly under double clicks."""
    Supporter.objects.select_for_update().only("pk").get(pk=supporter.pk)
