"""`{% notification_link notification %}`: where a notification leads."""

from __future__ import annotations

from django import template

from quartier.social.emails import link_of

register = template.Library()


@register.simple_tag
def notification_link(notification) -> str:
    return link_of(notification)
