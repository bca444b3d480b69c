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
            erase=actions.forget_supporter,
            kept_after_deletion=(
                "What you did stays in the campaign's totals by day, with no name and no area attached."
            ),
        ),
        # Before the journal forgets the person: the regional figures are corrected from it first.
        before="activity",
    )
