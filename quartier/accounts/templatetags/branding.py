"""`{% campaign_brand as brand %}`: the campaign's branding in templates rendered without a request
(email), with `brand_logo_url` the logo's absolute address (mail is read elsewhere)."""

from __future__ import annotations

from django import template

from quartier.accounts import branding
from quartier.lib.urls import absolute_url

register = template.Library()


@register.simple_tag
def campaign_brand() -> branding.Brand:
    return branding.current()


@register.filter
def absolute(path: str) -> str:
    """A site path as an address that works from a mailbox ("" stays "")."""
    return absolute_url(path) if path else ""
