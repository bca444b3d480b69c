from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "quartier.outreach"
    label = "outreach"
    verbose_name = _("Outreach")

    def ready(self) -> None:
        from quartier.outreach import checks, privacy  # noqa: F401 (checks registers itself)

        privacy.register_outreach_sources()

        from quartier.accounts import sms as accounts_sms
        from quartier.outreach import sms

        accounts_sms.use_gateway(sms.gateway)  # the phone badge's codes go through the same gateway

        # anymail reports ESP events only through this signal; the receiver just calls `actions`.
        from anymail.signals import tracking

        from quartier.outreach.feedback import record_tracking_event

        tracking.connect(record_tracking_event, dispatch_uid="outreach.feedback")
