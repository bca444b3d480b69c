from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialConfig(AppConfig):
    name = "quartier.social"
    label = "social"
    verbose_name = _("Messages, blogs and the feed")

    def ready(self) -> None:
        from quartier.reach import lend_registry
        from quartier.social import privacy
        from quartier.social.actions import lent_statuses

        privacy.register_sources()
        # A lent status goes out as a post on the lender's blog and feed (reach cannot import social).
        lend_registry.register_quartier_publisher(lent_statuses.publish_lent_status)
