from __future__ import annotations

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "quartier.integrity"
    label = "integrity"
    verbose_name = _("Integrity")

    def ready(self) -> None:
        from quartier.accounts.trust import register_signup_observer, register_trust_provider
        from quartier.integrity import checks  # noqa: F401 (registers itself)
        from quartier.integrity.actions.fingerprints import record_signup
        from quartier.integrity.moderation_queue import proposed_clusters_section
        from quartier.integrity.privacy import register_integrity_sources
        from quartier.integrity.queries import trust_levels_of
        from quartier.social.registry import register_queue_section

        register_integrity_sources()
        register_trust_provider(trust_levels_of)
        register_signup_observer(record_signup)
        register_queue_section(proposed_clusters_section)
        # Celery beat reads this dict when it starts, once the apps are ready.
        settings.CELERY_BEAT_SCHEDULE.update(settings.INTEGRITY_BEAT_SCHEDULE)
