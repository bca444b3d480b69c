"""Verification badges and transparency in Chromium, on a 360 px phone in French: a supporter verifies
a phone with the texted code, a leader vouches from the profile (its button loads apart), the badges
follow the name; the transparency page and the monthly report fit the phone, with no third-party
request, console error or accessibility violation (checked by e2e/conftest.py)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from quartier.accounts.models import Affiliation, Supporter
from quartier.accounts.verification_models import Verification
from quartier.integrity.models import Cluster
from quartier.social.models import ModerationAction, Report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 360, "height": 740}, "locale": "fr-CA"}


def signed_in_context(new_context, live_server, supporter, **options):
    client = Client()
    client.force_login(supporter)
    context = new_context(**options)
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    return context


def horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_a_supporter_verifies_a_phone_and_a_leader_vouches_for_them(
    new_context, live_server, make_supporter, staff, sent_texts
):
    supporter = make_supporter("Jeanne Dion", language="fr")
    page = signed_in_context(new_context, live_server, supporter, **PHONE).new_page()
    page.goto("/settings/verification/")
    assert horizontal_overflow(page) <= 0
    page.locator("#id_phone").fill("514 555 0123")
    with page.expect_navigation():  # the form posts and comes back to the same address
        page.get_by_role("button", name="M’envoyer un code par texto").click()
    code = sent_texts[-1][1].split()[0]
    page.locator("#id_code").fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name="Vérifier").click()
    page.wait_for_load_state()
    # The message in the supporter's language whatever language the view's module was imported under
    # (it once was translated at import), and what lasts on the page.
    assert "Votre numéro de téléphone est vérifié" in page.content()
    shown = page.locator("main").inner_text()
    assert "Votre numéro vérifié" in shown and "••• 0123" in shown, shown
    assert Verification.objects.filter(supporter=supporter, kind=Verification.Kind.PHONE).exists()

    Supporter.objects.filter(pk=staff.pk).update(language="fr")  # a signed-in person's language wins
    staff.refresh_from_db()
    leader_page = signed_in_context(new_context, live_server, staff, **PHONE).new_page()
    leader_page.goto(f"/people/{supporter.handle}/")
    leader_page.get_by_role("link", name="Recommander Jeanne Dion").click()
    leader_page.locator("#id_confirm").check()
    leader_page.get_by_role("button", name="Recommander").click()
    leader_page.wait_for_url(f"**/people/{supporter.handle}/")
    badges = leader_page.locator(".profile .badge-list").inner_text()
    assert "Téléphone vérifié" in badges and "Recommandé par un responsable" in badges
    assert horizontal_overflow(leader_page) <= 0


def test_the_transparency_pages_fit_a_phone(new_context, make_supporter, staff, supporter):
    make_supporter("Paula Payée", affiliation=Affiliation.PAID)
    now = timezone.now()
    Report.objects.create(reporter=supporter, profile=staff, subject=staff, reason="spam", created_at=now)
    ModerationAction.objects.create(
        kind="warn", moderator=staff, subject=supporter, reason="x", created_at=now
    )
    Cluster.objects.create(kind=Cluster.Kind.NEAR_DUPLICATE, key="e2e", created_at=now)
    page = new_context(**PHONE).new_page()
    for path in ("/transparency/", "/transparency/reports/",
                 f"/transparency/{timezone.localdate().year}/{timezone.localdate().month}/", "/badges/"):  # fmt: skip
        page.goto(path)
        assert horizontal_overflow(page) <= 0, path
    assert page.locator("#vouched").is_visible()
