"""`/organize/reach/spread/`: staff only, a job with its progress, the people to ask first, empty states."""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quartier.accounts.activity import record_activity
from quartier.organizing.tests import conftest as organizing_fixtures
from quartier.reach import analysis, hll
from quartier.reach.models import SpreadRun
from quartier.social.models import Follow
from quartier.testing import client_for

pytestmark = pytest.mark.django_db
make_group = organizing_fixtures.make_group
URL = reverse("reach:spread")


@pytest.fixture
def campaign(make_supporter):
    """A hub followed by six people, a second hub followed by the same people, and a small separate
    audience as large; the hub's shares already brought two people."""
    hub = make_supporter("Aline Hub")
    twin = make_supporter("Bruno Twin")
    loner = make_supporter("Chloé Loner")
    audience = [make_supporter(f"Follower {number}") for number in range(6)]
    others = [make_supporter(f"Other {number}") for number in range(6)]
    Follow.objects.bulk_create(
        [Follow(follower=person, followed=hub) for person in audience]
        + [Follow(follower=person, followed=twin) for person in audience]
        + [Follow(follower=person, followed=loner) for person in others]
        + [Follow(follower=audience[0], followed=audience[1])]
    )
    for number, person in enumerate(audience[:2]):
        record_activity("accounts.signup", supporter=person, key=f"signup:test:{number}", credited_to=hub)
    return {"hub": hub, "twin": twin, "loner": loner, "audience": audience}


def linear_count(ids: list[int], precision: int = 10) -> float:
    """What HyperLogLog's linear counting says of these people: m ln(m / empty registers)."""
    registers, _ranks = hll.registers_of(np.array(ids, dtype=np.int64), precision)
    m = 2**precision
    return m * math.log(m / (m - len(set(registers.tolist()))))


def run_analysis(client, capture_on_commit) -> None:
    """Ask for two people to ask first, the job running as the request's transaction commits."""
    with capture_on_commit(execute=True):
        client.post(URL, {"seeds_wanted": 2, "memory_mb": 64})


def leader_of_a_group(make_supporter, make_group):
    leader = make_supporter("Gaëlle Leader")
    make_group(leader)
    return leader


@pytest.mark.parametrize("name", ["anonymous", "unverified", "supporter", "other_supporter", "leader"])
def test_only_staff_find_the_page_and_nobody_else_starts_a_job(request, name, make_supporter, make_group):
    viewer = (
        leader_of_a_group(make_supporter, make_group) if name == "leader" else request.getfixturevalue(name)
    )
    client = client_for(viewer)
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"seeds_wanted": 5, "memory_mb": 64}).status_code == 404
    assert not SpreadRun.objects.exists()
    run = SpreadRun.objects.create(seeds_wanted=2, memory_mb=64, status=SpreadRun.Status.DONE)
    assert client.get(reverse("reach:spread_progress", args=[run.pk])).status_code == 404
    assert client.get(reverse("reach:spread_seeds_csv", args=[run.pk])).status_code == 404


def test_staff_see_what_to_do_before_any_analysis(staff):
    response = client_for(staff).get(URL)
    assert response.status_code == 200
    assert "No analysis yet" in response.content.decode()


def test_a_campaign_without_follows_gets_an_empty_state(staff, django_capture_on_commit_callbacks):
    client = client_for(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"seeds_wanted": 3, "memory_mb": 64})
    assert response.status_code == 302
    run = SpreadRun.objects.get()
    assert run.status == SpreadRun.Status.DONE and run.results["graph"]["follows"] == 0
    assert "Nobody follows anyone yet" in client.get(URL).content.decode()


@override_settings(REACH_SIMULATION_RUNS=40)
def test_staff_get_whom_to_ask_first_with_the_strategies_compared(
    staff, campaign, django_capture_on_commit_callbacks
):
    client = client_for(staff)
    run_analysis(client, django_capture_on_commit_callbacks)
    run = SpreadRun.objects.get()
    assert run.status == SpreadRun.Status.DONE and run.progress == 100
    seeds = set(run.results["seeding"]["seeds"])
    assert campaign["loner"].pk in seeds  # not the two hubs that share one audience
    assert len(seeds & {campaign["hub"].pk, campaign["twin"].pk}) == 1
    assert run.results["model"]["kind"] == "history"
    reach = run.results["reach"]
    assert reach["sharers"] == 1 and reach["impressions"] == pytest.approx(1 * 6 * 2)
    # The hub and their six followers (the two-hop follow stays inside them): seven people, estimated
    # by linear counting, exact unless two of them share a register (their ids decide).
    seven = linear_count([campaign["hub"].pk, *(person.pk for person in campaign["audience"])])
    assert round(seven) in (6, 7)
    assert reach["one_hop"] == pytest.approx(seven) and reach["two_hops"] == pytest.approx(seven)

    page = client.get(URL).content.decode()
    assert "Chloé Loner" in page and "<svg" in page and "Most followed" in page
    assert "Aline Hub" in page  # the top sharer

    rows = list(
        csv.reader(io.StringIO(client.get(reverse("reach:spread_seeds_csv", args=[run.pk])).content.decode()))
    )
    assert rows[0] == ["Rank", "Name", "Handle", "Followers"]
    assert {row[1] for row in rows[1:]} >= {"Chloé Loner"}


