"""The demo's word of mouth: a few large cascades, many small ones, and a night that grows tenfold."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from quartier.demo.demo_people import MARIE_EMAIL
from quartier.reach.models import CascadeNode, CascadeSnapshot, Conversion

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_demo_has_cascades_with_a_viral_night_and_marie_s_own_tree():
    call_command("load_demo", "--supporters", "60", stdout=io.StringIO())
    conversions = Conversion.objects.count()
    call_command("load_demo", "--supporters", "60", stdout=io.StringIO())  # again: nothing added

    assert Conversion.objects.count() == conversions
    metrics = CascadeSnapshot.objects.get().metrics
    sizes = sorted((row["size"] for row in metrics["largest"]), reverse=True)
    assert sizes[0] >= 30 and metrics["cascades"] >= 5
    assert max(growth for growth in metrics["growth"] if growth is not None) >= 9.0
    marie = CascadeNode.objects.get(supporter__email=MARIE_EMAIL)
    assert marie.parent is None and marie.subtree_size == 7 and marie.deepest_generation >= 2
