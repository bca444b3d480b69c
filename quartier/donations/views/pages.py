"""Personal fundraising pages: list, page, create, edit, teams, and email to one's own network."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from quartier.accounts import branding
from quartier.accounts.access import verified_supporter_required
from quartier.donations import access, compliance, queries
from quartier.donations.actions import pages as pages_actions
from quartier.donations.forms import (
    NetworkEmailForm,
    PageForm,
    clean_refcode,
)
from quartier.donations.models import FundraisingPage
from quartier.donations.views.common import _decimal, _language, _money
from quartier.lib.images import ImageRejected
from quartier.lib.page_cache import cached_anonymous_page, stamp
from quartier.reach.queries import share_url, share_url_with_code


def _with_refcode(path: str, raw: object) -> str:
    """Carry a visitor's `?refcode=` from a page to its donation form, so the gift is credited to it."""
    refcode = clean_refcode(raw)
    return f"{path}?refcode={refcode}" if refcode else path


def fundraising_home(request: HttpRequest) -> HttpResponse:
    mine = queries.my_pages(request.user)[:10] if request.user.is_authenticated else []
    return render(
        request, "donations/fundraising_home.html", {"leaders": queries.leaderboard(), "mine": mine}
    )


def page_detail(request: HttpRequest, slug: str) -> HttpResponse:
    page = access.get_visible_page(request.user, slug, pages=queries.pages_to_show())
    context = {
        "page": page,
        "raised": _money(page.total_minor, page.currency),
        "goal": _money(page.goal_minor, page.currency),
        "honour_roll": [
            dict(row, amount=_money(row["amount_minor"], row["currency"]))
            for row in queries.honour_roll(page)
        ],
        "owner_view": access.owns(request.user, page),
        "give_url": _with_refcode(
            reverse("donations:page_donate", args=[page.slug]), request.GET.get("refcode")
        ),
        "email_url": reverse("donations:page_email", args=[page.slug])
        if access.owns(request.user, page)
        else "",
        "share": share_url_with_code(page.get_absolute_url(), page.owner_referral_code) + "&refcode=share",
    }
    # Anonymous visitors share one rendering until the page (its total, gifts, status: `fundraising:<id>`),
    # its owner or its team changes.
    return cached_anonymous_page(
        request, lambda: render(request, "donations/page_detail.html", context),
        depends_on=lambda: [stamp("fundraising", page.pk), stamp("supporter", page.owner_id), stamp("team", page.team_id), stamp("event", page.event_id)],
    )  # fmt: skip


def _page_draft(form: PageForm, request: HttpRequest):
    data = form.cleaned_data
    team = data.get("team")
    if not team and (data.get("new_team") or "").strip():
        team = pages_actions.create_team(captain=request.user, name=data["new_team"])
    return pages_actions.PageDraft(
        title=data["title"], story=data["story"], goal_minor=data["goal"], event=data.get("event"), team=team
    )


