from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "quartier.api"
    label = "api"
    verbose_name = _("API and data exchange")

    def ready(self) -> None:
        from quartier.api.exchange_privacy import register_exchange_sources
        from quartier.api.privacy import register_api_sources, register_osdi_sources
        from quartier.api.webhooks import checks  # noqa: F401 (registers itself)

        register_api_sources()
        register_osdi_sources()
        register_exchange_sources()
