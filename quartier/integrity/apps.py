from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "quartier.integrity"
    label = "integrity"
    verbose_name = _("Integrity")

    def ready(self) -> None:
        from quartier.integrity.privacy import register_integrity_sources

        register_integrity_sources()
