"""Personal data kept by the dashboards (see `quartier/accounts/privacy.py`)."""

from __future__ import annotations

from quartier.accounts import privacy


def register_sources() -> None:
    from quartier.dashboard import actions
    from quartier.dashboard.models import LastActive, Referral, SupporterFigure

    privacy.register(
        privacy.PersonalDataSource(
            name="dashboard_figures",
            models=(SupporterFigure, LastActive, Referral),
            export=lambda s: {
                "figures": list(
                    SupporterFigure.objects.filter(supporter=s)
                    .order_by("day", "metric")
                    .values("day", "metric", "count", "amount")
                ),
                "last_active": list(LastActive.objects.filter(supporter=s).values("day", "region")),
                "brought_in_by": list(Referral.objects.filter(supporter=s).values("referrer_id")),
            },
            # What the person did stays only in the campaign's daily totals, which name nobody (the
            # journal's own source says so); their rows here go.
            erase=actions.forget_supporter,
        ),
        # Before the journal forgets the person: the regional figures are corrected from it first.
        before="activity",
    )
