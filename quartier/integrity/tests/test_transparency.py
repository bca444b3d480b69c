"""The public transparency pages: who the campaign labels, and the monthly report of moderation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quartier.accounts import branding
from quartier.accounts.models import Affiliation
from quartier.integrity.models import Cluster
from quartier.social.actions import posts as posts_actions
from quartier.social.models import Appeal, ModerationAction, Report
from quartier.testing import client_for


def in_month(year: int, month: int, day: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, 12, tzinfo=timezone.get_current_timezone())


def report_url(year: int, month: int) -> str:
    return reverse("integrity:monthly_report", args=[year, month])


@pytest.mark.django_db
def test_the_transparency_page_lists_staff_paid_and_ambassadors_with_what_each_label_means(
    make_supporter, staff, supporter
):
    paid = make_supporter("Paula Paid", affiliation=Affiliation.PAID)
    ambassador = make_supporter("Andy Ambassador", affiliation=Affiliation.AMBASSADOR)
    page = Client().get(reverse("integrity:transparency")).content.decode()
    for person in (staff, paid, ambassador):
        assert person.display_name in page
    assert supporter.display_name not in page
    assert "Paid by the campaign for some work" in page and "speak for it publicly" in page


@pytest.mark.django_db
def test_a_label_that_nobody_has_says_so(staff):
    page = Client().get(reverse("integrity:transparency")).content.decode()
    assert page.count("Nobody has this label today.") == 2  # paid and ambassador


@pytest.mark.django_db
def test_a_deleted_or_deactivated_labelled_account_is_not_listed(make_supporter):
    gone = make_supporter("Gina Gone", affiliation=Affiliation.PAID)
    gone.is_active = False
    gone.save()
    assert "Gina Gone" not in Client().get(reverse("integrity:transparency")).content.decode()


@pytest.mark.django_db
def test_the_monthly_report_counts_decisions_clusters_appeals_and_reports_of_that_month_only(
    supporter, staff
):
    for when in (in_month(2026, 5), in_month(2026, 5, 20), in_month(2026, 6)):
        Report.objects.create(
            reporter=supporter, profile=staff, subject=staff, reason="spam", created_at=when
        )
    hidden = ModerationAction.objects.create(kind="hide", moderator=staff, subject=supporter, reason="x",
                                             created_at=in_month(2026, 5))  # fmt: skip
    warned = ModerationAction.objects.create(kind="warn", moderator=staff, subject=supporter, reason="x",
                                             created_at=in_month(2026, 5))  # fmt: skip
    ModerationAction.objects.create(kind="ban", moderator=staff, subject=supporter, reason="x",
                                    created_at=in_month(2026, 4))  # fmt: skip
    Appeal.objects.create(action=hidden, supporter=supporter, text="t", status=Appeal.Status.GRANTED,
                          decided_at=in_month(2026, 5, 12))  # fmt: skip
    Appeal.objects.create(action=warned, supporter=supporter, text="t", status=Appeal.Status.REFUSED,
                          decided_at=in_month(2026, 5, 13))  # fmt: skip
    Cluster.objects.create(kind=Cluster.Kind.NEAR_DUPLICATE, key="a", created_at=in_month(2026, 5))

    response = Client().get(report_url(2026, 5))
    page = response.content.decode()

    assert response.status_code == 200
    charts = {
        chart.title: {bar.label: bar.count for bar in chart.bars} for chart in response.context["charts"]
    }
    assert charts["Moderation decisions by kind"]["Hidden"] == 1
    assert charts["Moderation decisions by kind"]["Warning"] == 1
    assert charts["Moderation decisions by kind"]["Banned"] == 0
    assert charts["Reports received, by reason"]["Spam or advertising"] == 2
    assert sum(charts["Appeals decided"].values()) == 2
    assert charts["Clusters of coordinated accounts found"]["Near-duplicate posts"] == 1
    assert "<svg" in page and "<script" not in page.split("</header>", 1)[1].split("<footer", 1)[0]
    assert supporter.display_name not in page.split('id="main"', 1)[1]  # counts only, no names


@pytest.mark.django_db
def test_an_empty_month_says_there_is_nothing_to_report():
    page = Client().get(report_url(2026, 1)).content.decode()
    assert "Nothing to report this month" in page


@pytest.mark.django_db
@pytest.mark.parametrize("year, month", [(2026, 0), (2026, 13), (1999, 5), (9999, 1), (10**30, 1)])
def test_a_month_that_is_not_one_or_not_yet_is_not_found(year, month):
    assert Client().get(f"/transparency/{year}/{month}/").status_code == 404


@pytest.mark.django_db
def test_the_index_links_the_last_twelve_months():
    page = Client().get(reverse("integrity:report_index")).content.decode()
    today = timezone.localdate()
    assert report_url(today.year, today.month) in page
    assert page.count("/transparency/") >= 12


@pytest.mark.django_db
def test_the_report_is_public_and_cached_for_anonymous_visitors(django_assert_num_queries):
    branding.current()
    url = report_url(2026, 2)
    assert Client().get(url).status_code == 200
    with django_assert_num_queries(0):
        assert Client().get(url).status_code == 200


@pytest.mark.django_db
def test_the_report_reads_in_a_constant_number_of_queries(supporter, staff, django_assert_max_num_queries):
    for number in range(5):
        Report.objects.create(reporter=supporter, profile=staff, subject=staff, reason="spam",
                              created_at=in_month(2026, 3, number + 1))  # fmt: skip
    branding.current()  # read once per process, then from the cache
    with django_assert_max_num_queries(4):  # decisions, reports, appeals, clusters
        assert Client().get(report_url(2026, 3)).status_code == 200


@pytest.mark.django_db
def test_the_report_is_in_french_for_french_visitors():
    page = Client(headers={"accept-language": "fr"}).get(report_url(2026, 1)).content.decode()
    assert "Rien à signaler ce mois-ci" in page


@pytest.mark.django_db
@pytest.mark.parametrize("label", [Affiliation.STAFF, Affiliation.PAID, Affiliation.AMBASSADOR])
def test_a_post_by_a_labelled_account_carries_its_disclosure(make_supporter, label):
    author = make_supporter("Lab Elled", affiliation=label)
    post = posts_actions.create_post(
        author=author, draft=posts_actions.PostDraft("Hello", "Vote for us", "public"), publish=True
    )
    page = client_for(author).get(post.get_absolute_url()).content.decode()
    assert 'class="disclosure' in page and reverse("integrity:transparency") in page


@pytest.mark.django_db
def test_a_post_by_an_unlabelled_supporter_has_no_disclosure(supporter):
    post = posts_actions.create_post(
        author=supporter, draft=posts_actions.PostDraft("Hello", "Hi", "public"), publish=True
    )
    page = client_for(supporter).get(post.get_absolute_url()).content.decode()
    assert 'class="disclosure' not in page


@pytest.mark.django_db
def test_the_transparency_page_reads_in_a_constant_number_of_queries(
    make_supporter, django_assert_max_num_queries
):
    branding.current()
    for number in range(6):
        make_supporter(f"Paid {number}", affiliation=Affiliation.PAID)
    with django_assert_max_num_queries(1):  # everyone labelled, in one read
        assert Client().get(reverse("integrity:transparency")).status_code == 200