def test_a_closed_account_is_never_proposed(staff, campaign, django_capture_on_commit_callbacks):
    campaign["loner"].is_active = False
    campaign["loner"].save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        client_for(staff).post(URL, {"seeds_wanted": 2, "memory_mb": 64})
    assert campaign["loner"].pk not in SpreadRun.objects.get().results["seeding"]["seeds"]


def test_a_second_request_while_one_runs_starts_nothing(staff):
    running = SpreadRun.objects.create(
        seeds_wanted=5, memory_mb=64, status=SpreadRun.Status.RUNNING, progress=40, stage="seeding"
    )
    client = client_for(staff)
    response = client.post(URL, {"seeds_wanted": 5, "memory_mb": 64}, follow=True)
    assert SpreadRun.objects.count() == 1
    page = response.content.decode()
    assert "already under way" in page and 'value="40"' in page and "Choosing whom to ask first" in page
    fragment = client.get(reverse("reach:spread_progress", args=[running.pk]))
    assert 'hx-trigger="every 2s"' in fragment.content.decode()


def test_the_progress_block_reloads_the_page_once_the_job_is_done(staff):
    run = SpreadRun.objects.create(seeds_wanted=5, memory_mb=64, status=SpreadRun.Status.DONE)
    response = client_for(staff).get(reverse("reach:spread_progress", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Refresh"] == "true"


@pytest.mark.parametrize(
    "data",
    [
        {"seeds_wanted": 0, "memory_mb": 64},
        {"seeds_wanted": "many", "memory_mb": 64},
        {"seeds_wanted": 5, "memory_mb": 10**9},
        {},
    ],
)
def test_bad_input_re_renders_with_an_error_and_starts_nothing(staff, data):
    response = client_for(staff).post(URL, data)
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert not SpreadRun.objects.exists()


def test_a_failed_job_is_recorded_and_said(staff, monkeypatch):
    run = SpreadRun.objects.create(seeds_wanted=5, memory_mb=64)

    def broken(*args, **kwargs):
        raise MemoryError("out of memory")

    monkeypatch.setattr(analysis, "compute", broken)
    analysis.analyse_spread(run.pk)
    run.refresh_from_db()
    assert run.status == SpreadRun.Status.FAILED and "out of memory" in run.error
    assert "The last analysis failed" in client_for(staff).get(URL).content.decode()


def test_a_job_runs_once_however_often_the_task_is_delivered(campaign):
    run = SpreadRun.objects.create(seeds_wanted=2, memory_mb=64)
    analysis.analyse_spread(run.pk)
    finished = SpreadRun.objects.get(pk=run.pk).finished_at
    analysis.analyse_spread(run.pk)
    assert SpreadRun.objects.get(pk=run.pk).finished_at == finished


def test_the_page_is_in_french(staff, campaign, django_capture_on_commit_callbacks):
    staff.language = "fr"
    staff.save(update_fields=["language"])
    client = client_for(staff)
    run_analysis(client, django_capture_on_commit_callbacks)
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Qui solliciter en premier" in page and "Les plus suivis" in page


def test_follows_without_any_credited_share_use_the_prior_and_say_so(
    staff, make_supporter, django_capture_on_commit_callbacks
):
    first, second = make_supporter("Dora First"), make_supporter("Éric Second")
    Follow.objects.create(follower=second, followed=first)
    client = client_for(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"seeds_wanted": 1, "memory_mb": 64})
    run = SpreadRun.objects.get()
    assert run.results["model"]["kind"] == "weighted_cascade"
    assert run.results["seeding"]["seeds"] == [first.pk]
    page = client.get(URL).content.decode()
    assert "No share has brought anyone yet" in page and "the usual prior" in page


def test_the_page_reads_names_in_a_fixed_number_of_queries(
    staff, campaign, django_capture_on_commit_callbacks
):
    client = client_for(staff)
    counts = []
    for wanted in (1, 3):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(URL, {"seeds_wanted": wanted, "memory_mb": 64})
        assert len(SpreadRun.objects.order_by("-pk").first().results["seeding"]["seeds"]) == wanted
        client.get(URL)  # site-wide rows (branding) are cached by the first page
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        counts.append(len(captured))
    assert (
        counts[0] == counts[1] == 6
    )  # session, TOTP, the run, the people to ask, the sharers, the nav's count


def test_a_memory_cap_is_said_with_what_it_left_of_the_guarantee(
    staff, campaign, django_capture_on_commit_callbacks
):
    client = client_for(staff)
    run_analysis(client, django_capture_on_commit_callbacks)
    run = SpreadRun.objects.get()
    assert "too small" not in client.get(URL).content.decode()  # no cap hit on a tiny graph
    seeding = run.results["seeding"]
    for guaranteed, epsilon, said, not_said in [
        (True, 0.3, "guaranteed within 0.30", "no guarantee"),
        (False, 1 - 1 / math.e, "no guarantee", "guaranteed within"),
    ]:
        seeding |= {"memory_capped": True, "guaranteed": guaranteed, "epsilon": epsilon}
        SpreadRun.objects.filter(pk=run.pk).update(results=run.results)
        page = client.get(URL).content.decode()
        assert said in page and not_said not in page
