"""The verification badges: what each proves and what it does not, and which a supporter shows.

A badge is a bit of `Supporter.shown_badges` (earned and not hidden by the supporter), so that a list
of names shows them with no query; `verification.refresh_badges` recomputes it from the rows that back
each badge. The explanations are written once, here, for the tooltips and the explanation page.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntFlag

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Badge(IntFlag):
    EMAIL = 1
    PHONE = 2
    IN_PERSON = 4
    DONOR = 8
    VOUCHED = 16


@dataclass(frozen=True)
class BadgeInfo:
    badge: Badge
    slug: str
    symbol: str  # a short sign shown next to names; the label is its tooltip and screen-reader text
    label: Promise
    proves: Promise
    does_not_prove: Promise


BADGES: tuple[BadgeInfo, ...] = (
    BadgeInfo(
        Badge.EMAIL, "email", "@", _("Email verified"),
        _("The person received a message at their email address and opened the link in it."),
        _("Not who they are: anyone can create an email address."),
    ),
    BadgeInfo(
        Badge.PHONE, "phone", "☎", _("Phone verified"),
        _("The person received a code by text message at a phone number and typed it in. One number "
          "verifies one account only."),
        _("Not their name: a phone number can be bought or borrowed. We never show the number."),
    ),
    BadgeInfo(
        Badge.IN_PERSON, "in_person", "✋", _("Met in person"),
        _("The host of a campaign event checked this person in at the door: someone of the campaign "
          "saw them there."),
        _("Not that the host checked an identity document, nor what the person thinks."),
    ),
    BadgeInfo(
        Badge.DONOR, "donor", "♥", _("Donor"),
        _("The person gave to the campaign with a card whose billing name and postal code match their "
          "profile. Shown only if they choose to show it."),
        _("Not how much they gave, nor that they still give."),
    ),
    BadgeInfo(
        Badge.VOUCHED, "vouched", "✓", _("Vouched by a leader"),
        _("A group leader or a member of the campaign staff says they know this person to be who they "
          "say they are."),
        _("Not that the campaign endorses what they write."),
    ),
)  # fmt: skip

BY_SLUG = {info.slug: info for info in BADGES}
EVERY_BADGE = Badge(sum(info.badge for info in BADGES))


def shown(bits: int) -> list[BadgeInfo]:
    """The badges of a `shown_badges` value, in the order of `BADGES`."""
    return [info for info in BADGES if bits & info.badge]
