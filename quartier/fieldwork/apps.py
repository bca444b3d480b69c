from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    name = "quartier.fieldwork"
    label = "fieldwork"
    verbose_name = _("Door-to-door and phone banks")

    def ready(self) -> None:
        from quartier.fieldwork import privacy

        privacy.register_sources()
