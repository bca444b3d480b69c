"""The personal dashboard and the organiser dashboards. Views validate, read `queries`, render."""

from __future__ import annotations

import csv
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from quartier.dashboard import access, actions, metrics, queries, reports
from quartier.dashboard.forms import FilterForm, default_range
from quartier.dashboard.queries import Scope
from quartier.lib.page_cache import cached_fragment, stamp
from quartier.organizing.models import Group
from quartier.organizing.queries import events as organizing_events
from quartier.organizing.queries import groups as organizing_groups
from quartier.organizing.queries import search as organizing_search
from quartier.reach.queries import cascades as reach_cascades

NEARBY_KM = 25


def _suggestions(supporter, my_groups: list) -> dict[str, object]:
    """An event this week within 25 km, and a group nearby if the person has none."""
    if supporter.latitude is None or supporter.longitude is None:
        return {"located": False}
    near = organizing_search.Near(supporter.latitude, supporter.longitude, NEARBY_KM)
    now = timezone.now()
    events = organizing_search.suggested_events(near, date_to=now + timedelta(days=7))
    groups = organizing_search.suggested_groups(near) if not my_groups else []
    return {"located": True, "events": events, "groups": groups}


@login_required
def personal(request: HttpRequest) -> HttpResponse:
    supporter = request.user
    snapshot = queries.personal_snapshot(supporter)
    # Summed by the database over the index's window and before it: a few rows whatever one did.
    since = queries.index_since(queries.index_rules(snapshot)[0])
    figures = queries.personal_figures(supporter, snapshot, since=since)
    index = queries.activity_index(supporter, figures=figures, snapshot=snapshot)
    events = organizing_events.my_events(supporter, snapshot)
    groups = organizing_groups.my_groups_with_news(supporter, counters=snapshot)
    context = {
        "index": index,
        "recent": queries.recent_actions(supporter, index.since),
        "reach": queries.my_reach(supporter, figures, snapshot),
        "cascade": reach_cascades.my_cascade(supporter),  # one's own word-of-mouth tree (one query)
        "events": events,
        "groups": groups,
        "suggestions": _suggestions(supporter, groups),
        "panels": queries.other_panels(supporter, snapshot),
        "money_point": queries.MONEY_POINT,
    }
    return render(request, "dashboard/personal.html", context)


def _scope_from(form: FilterForm, group: Group | None) -> Scope:
    if form.is_valid():
        data = form.cleaned_data
    else:  # unbound: no filter chosen
        start, end = default_range()
        data = {"start": start, "end": end}
    scope = Scope(start=data["start"], end=data["end"])
    if group is not None:
        scope.group_id = group.pk
    else:
        scope.region = queries.region_key_for(
            country=data.get("country", ""), prefix=data.get("region", ""), area=data.get("area", "")
        )
    return scope


def _csv(report: reports.Report, slug: str, filename: str) -> HttpResponse:
    chart = next((chart for chart in report.charts if chart.slug == slug), None)
    if chart is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{slug}.csv"'
    writer = csv.writer(response)
    writer.writerows(chart.csv_rows())
    return response


AS_OF_MARKER = "<%figures-as-of%>"


def _as_of_sentence() -> str:
    """ "Figures as of …": when the rollup last read the journal (kept in the cache by each run)."""
    as_of = queries.as_of_cached()
    if as_of is None:
        return escape(_("Figures have not been counted yet: they appear within a minute."))
    time = formats.date_format(timezone.localtime(as_of), "DATETIME_FORMAT")
    return escape(_("Figures as of %(time)s.") % {"time": time})


def _figures_html(request: HttpRequest, context: dict[str, object], scope: Scope) -> str:
    """The figures of a scope, with the filters that chose them: the same HTML for every viewer allowed
    to see the scope (no name, no button of the viewer's own)."""
    report = reports.build(scope)
    points = reports.region_points(report.regions)
    context = {
        **context,
        "as_of_marker": AS_OF_MARKER,  # filled in per request: every rollup moves it, even one adding nothing
        "scope": scope,
        "report": report,
        "query": request.GET.urlencode(),
        "region_points": points,
        "region_circles": reports.region_circles(points),
        "region_table_rows": reports.region_table_rows(report),
        "small_gift": metrics.SMALL_GIFT,
        "medium_gift": metrics.MEDIUM_GIFT,
    }
    return render_to_string("dashboard/_organize_figures.html", context, request=request)


def _render_organiser(request: HttpRequest, *, group: Group | None) -> HttpResponse:
    form = FilterForm(request.GET or None, with_group=group is None)
    chosen_group = None
    if group is None and form.is_bound and form.is_valid() and form.cleaned_data.get("group"):
        chosen_group = Group.objects.filter(slug=form.cleaned_data["group"]).only("pk", "name").first()
        if chosen_group is None:
            form.add_error("group", _("No group has this address."))
    context: dict[str, object] = {"form": form, "group": group, "chosen_group": chosen_group}
    if form.is_bound and not form.is_valid():
        # No figure rather than figures the person did not ask for: the form comes back with what
        # they typed and what is wrong with it.
        figures = render_to_string("dashboard/_organize_figures.html", {**context, "invalid": True}, request)
        return render(
            request, "dashboard/organize.html", {**context, "figures": figures, "invalid": True}, status=400
        )
    scope = _scope_from(form, group or chosen_group)
    if request.GET.get("csv"):
        return _csv(reports.build(scope), request.GET["csv"], group.slug if group else "campaign")
    # The figures of a scope are the same for everyone who may see it (staff for the campaign, and
    # the leaders of a group for theirs, checked above): cached once for them all, under a name
    # that holds who the audience is, the scope and the filters as typed, until a rollup changes them.
    audience = "campaign" if group is None else f"group:{group.pk}"
    name = repr(("dashboard:organize", audience, scope.group_id, scope.region, scope.start, scope.end,
                 timezone.localdate(), request.GET.urlencode()))  # fmt: skip
    figures = cached_fragment(
        request, name, lambda: _figures_html(request, context, scope),
        depends_on=lambda: (actions.FIGURES_STAMP, stamp("group", scope.group_id)),
    )  # fmt: skip
    figures = mark_safe(figures.replace(AS_OF_MARKER, _as_of_sentence()))  # noqa: S308 - our own HTML
    members = []
    if group is not None:
        memberships = organizing_groups.members(group)[:200]
        levels = queries.indexes_of([m.supporter_id for m in memberships])
        members = [(membership, levels[membership.supporter_id]) for membership in memberships]
    return render(request, "dashboard/organize.html", {**context, "figures": figures, "members": members})


@login_required
def organize(request: HttpRequest) -> HttpResponse:
    """The campaign's figures for staff; a group leader is sent to the dashboard of the group they
    lead, or chooses among theirs; anyone else is refused."""
    if access.sees_campaign(request.user):
        return _render_organiser(request, group=None)
    led = access.groups_led_by(request.user)
    if not led:
        raise PermissionDenied
    if len(led) == 1:
        target = reverse("dashboard:organize_group", args=[led[0].slug])
        return redirect(f"{target}?{request.GET.urlencode()}" if request.GET else target)
    return render(request, "dashboard/organize_choose.html", {"groups": led})


@login_required
def organize_group(request: HttpRequest, slug: str) -> HttpResponse:
    group = access.get_group_dashboard_for(request.user, slug)
    return _render_organiser(request, group=group)
