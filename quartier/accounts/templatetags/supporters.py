"""`{% supporter_name supporter link=True %}`: a person's name with the campaign's transparency label
and the verification badges the person shows.

Every page that shows a person uses this one tag, so that a staff, paid or ambassador label always
follows the name, and the badges with it. It is written in Python because lists show it many times
per page; the badges come from `Supporter.shown_badges` on the row already loaded (no query: a loader
that left the column out with `.only()` shows the name without badges rather than read it again).
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from quartier.accounts.badges import shown

register = template.Library()


@register.simple_tag
def supporter_name(supporter, link: bool = False) -> SafeString:
    name = supporter.display_name or _("Deleted supporter")
    if link and supporter.handle and supporter.is_active and supporter.display_name:
        shown_name = format_html(
            '<a href="{}">{}</a>', reverse("accounts:profile", args=[supporter.handle]), name
        )
    else:
        shown_name = format_html("{}", name)
    label = supporter.transparency_label
    badges = badge_marks(supporter)
    if not label:
        return format_html('<span class="supporter-name">{}{}</span>', shown_name, badges)
    return format_html(
        '<span class="supporter-name">{} <span class="label label-{}" title="{}">{}</span>{}</span>',
        shown_name,
        label,
        _("Set by the campaign: this person speaks for or is paid by it."),
        supporter.get_transparency_label_display(),
        badges,
    )


def badge_marks(supporter) -> SafeString:
    """The badges as small signs, each named for screen readers and explained on hover, one link to
    the page that says what each proves and what it does not."""
    deferred = supporter.get_deferred_fields() if hasattr(supporter, "get_deferred_fields") else set()
    bits = 0 if "shown_badges" in deferred else (getattr(supporter, "shown_badges", 0) or 0)
    if not bits or not supporter.is_active:
        return mark_safe("")
    infos = shown(bits)
    return format_html(
        ' <a class="badges" href="{}" title="{}">{}</a>',
        reverse("accounts:badges"),
        ", ".join(str(info.label) for info in infos),
        format_html_join(
            "",
            '<span class="badge badge-{}" role="img" aria-label="{}">{}</span>',
            ((info.slug, info.label, info.symbol) for info in infos),
        ),
    )


@register.inclusion_tag("accounts/_profile_badges.html")
def profile_badges(supporter) -> dict[str, object]:
    """The profile's list of badges, each named with what it proves (the explanation page says more)."""
    bits = supporter.shown_badges if supporter.is_active else 0
    return {"badges": shown(bits)}


def disclosure(supporter) -> SafeString:
    """The sentence a post by a labelled author carries: who the author is to the campaign, with a link
    to the page listing everyone the campaign labels. Empty for everyone else."""
    from quartier.accounts.models import Affiliation

    sentences = {
        Affiliation.STAFF: _("Disclosure: the author works for the campaign."),
        Affiliation.PAID: _("Disclosure: the campaign pays the author."),
        Affiliation.AMBASSADOR: _(
            "Disclosure: the author is a campaign ambassador and may receive material or expenses from it."
        ),
    }
    sentence = sentences.get(supporter.transparency_label)
    if sentence is None:
        return mark_safe("")
    return format_html(
        '<p class="disclosure muted" role="note">{} <a href="{}">{}</a></p>',
        sentence,
        reverse("integrity:transparency"),
        _("Who works for the campaign"),
    )
