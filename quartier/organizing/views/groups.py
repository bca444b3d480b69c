"""Local groups: search, create, join, leaders' and staff tools."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from quartier.accounts.access import verified_supporter_required
from quartier.accounts.adapter import client_ip
from quartier.lib.page_cache import cached_anonymous_page, cached_fragment, stamp
from quartier.organizing import access
from quartier.organizing.actions import common as common_actions
from quartier.organizing.actions import groups as groups_actions
from quartier.organizing.forms.fields import LEADER_CONSENT_WORDING
from quartier.organizing.forms.groups import GroupForm, JoinGroupForm, MergeGroupForm
from quartier.organizing.forms.search import SearchForm
from quartier.organizing.models import Group, Membership
from quartier.organizing.queries import groups as groups_queries
from quartier.organizing.queries import search as search_queries
from quartier.organizing.views.common import (
    csv_response,
    distance_unit,
    event_stamps,
    language,
    map_centre,
    message_page,
    near_from,
    next_change,
    page_number,
    page_share_url,
    rule_message,
    search_defaults,
    search_stamps,
    with_distances,
    with_paths,
)
from quartier.reach import actions as reach_actions
from quartier.reach.queries import referrer_from


def group_search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(search_defaults(request))
    near = near_from(request, form)
    unit = distance_unit(request, form)
    result_page = None if form.errors else search_queries.search_groups(near=near, page=page_number(request))
    results = with_distances(result_page.results, unit) if result_page else []
    with_paths(results, "organizing:group", "slug")
    # A group's point is its area's (a postal code's centroid, or what its leader typed): public,
    # but the map rounds it to the same grid as attendee-only events all the same.
    map_points = [
        {"lat": round(group.latitude, 2), "lon": round(group.longitude, 2), "title": group.name,
         "town": group.town or group.area, "url": group.path}
        for group, _distance in results
    ]  # fmt: skip
    featured = [] if near or form.errors else search_queries.featured_groups()
    return cached_anonymous_page(
        request,
        lambda: render(
            request,
            "organizing/group_search.html",
            {
                "form": form,
                "results": results,
                "page": result_page,
                "unit": unit,
                "near": near,
                "map_points": map_points,
                "map_centre": map_centre(form, near),
                "featured": featured,
            },
        ),
        depends_on=lambda: [
            *search_stamps("groups", results),
            *(stamp("group", group.pk) for group in featured),
        ],
    )


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def group_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = GroupForm(request.POST)
        if form.is_valid():
            group = groups_actions.create_group(creator=request.user, draft=form.to_draft())
            messages.success(request, _("Your group is ready. Invite people near you with its link."))
            return redirect(group)
    else:
        form = GroupForm(initial={"country": request.user.country, "postal_code": request.user.postal_code})
    return render(request, "organizing/group_form.html", {"form": form}, status=400 if form.errors else 200)


def group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The group's head and the viewer's part (their membership, read with the group in one query), and
    its lists of events and members (`group_lists`), cached for signed-in viewers who see them as anyone
    does."""
    group = access.get_group_head(request.user, slug)
    if group.status == Group.Status.MERGED and group.merged_into_id:
        return redirect(group.merged_into)
    reach_actions.remember_referral(request)
    membership = group.viewer_membership
    is_staff = access.is_staff(request.user)
    is_leader = is_staff or bool(membership and membership.leads)
    context = {
        "group": group,
        "membership": membership,
        "is_leader": is_leader,
        "changes_roles": is_staff
        or bool(membership and membership.leads and membership.role == Membership.Role.LEADER),
        "join_form": JoinGroupForm(),
        "share_link": page_share_url(request, group),
        "viewer": request.user,
    }
    shown: dict[str, list] = {"members": [], "events": []}

    def render_lists() -> str:
        shown["members"] = (
            groups_queries.members(group) if is_leader else groups_queries.listed_members(group, request.user)
        )
        shown["events"] = groups_queries.upcoming_group_events(group)
        return render_to_string("organizing/_group_lists.html", {**context, **shown}, request=request)

    def depends_on() -> list[str | None]:
        return [
            stamp("group", group.pk),
            *(stamp("supporter", membership.supporter_id) for membership in shown["members"]),
            *(name for event in shown["events"] for name in event_stamps(event)),
        ]

    def render_page() -> HttpResponse:
        if sees_lists_as_anyone(request, membership, is_leader=is_leader):
            lists = cached_fragment(
                request, f"group:{group.pk}:lists", render_lists, depends_on=depends_on,
                fresh_until=lambda: next_change(shown["events"]),
            )  # fmt: skip
        else:
            lists = mark_safe(render_lists())  # noqa: S308 - the template escapes what it shows
        return render(request, "organizing/group_detail.html", {**context, "lists": lists})

    return cached_anonymous_page(
        request, render_page, depends_on=depends_on, fresh_until=lambda: next_change(shown["events"])
    )


