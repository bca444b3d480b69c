from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizingConfig(AppConfig):
    name = "quartier.organizing"
    label = "organizing"
    verbose_name = _("Local groups and events")

    def ready(self) -> None:
        from quartier.organizing import outreach_providers, privacy

        privacy.register_sources()
        # Outreach's segment filters and merge fields on groups and events come from here.
        outreach_providers.register()
