"""Unsubscribe tokens: the only way a view learns whom an unsubscribe link is for.

A token is `django.core.signing` over (supporter id, audience) with its own salt. It does not expire:
a link in a message from last year must still work. Whoever holds the link can unsubscribe that
person from that audience, and nothing else; the page never shows who the person is.

A personal message goes to a plain address, not a supporter: its token is signed over the address
(another salt), and unsubscribing puts the address on the global suppression list. The page shows
the address (its owner is the one who received it).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.http import Http404
from django.urls import reverse

from quartier.accounts.models import Supporter, validate_audience
from quartier.lib.urls import absolute_url
from quartier.outreach.models import ADDRESS_MAX_LENGTH, TOPICS, Message

UNSUBSCRIBE_SALT = "outreach.unsubscribe"
ADDRESS_UNSUBSCRIBE_SALT = "outreach.unsubscribe-address"


@dataclass(frozen=True)
class UnsubscribeTarget:
    supporter: Supporter
    audience: str
    message_id: int | None = None  # the message whose link it was (for its statistics)


def unsubscribe_token(supporter: Supporter, audience: str, *, message_id: int | None = None) -> str:
    payload: list = [supporter.pk, validate_audience(audience)]
    if message_id is not None:
        payload.append(message_id)
    return signing.dumps(payload, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(supporter: Supporter, audience: str, *, message_id: int | None = None) -> str:
    """The absolute one-click unsubscribe address, for emails (`SITE_URL` + path)."""
    token = unsubscribe_token(supporter, audience, message_id=message_id)
    return absolute_url(reverse("outreach:unsubscribe", args=[token]))


def get_unsubscribe_target(token: str) -> UnsubscribeTarget:
    """Who and what a token is about; 404 for a forged, damaged or unknown one."""
    try:
        supporter_id, audience, *rest = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        validate_audience(audience)
    except (signing.BadSignature, ValueError, TypeError):
        raise Http404 from None
    message_id = rest[0] if len(rest) == 1 else None
    if not isinstance(supporter_id, int) or len(rest) > 1 or not isinstance(message_id, int | None):
        raise Http404
    supporter = Supporter.objects.filter(pk=supporter_id).first()
    if supporter is None:
        raise Http404
    return UnsubscribeTarget(supporter=supporter, audience=audience, message_id=message_id)


def address_unsubscribe_token(address: str) -> str:
    return signing.dumps(address, salt=ADDRESS_UNSUBSCRIBE_SALT, compress=True)


def address_unsubscribe_url(address: str) -> str:
    """The absolute one-click link that puts `address` on the suppression list."""
    return absolute_url(reverse("outreach:unsubscribe_address", args=[address_unsubscribe_token(address)]))


def get_address_to_unsubscribe(token: str) -> str:
    """The address a token is for; 404 for a forged or damaged one."""
    try:
        address = signing.loads(token, salt=ADDRESS_UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise Http404 from None
    if not isinstance(address, str) or not address or len(address) > ADDRESS_MAX_LENGTH:
        raise Http404
    return address


def is_staff(user: object) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_staff and user.is_active)


def get_staff_message(user: object, message_id: int) -> Message:
    """A campaign message (one written at `/organize/email/`) for a staff member; 404 for anyone else."""
    if not is_staff(user):
        raise Http404
    message = Message.objects.filter(pk=message_id, audience__in=list(TOPICS)).first()
    if message is None:
        raise Http404
    return message


def get_staff_text(user: object, message_id: int) -> Message:
    """A campaign text (one written at `/organize/sms/`) for a staff member; 404 for anyone else."""
    message = get_staff_message(user, message_id)
    if message.channel != Message.Channel.SMS:
        raise Http404
    return message


PREFERENCES_SALT = "outreach.preferences"
CONFIRM_SALT = "outreach.confirm-topic"
CONFIRM_MAX_AGE = 7 * 24 * 3600


def preferences_token(supporter: Supporter) -> str:
    return signing.dumps(supporter.pk, salt=PREFERENCES_SALT)


def preferences_url(supporter: Supporter) -> str:
    """The signed link to a supporter's email preferences, usable without signing in (every email has it)."""
    return absolute_url(reverse("outreach:preferences", args=[preferences_token(supporter)]))


def get_preferences_supporter(token: str) -> Supporter:
    try:
        supporter_id = signing.loads(token, salt=PREFERENCES_SALT)
    except signing.BadSignature:
        raise Http404 from None
    supporter = (
        Supporter.objects.filter(pk=supporter_id, is_active=True, deleted_at__isnull=True).first()
        if isinstance(supporter_id, int)
        else None
    )
    if supporter is None:
        raise Http404
    return supporter


def confirm_token(supporter: Supporter, topic: str) -> str:
    return signing.dumps([supporter.pk, topic], salt=CONFIRM_SALT)


def get_topic_to_confirm(token: str) -> tuple[Supporter, str] | None:
    """(supporter, topic) of a double opt-in link, or None when it is forged or older than a week."""
    from quartier.outreach.models import TOPICS

    try:
        supporter_id, topic = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if topic not in TOPICS or not isinstance(supporter_id, int):
        return None
    supporter = Supporter.objects.filter(pk=supporter_id, is_active=True, deleted_at__isnull=True).first()
    return (supporter, topic) if supporter else None
