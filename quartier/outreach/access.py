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

from quartier.accounts.models import Supporter
from quartier.lib.urls import absolute_url
from quartier.outreach.models import ADDRESS_MAX_LENGTH, validate_audience

UNSUBSCRIBE_SALT = "outreach.unsubscribe"
ADDRESS_UNSUBSCRIBE_SALT = "outreach.unsubscribe-address"


@dataclass(frozen=True)
class UnsubscribeTarget:
    supporter: Supporter
    audience: str


def unsubscribe_token(supporter: Supporter, audience: str) -> str:
    return signing.dumps([supporter.pk, validate_audience(audience)], salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(supporter: Supporter, audience: str) -> str:
    """The absolute one-click unsubscribe address, for emails (`SITE_URL` + path)."""
    return absolute_url(reverse("outreach:unsubscribe", args=[unsubscribe_token(supporter, audience)]))


def get_unsubscribe_target(token: str) -> UnsubscribeTarget:
    """Who and what a token is about; 404 for a forged, damaged or unknown one."""
    try:
        supporter_id, audience = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        validate_audience(audience)
    except (signing.BadSignature, ValueError, TypeError):
        raise Http404 from None
    if not isinstance(supporter_id, int):
        raise Http404
    supporter = Supporter.objects.filter(pk=supporter_id).first()
    if supporter is None:
        raise Http404
    return UnsubscribeTarget(supporter=supporter, audience=audience)


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
