from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReachConfig(AppConfig):
    name = "quartier.reach"
    label = "reach"
    verbose_name = _("Word of mouth")

    def ready(self) -> None:
        from quartier.accounts import privacy
        from quartier.outreach import registry as outreach_registry
        from quartier.reach import actions
        from quartier.reach.models import ReferralCode

        privacy.register(privacy.rows_owned_by("referral_code", ReferralCode))
        from quartier.reach.privacy import register_attribution

        register_attribution()
        # Each campaign email's links carry a code drawn here, so that what they lead to is credited.
        outreach_registry.register_campaign_code(actions.new_campaign_code)
