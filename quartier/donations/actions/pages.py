"""Personal fundraising pages and teams."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils.text import slugify

from quartier.accounts.activity import record_activity
from quartier.accounts.models import Supporter
from quartier.donations import compliance
from quartier.donations.models import (
    FundraisingPage,
    Team,
)
from quartier.lib.page_cache import bump, stamp
from quartier.lib.text import render_markdown
from quartier.reach.actions import referral_code_for


@dataclass(frozen=True)
class PageDraft:
    title: str
    story: str
    goal_minor: int
    event: object = None
    team: Team | None = None


def _unique_slug(model, text: str) -> str:
    base = slugify(text)[:60] or "page"
    slug = base
    while model.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


@transaction.atomic
def create_page(*, owner: Supporter, draft: PageDraft) -> FundraisingPage:
    page = FundraisingPage.objects.create(
        owner=owner, slug=_unique_slug(FundraisingPage, draft.title), title=draft.title.strip(),
        story=draft.story, story_html=render_markdown(draft.story), goal_minor=draft.goal_minor,
        currency=compliance.campaign_currency(), event=draft.event, team=draft.team,
    )  # fmt: skip
    referral_code_for(owner)  # the page's share link carries it: made now, not on a visitor's first view
    record_activity(
        "donations.page_created", supporter=owner, key=f"page:{page.pk}", detail={"page": page.pk},
        group_id=None,
    )  # fmt: skip
    return page


@transaction.atomic
def update_page(*, page: FundraisingPage, draft: PageDraft) -> FundraisingPage:
    page.title = draft.title.strip()
    page.story = draft.story
    page.story_html = render_markdown(draft.story)
    page.goal_minor = draft.goal_minor
    page.team = draft.team
    page.event = draft.event
    page.save(update_fields=["title", "story", "story_html", "goal_minor", "team", "event"])
    bump(stamp("fundraising", page.pk))
    return page


def set_page_photo(*, page: FundraisingPage, upload, alt: str) -> FundraisingPage:
    """The page's photo, re-encoded whole (its shape kept within 3:1, `lib.images`), with its description."""
    from django.core.files.base import ContentFile

    from quartier.lib import images

    data = images.reencode_image(upload, size=1200, keep_shape=True)
    old = page.photo.name if page.photo else ""
    page.photo_alt = alt.strip()
    page.photo.save(f"{page.slug}-{secrets.token_hex(4)}.webp", ContentFile(data), save=False)
    page.save(update_fields=["photo", "photo_width", "photo_height", "photo_alt"])
    bump(stamp("fundraising", page.pk))
    if old:
        storage = page.photo.storage
        transaction.on_commit(lambda: storage.delete(old))
    return page


@transaction.atomic
def set_photo_alt(*, page: FundraisingPage, alt: str) -> None:
    FundraisingPage.objects.filter(pk=page.pk).update(photo_alt=alt.strip())
    page.photo_alt = alt.strip()


@transaction.atomic
def set_page_status(*, page: FundraisingPage, status: str) -> None:
    FundraisingPage.objects.filter(pk=page.pk).update(status=status)
    bump(stamp("fundraising", page.pk))


@transaction.atomic
def create_team(*, captain: Supporter, name: str) -> Team:
    return Team.objects.create(captain=captain, name=name.strip(), slug=_unique_slug(Team, name))
