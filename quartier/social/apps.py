from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialConfig(AppConfig):
    name = "quartier.social"
    label = "social"
    verbose_name = _("Messages, blogs and the feed")

    def ready(self) -> None:
        from quartier.social import privacy

        privacy.register_sources()
