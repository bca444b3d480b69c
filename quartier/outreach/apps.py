from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "quartier.outreach"
    label = "outreach"
    verbose_name = _("Outreach")

    def ready(self) -> None:
        from quartier.outreach import privacy

        privacy.register_outreach_sources()