def sees_lists_as_anyone(request: HttpRequest, membership: Membership | None, *, is_leader: bool) -> bool:
    """Whether the viewer sees a group's events and members as any signed-in supporter does: not its
    leaders or staff (every membership, with their tools), not an active member the public list leaves
    out (`listed_members` adds the viewer), and not an anonymous visitor (whose whole page is cached,
    with the stamps of what the lists show)."""
    viewer = request.user
    if not viewer.is_authenticated or is_leader:
        return False
    if membership is None or membership.status != Membership.Status.ACTIVE:
        return True
    return bool(
        membership.is_listed and viewer.email_verified_at and viewer.is_active and not viewer.deleted_at
    )


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def group_edit(request: HttpRequest, slug: str) -> HttpResponse:
    group = access.get_group_for_leader(request.user, slug)
    if request.method == "POST":
        form = GroupForm(request.POST)
        if form.is_valid():
            groups_actions.update_group(group=group, draft=form.to_draft())
            messages.success(request, _("The group is saved."))
            return redirect(group)
    else:
        form = GroupForm(
            initial={
                "name": group.name, "area": group.area, "description": group.description, "country": group.country,
                "postal_code": group.postal_code, "join_policy": group.join_policy,
                "coordinates": "" if group.postal_code else f"{group.latitude}, {group.longitude}",
            }
        )  # fmt: skip
    return render(
        request,
        "organizing/group_form.html",
        {"form": form, "group": group},
        status=400 if form.errors else 200,
    )


@require_POST
@verified_supporter_required
def group_join(request: HttpRequest, slug: str) -> HttpResponse:
    group = access.get_visible_group(request.user, slug)
    form = JoinGroupForm(request.POST)
    form.is_valid()
    try:
        membership = groups_actions.join_group(
            supporter=request.user,
            group=group,
            accepts_messages=bool(form.cleaned_data.get("accepts_messages")),
            is_listed=bool(form.cleaned_data.get("is_listed")),
            consent_wording=str(LEADER_CONSENT_WORDING),
            language=language(),
            ip_address=client_ip(request),
            referrer=referrer_from(request),
        )
    except common_actions.OrganizingError as error:
        messages.error(request, rule_message(error.code))
    else:
        if membership.status == Membership.Status.PENDING:
            messages.info(request, _("Your request is sent: a leader will approve it."))
        else:
            messages.success(request, _("Welcome to the group!"))
    return redirect(group)


@require_POST
@login_required
def group_leave(request: HttpRequest, slug: str) -> HttpResponse:
    group = access.get_visible_group(request.user, slug)
    try:
        groups_actions.leave_group(supporter=request.user, group=group)
    except common_actions.OrganizingError as error:
        messages.error(request, rule_message(error.code))
    else:
        messages.success(request, _("You left the group."))
    return redirect(group)


@require_POST
@verified_supporter_required
def group_member(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    """Leaders approve or decline requests and change roles."""
    group = access.get_group_for_leader(request.user, slug)
    membership = access.get_membership_for_leader(request.user, group, membership_id)
    action = request.POST.get("action")
    try:
        if action == "approve":
            groups_actions.approve_member(membership=membership)
        elif action == "decline":
            groups_actions.decline_member(membership=membership)
        elif action in Membership.Role.values:
            groups_actions.set_member_role(actor=request.user, membership=membership, role=action)
        else:
            messages.error(request, _("Choose an action."))
            return redirect(group)
    except common_actions.OrganizingError as error:
        messages.error(request, rule_message(error.code))
    else:
        messages.success(request, _("Saved."))
    return redirect(group)


@require_POST
@login_required
def group_listing(request: HttpRequest, slug: str) -> HttpResponse:
    """A member chooses whether the group's member list shows them."""
    group = access.get_visible_group(request.user, slug)
    membership = access.get_own_membership(request.user, group)
    listed = request.POST.get("is_listed") == "yes"
    groups_actions.set_listed(membership=membership, is_listed=listed)
    messages.success(
        request, _("You are in the member list.") if listed else _("You are no longer in the member list.")
    )
    return redirect(group)


@verified_supporter_required
def group_members_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """Members for the leaders: email only of those who accepted the leaders' messages, town only
    when the member shows it to the leader."""
    group = access.get_group_for_leader(request.user, slug)
    reachable = groups_queries.members_accepting_messages(group, common_actions.group_audience(group))
    rows = [[_("name"), _("email"), _("town"), _("role"), _("status"), _("joined")]]
    rows += [
        [m.supporter.display_name, m.supporter.email if m.supporter_id in reachable else "", town or "",
         m.get_role_display(), m.get_status_display(), timezone.localtime(m.joined_at).date().isoformat()]
        for m, town in groups_queries.members_with_town(group, request.user)
    ]  # fmt: skip
    return csv_response(f"{group.slug}-members.csv", rows)


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def group_message(request: HttpRequest, slug: str) -> HttpResponse:
    group = access.get_group_for_leader(request.user, slug)
    return message_page(
        request, target=group, recipients=groups_queries.group_recipients(group, request.user),
        audience=common_actions.group_audience(group), send=groups_actions.message_group, target_name="group",
        done_url=group.get_absolute_url(),
    )  # fmt: skip


@require_POST
def group_staff(request: HttpRequest, slug: str) -> HttpResponse:
    group = access.get_group_for_staff(request.user, slug)
    action = request.POST.get("action")
    if action == "feature":
        groups_actions.set_group_featured(group=group, featured=True)
    elif action == "unfeature":
        groups_actions.set_group_featured(group=group, featured=False)
    elif action == "close":
        groups_actions.close_group(group=group)
    elif action == "merge":
        form = MergeGroupForm(request.POST)
        target = Group.objects.filter(slug=form.data.get("target", "")).first() if form.is_valid() else None
        if target is None:
            messages.error(request, _("There is no group at that address."))
            return redirect(group)
        try:
            groups_actions.merge_groups(source=group, target=target)
        except common_actions.OrganizingError as error:
            messages.error(request, rule_message(error.code))
            return redirect(group)
        messages.success(request, _("The groups are merged."))
        return redirect(target)
    else:
        messages.error(request, _("Choose an action."))
        return redirect(group)
    messages.success(request, _("Saved."))
    return redirect(group)
