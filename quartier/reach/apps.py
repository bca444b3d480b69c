from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReachConfig(AppConfig):
    name = "quartier.reach"
    label = "reach"
    verbose_name = _("Word of mouth")

    def ready(self) -> None:
        from quartier.accounts import privacy
        from quartier.reach.models import ReferralCode

        privacy.register(
            privacy.PersonalDataSource(
                name="referral_code",
                models=(ReferralCode,),
                export=lambda supporter: list(
                    ReferralCode.objects.filter(supporter=supporter).values("code")
                ),
                erase=lambda supporter: ReferralCode.objects.filter(supporter=supporter).delete(),
            )
        )
