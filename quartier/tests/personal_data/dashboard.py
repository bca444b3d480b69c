"""Factories for the personal data sources of `dashboard` (see `registry.py`)."""

from __future__ import annotations

from django.utils import timezone

from quartier.accounts.models import (
    Supporter,
)
from quartier.dashboard.models import LastActive, Referral, SupporterFigure
from quartier.tests.personal_data.common import Factory, People, count_rows


def _dashboard_figures(supporter: Supporter, people: People) -> None:
    today = timezone.localdate()
    for number in (1, 2):
        SupporterFigure.objects.create(
            supporter=supporter, day=today, metric=people.marker("dashboard_figures", number), count=number
        )
    LastActive.objects.create(supporter=supporter, day=today, region="H2X")
    Referral.objects.create(supporter=supporter, referrer=people.organiser)


FACTORIES: dict[str, Factory] = {
    "dashboard_figures": Factory(
        _dashboard_figures,
        owned=lambda s: {
            SupporterFigure: SupporterFigure.objects.filter(supporter=s),
            LastActive: LastActive.objects.filter(supporter=s),
            Referral: Referral.objects.filter(supporter=s),
        },
        exported=lambda data: {
            SupporterFigure: count_rows(data["figures"]),
            LastActive: count_rows(data["last_active"]),
            Referral: count_rows(data["brought_in_by"]),
        },
    ),
}
