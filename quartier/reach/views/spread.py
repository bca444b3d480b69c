"""`/organize/reach/spread/`: how far word of mouth goes, and whom to ask first (staff only)."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from quartier.reach import access, actions, queries
from quartier.reach.charts import Bar, bars_svg
from quartier.reach.forms import SpreadForm
from quartier.reach.models import SpreadRun


def stage_labels() -> dict[str, str]:
    return {
        "graph": _("Reading the follow graph"),
        "reach": _("Counting unique reach"),
        "seeding": _("Choosing whom to ask first"),
        "simulation": _("Simulating each choice"),
    }


def strategy_labels() -> dict[str, str]:
    return {
        "imm": _("Whom to ask first (IMM)"),
        "degree": _("Most followed"),
        "random": _("Chosen at random"),
    }


@never_cache
def spread(request: HttpRequest) -> HttpResponse:
    access.require_campaign_staff(request.user)
    if request.method == "POST":
        form = SpreadForm(request.POST)
        if form.is_valid():
            _run, is_new = actions.request_spread_analysis(
                seeds_wanted=form.cleaned_data["seeds_wanted"], memory_mb=form.cleaned_data["memory_mb"]
            )
            if not is_new:
                messages.info(request, _("An analysis is already under way: its results will appear here."))
            return redirect("reach:spread")
    else:
        form = SpreadForm()
    run = queries.latest_spread_run()
    return render(request, "reach/spread.html", {"form": form, "run": run, **_run_context(run)})


@never_cache
def spread_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    """The progress block alone (htmx polls it while the job runs; the whole page once it is done)."""
    run = access.get_spread_run_for(request.user, run_id)
    if not run.is_active and request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(
        request, "reach/_spread_progress.html", {"run": run, "stage": stage_labels().get(run.stage, "")}
    )


@never_cache
def spread_seeds_csv(request: HttpRequest, run_id: int) -> HttpResponse:
    """The people to ask first, for organisers to call or email with their own tools."""
    run = access.get_spread_run_for(request.user, run_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="whom-to-ask-first-{run.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow([_("Rank"), _("Name"), _("Handle"), _("Followers")])
    for row in _seed_rows(run):
        writer.writerow(
            [row["rank"], _csv_safe(row["supporter"].display_name), row["supporter"].handle, row["followers"]]
        )
    return response


def _csv_safe(text: str) -> str:
    """No cell a spreadsheet would run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _seed_rows(run: SpreadRun | None) -> list[dict]:
    if run is None or run.status != SpreadRun.Status.DONE or "seeding" not in run.results:
        return []
    seeding = run.results["seeding"]
    shown = queries.supporters_by_id(seeding["seeds"])
    return [
        {"rank": rank, "supporter": shown[supporter_id], "followers": followers}
        for rank, (supporter_id, followers) in enumerate(
            zip(seeding["seeds"], seeding["followers"], strict=True), 1
        )
        if supporter_id in shown
    ]


def _run_context(run: SpreadRun | None) -> dict:
    if run is None or run.status != SpreadRun.Status.DONE:
        return {"stage": stage_labels().get(run.stage, "") if run else ""}
    results = run.results
    context: dict = {"graph": results.get("graph", {}), "seeds": _seed_rows(run)}
    if "strategies" in results:
        labels = strategy_labels()
        bars = [
            Bar(labels[name], figures["mean"], figures["standard_error"])
            for name, figures in results["strategies"].items()
        ]
        context["strategies"] = bars
        context["chart"] = bars_svg(_("Expected number of people converted, by choice of whom to ask"), bars)
        context["runs"] = results["strategies"]["imm"]["runs"]
    if "reach" in results:
        reach = results["reach"]
        top = reach["top"]
        shown = queries.supporters_by_id([row[0] for row in top])
        context["reach"] = reach
        context["error_percent"] = round(100 * reach["standard_error"], 1)
        context["top_sharers"] = [
            {"supporter": shown[row[0]], "one_hop": row[1], "two_hops": row[2]}
            for row in top
            if row[0] in shown
        ]
    context["seeding"] = results.get("seeding")
    context["model"] = results.get("model")
    return context