def _save_photo(request: HttpRequest, form: PageForm, page: FundraisingPage) -> bool:
    upload = form.cleaned_data.get("photo")
    alt = form.cleaned_data.get("photo_alt") or ""
    if not upload:
        if page.photo and alt.strip() != page.photo_alt:
            pages_actions.set_photo_alt(page=page, alt=alt)
        return True
    try:
        pages_actions.set_page_photo(page=page, upload=upload, alt=alt)
    except ImageRejected as error:
        if error.code == "bad_shape":
            messages.error(
                request,
                _(
                    "This photo is too long or too tall: its longer side may be at most three times its shorter side."
                ),
            )
        else:
            messages.error(
                request, _("This photo could not be used: send a JPEG, PNG or WebP image under 5 MB.")
            )
        return False
    return True


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def page_create(request: HttpRequest) -> HttpResponse:
    currency = compliance.campaign_currency()
    initial = {}
    if request.GET.get("event", "").isdigit():
        initial["event"] = int(request.GET["event"])
    form = PageForm(request.POST or None, request.FILES or None, currency=currency, initial=initial)
    if request.method == "POST" and form.is_valid():
        page = pages_actions.create_page(owner=request.user, draft=_page_draft(form, request))
        _save_photo(request, form, page)
        messages.success(request, _("Your page is live. Share it, or email your friends from it."))
        return redirect(page.get_absolute_url())
    return render(
        request, "donations/page_form.html", {"form": form, "page": None}, status=400 if form.errors else 200
    )


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def page_edit(request: HttpRequest, slug: str) -> HttpResponse:
    page = access.get_page_for_owner(request.user, slug)
    initial = {
        "title": page.title,
        "story": page.story,
        "goal": _decimal(page.goal_minor).removesuffix(".00"),
        "team": page.team_id,
        "event": page.event_id,
        "photo_alt": page.photo_alt,
    }
    form = PageForm(
        request.POST or None, request.FILES or None, currency=page.currency, initial=initial,
        has_photo=bool(page.photo),
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        pages_actions.update_page(page=page, draft=_page_draft(form, request))
        _save_photo(request, form, page)
        messages.success(request, _("Your page is saved."))
        return redirect(page.get_absolute_url())
    return render(
        request, "donations/page_form.html", {"form": form, "page": page}, status=400 if form.errors else 200
    )


def team_detail(request: HttpRequest, slug: str) -> HttpResponse:
    team = access.get_visible_team(request.user, slug)
    totals = queries.team_totals(team)
    currency = compliance.campaign_currency()
    return render(
        request, "donations/team_detail.html",
        {"team": team, "pages": queries.team_pages(team), "raised": _money(totals["total"], currency),
         "goal": _money(totals["goal"], currency), "gifts": totals["gifts"],
         "percent": min(100, totals["total"] * 100 // totals["goal"]) if totals["goal"] else 0},
    )  # fmt: skip


def _page_source(page: FundraisingPage) -> str:
    return f"fundraising-page:{page.pk}"


def page_link_for_email(page: FundraisingPage) -> str:
    """The page's share link carrying the owner's referral code and the `email` refcode (no pixel)."""
    return share_url(page.get_absolute_url(), page.owner) + "&refcode=email"


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def page_email(request: HttpRequest, slug: str) -> HttpResponse:
    from quartier.outreach.actions import personal_email as outreach_personal_email

    page = access.get_page_for_owner(request.user, slug)
    if page.status != FundraisingPage.Status.ACTIVE:
        raise Http404
    initial = {
        "subject": _("Will you help me reach my goal? %(title)s") % {"title": page.title},
        "body": _("Hello,\n\nI am raising money for %(site)s: %(goal)s by the end of the campaign. "
                  "A gift of any size makes a difference. Thank you!\n\n%(name)s") % {
            "site": branding.current().name, "goal": _money(page.goal_minor, page.currency), "name": request.user.display_name},
    }  # fmt: skip
    form = NetworkEmailForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        result = outreach_personal_email.send_personal_email(
            sender=request.user, addresses=form.cleaned_data["found"], subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"], link_url=page_link_for_email(page), source=_page_source(page),
            language=_language(),
        )  # fmt: skip
        counts = {
            name: len(getattr(result, name))
            for name in ("accepted", "suppressed", "invalid", "over_limit", "duplicates")
        }
        request.session[f"donations.email.{result.message.pk}"] = counts
        return redirect("donations:page_email_progress", slug=page.slug, message_id=result.message.pk)
    left = outreach_personal_email.personal_sends_left_today(request.user)
    return render(
        request,
        "donations/page_email.html",
        {"page": page, "form": form, "left": left, "link": page_link_for_email(page)},
        status=400 if form.errors else 200,
    )


@verified_supporter_required
def page_email_progress(request: HttpRequest, slug: str, message_id: int) -> HttpResponse:
    from quartier.outreach import queries as outreach_queries

    page = access.get_page_for_owner(request.user, slug)
    message = access.get_own_page_message(request.user, message_id, source=_page_source(page))
    progress = outreach_queries.message_progress(message)
    context = {"page": page, "message": message, "progress": progress, "counts": request.session.get(f"donations.email.{message.pk}", {}),
               "done": progress["queued"] == 0}  # fmt: skip
    template = (
        "donations/_email_progress.html"
        if request.headers.get("HX-Request")
        else "donations/page_email_progress.html"
    )
    return render(request, template, context)
