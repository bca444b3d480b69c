"""How much the site trusts a supporter's account, as a coarse level, for limits and ordering.

The reputation itself (trust propagated from staff and people met in person over the trust graph)
belongs to `integrity`, which registers its reader here from `IntegrityConfig.ready()`; apps below
it (social: first-contact limits, posting rates, the moderation queue's order) ask this module, so
that no app imports integrity. The level is never shown to anyone: it only tunes limits and order.
Without a provider (or before the first computation) every account is `NEUTRAL`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from typing import Any

TrustProvider = Callable[[list[int]], dict[int, "TrustLevel"]]
# Called once a signup is complete with the new supporter, the client's address and user agent.
SignupObserver = Callable[[Any, "str | None", str], None]


class TrustLevel(enum.StrEnum):
    LOW = "low"  # no trust reached the account from the seeds: the limits for new accounts apply
    NEUTRAL = "neutral"  # the ordinary limits
    HIGH = "high"  # well connected to people met in person: looser limits, reports read first


_providers: list[TrustProvider] = []


def register_trust_provider(provider: TrustProvider) -> None:
    """Install the function that maps supporter ids to levels (ids it does not know: left out)."""
    if provider not in _providers:
        _providers.append(provider)


def trust_levels(supporter_ids: Iterable[int]) -> dict[int, TrustLevel]:
    """The level of each id, NEUTRAL when no provider knows it (one query per provider)."""
    ids = sorted({pk for pk in supporter_ids if pk is not None})
    levels = dict.fromkeys(ids, TrustLevel.NEUTRAL)
    for provider in _providers:
        levels.update({pk: level for pk, level in provider(ids).items() if pk in levels})
    return levels


def trust_level(supporter_id: int | None) -> TrustLevel:
    if supporter_id is None:
        return TrustLevel.NEUTRAL
    return trust_levels([supporter_id])[supporter_id]


_signup_observers: list[SignupObserver] = []


def register_signup_observer(observer: SignupObserver) -> None:
    """Integrity records a salted fingerprint of each signup (network, browser family, email shape)."""
    if observer not in _signup_observers:
        _signup_observers.append(observer)


def signup_observed(supporter: Any, *, ip_address: str | None, user_agent: str) -> None:
    for observer in _signup_observers:
        observer(supporter, ip_address, user_agent)
