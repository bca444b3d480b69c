"""`{% share_kit url title %}`: a personal link with a Copy button and plain share intents.

The caller passes the absolute link (carrying the sharer's referral code, read with the page by
`reach.queries.share_url` and friends): the tag itself reads and writes nothing.
"""

from __future__ import annotations

from django import template

from quartier.reach.share_intents import share_intents

register = template.Library()


@register.inclusion_tag("reach/share_kit.html")
def share_kit(
    url: str, title: str, label: str = "", field_id: str = "share-link", help_text: str = ""
) -> dict:
    return {
        "url": url,
        "label": label,
        "field_id": field_id,
        "help_text": help_text,
        "intents": share_intents(url, str(title)),
    }
