"""The move of the journal's region to `COUNTRY:PREFIX`: old rows take their supporter's country, and
the summary tables are emptied so that the next rollup recounts them with the new keys."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from quartier.dashboard import actions
from quartier.dashboard.models import RegionFigure

BEFORE = [("accounts", "0004_activity"), ("dashboard", "0001_initial")]
AFTER = [("accounts", "0005_activity_region_country"), ("dashboard", "0002_recount_by_country")]


@pytest.fixture
def back_to_the_latest_schema_after():
    """Migrating back to BEFORE unapplies every later migration of the apps it touches: reapply them."""
    yield
    latest = MigrationExecutor(connection)
    latest.migrate(latest.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_old_regions_take_the_country_and_the_figures_are_recounted(
    make_supporter, back_to_the_latest_schema_after
):
    montreal = make_supporter("Ana Montréal", postal_code="H2X 1Y4")
    paris = make_supporter("Léa Paris", country="FR", postal_code="75011")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Activity = old.get_model("accounts", "Activity")
    Activity.objects.all().delete()
    Activity.objects.create(kind="social.post", key="a", supporter_id=montreal.pk, region="H2X")
    Activity.objects.create(kind="social.post", key="b", supporter_id=paris.pk, region="750")
    Activity.objects.create(kind="social.post", key="c", supporter_id=None, region="M5V")
    Activity.objects.create(kind="social.post", key="d", supporter_id=paris.pk, region="")
    old.get_model("dashboard", "RegionFigure").objects.create(
        region="H2X", metric="social.post", day="2026-01-01", label="", count=5, amount=0
    )
    old.get_model("dashboard", "Cursor").objects.create(name=actions.JOURNAL, last_id=10**9)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    new = executor.loader.project_state(AFTER).apps
    regions = dict(new.get_model("accounts", "Activity").objects.values_list("key", "region"))
    assert regions == {"a": "CA:H2X", "b": "FR:750", "c": "", "d": ""}
    assert not RegionFigure.objects.filter(region="H2X").exists()
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # the rollup writes the tables of today's schema
    actions.roll_up()
    assert RegionFigure.objects.get(region="FR-IDF", metric="social.post").count == 1
    assert RegionFigure.objects.get(region="CA-QC", metric="social.post").count == 1
    assert (
        sum(RegionFigure.objects.filter(region="*", metric="social.post").values_list("count", flat=True))
        == 4
    )


@pytest.mark.django_db(transaction=True)
def test_weekly_and_monthly_figures_are_filled_from_the_daily_ones(back_to_the_latest_schema_after):
    executor = MigrationExecutor(connection)
    executor.migrate([("dashboard", "0002_recount_by_country")])
    old = executor.loader.project_state([("dashboard", "0002_recount_by_country")]).apps
    daily = old.get_model("dashboard", "RegionFigure")
    for day, count in (("2026-11-29", 1), ("2026-11-30", 2), ("2026-12-06", 4), ("2026-12-07", 8)):
        daily.objects.create(
            region="*", metric="social.post", day=day, label="", count=count, amount=count * 10
        )
    executor = MigrationExecutor(connection)
    executor.migrate([("dashboard", "0003_figures_by_week_and_month")])
    coarse = executor.loader.project_state([("dashboard", "0003_figures_by_week_and_month")]).apps
    rows = coarse.get_model("dashboard", "RegionPeriodFigure").objects.values_list(
        "period", "start", "count", "amount"
    )
    assert {(period, str(start), count, amount) for period, start, count, amount in rows} == {
        ("week", "2026-11-23", 1, 10),  # Sunday 29 November ends the week of Monday 23
        ("week", "2026-11-30", 6, 60),
        ("week", "2026-12-07", 8, 80),
        ("month", "2026-11-01", 3, 30),
        ("month", "2026-12-01", 12, 120),
    }
