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

        privacy.register(privacy.rows_owned_by("referral_code", ReferralCode))
