"""`{% supporter_name supporter link=True %}`: a person's name with the campaign's transparency label.

Every page that shows a person uses this one tag, so that a staff, paid or ambassador label always
follows the name. It is written in Python because lists show it many times per page.
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def supporter_name(supporter, link: bool = False) -> SafeString:
    name = supporter.display_name or _("Deleted supporter")
    if link and supporter.handle and supporter.is_active and supporter.display_name:
        shown = format_html('<a href="{}">{}</a>', reverse("accounts:profile", args=[supporter.handle]), name)
    else:
        shown = format_html("{}", name)
    label = supporter.transparency_label
    if not label:
        return format_html('<span class="supporter-name">{}</span>', shown)
    return format_html(
        '<span class="supporter-name">{} <span class="label label-{}" title="{}">{}</span></span>',
        shown,
        label,
        _("Set by the campaign: this person speaks for or is paid by it."),
        supporter.get_transparency_label_display(),
    )
