"""Journal kinds as people read them: a name for the action, and "5 gifts" / "1 comment" for a count.

Every kind the apps record (`accounts.activity.record_activity`) has a name here, reversals included
("Cancelled a monthly gift"); a kind added later and not named yet reads "Another action", so an
internal name (`donations.recurring_cancelled`) never reaches a page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

CREDITED = "credited:"
MONEY_KINDS = frozenset({"credited:donations.gift"})  # counted by money raised, not by number

NAMES = {
    "accounts.signup": _("Signed up"),
    "accounts.verified": _("Confirmed an email address"),
    "organizing.group_created": _("Started a group"),
    "organizing.group_joined": _("Joined a group"),
    "organizing.event_hosted": _("Hosted an event"),
    "organizing.rsvp": _("RSVPed to an event"),
    "organizing.rsvp_cancelled": _("Cancelled an RSVP"),
    "organizing.attended": _("Attended an event"),
    "reach.referral_signup": _("Signed up through a share link"),
    "donations.gift": _("Gave"),
    "donations.refund": _("Gift refunded"),
    "donations.recurring_started": _("Started a monthly gift"),
    "donations.recurring_cancelled": _("Cancelled a monthly gift"),
    "donations.page_created": _("Started a fundraising page"),
    "fieldwork.door": _("Knocked on a door"),
    "fieldwork.call": _("Made a call"),
    "social.post": _("Wrote a post"),
    "social.comment": _("Commented"),
    "social.message": _("Sent a message"),
    "outreach.sent": _("Emailed their network"),
    "credited:donations.gift": _("Money raised through my pages and links"),
    "credited:reach.referral_signup": _("People who signed up through my links"),
    "credited:organizing.rsvp": _("RSVPs through my links"),
    "credited:organizing.group_joined": _("People who joined a group through my links"),
    "credited:donations.recurring_started": _("Monthly gifts started through my pages and links"),
}
OTHER = pgettext_lazy("journal", "Another action")


# kind → count → words, with literal ngettext calls so that makemessages finds each plural form.
COUNTS: dict[str, Callable[[int], str]] = {
    "accounts.signup": lambda n: ngettext("%(count)s sign-up", "%(count)s sign-ups", n),
    "accounts.verified": lambda n: ngettext(
        "%(count)s email address confirmed", "%(count)s email addresses confirmed", n
    ),
    "organizing.group_created": lambda n: ngettext("%(count)s group started", "%(count)s groups started", n),
    "organizing.group_joined": lambda n: ngettext("%(count)s group joined", "%(count)s groups joined", n),
    "organizing.event_hosted": lambda n: ngettext("%(count)s event hosted", "%(count)s events hosted", n),
    "organizing.rsvp": lambda n: ngettext("%(count)s RSVP", "%(count)s RSVPs", n),
    "organizing.attended": lambda n: ngettext("%(count)s event attended", "%(count)s events attended", n),
    "reach.referral_signup": lambda n: ngettext(
        "%(count)s sign-up through a share link", "%(count)s sign-ups through a share link", n
    ),
    "donations.gift": lambda n: ngettext("%(count)s gift", "%(count)s gifts", n),
    "donations.recurring_started": lambda n: ngettext(
        "%(count)s monthly gift started", "%(count)s monthly gifts started", n
    ),
    "donations.page_created": lambda n: ngettext(
        "%(count)s fundraising page started", "%(count)s fundraising pages started", n
    ),
    "fieldwork.door": lambda n: ngettext("%(count)s door knocked", "%(count)s doors knocked", n),
    "fieldwork.call": lambda n: ngettext("%(count)s call made", "%(count)s calls made", n),
    "social.post": lambda n: ngettext("%(count)s post", "%(count)s posts", n),
    "social.comment": lambda n: ngettext("%(count)s comment", "%(count)s comments", n),
    "social.message": lambda n: ngettext("%(count)s message", "%(count)s messages", n),
    "outreach.sent": lambda n: ngettext("%(count)s email to my network", "%(count)s emails to my network", n),
    "credited:reach.referral_signup": lambda n: ngettext(
        "%(count)s person signed up through my links", "%(count)s people signed up through my links", n
    ),
    "credited:organizing.rsvp": lambda n: ngettext(
        "%(count)s RSVP through my links", "%(count)s RSVPs through my links", n
    ),
    "credited:organizing.group_joined": lambda n: ngettext(
        "%(count)s person joined a group through my links",
        "%(count)s people joined a group through my links",
        n,
    ),
    "credited:donations.recurring_started": lambda n: ngettext(
        "%(count)s monthly gift started through my links",
        "%(count)s monthly gifts started through my links",
        n,
    ),
}

# The actions a campaign can give points for, in the order the admin lists them.
WEIGHTABLE = [
    "fieldwork.door", "fieldwork.call", "organizing.attended", "organizing.event_hosted", "organizing.rsvp",
    "organizing.group_created", "organizing.group_joined", "donations.gift", "donations.recurring_started",
    "donations.page_created", "credited:donations.gift", "credited:reach.referral_signup",
    "credited:organizing.rsvp", "credited:organizing.group_joined", "social.post", "social.comment",
    "social.message", "outreach.sent", "accounts.verified",
]  # fmt: skip


def name(kind: str) -> str:
    """ "organizing.rsvp" → "RSVPed to an event", in the active language; never the kind itself."""
    return str(NAMES.get(kind, OTHER))


def count_words(kind: str, count: int) -> str:
    """ "donations.gift", 5 → "5 gifts"; "social.comment", 1 → "1 comment" (plural forms of the language)."""
    words = COUNTS.get(kind) or (lambda n: ngettext("%(count)s other action", "%(count)s other actions", n))
    return words(count) % {"count": count}
