"""Unsubscribe tokens: the only way a view learns whom an unsubscribe link is for.

A token is `django.core.signing` over (supporter id, audience) with its own salt. It does not expire:
a link in a message from last year must still work. Whoever holds the link can unsubscribe that
person from that audience, and nothing else; the page never shows who the person is.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.http import Http404
from django.urls import reverse

from quartier.accounts.models import Supporter
from quartier.lib.urls import absolute_url
from quartier.outreach.models import validate_audience

UNSUBSCRIBE_SALT = "outreach.unsubscribe"


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
