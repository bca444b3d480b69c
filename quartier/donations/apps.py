from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DonationsConfig(AppConfig):
    name = "quartier.donations"
    label = "donations"
    verbose_name = _("Donations")

    def ready(self) -> None:
        from quartier.donations.privacy import register_donations_sources

        register_donations_sources()
