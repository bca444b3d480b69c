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
        # Group leaders may vouch for supporters (the "vouched by a leader" badge).
        from quartier.accounts import verification
        from quartier.organizing.queries.groups import leads_a_group

        verification.register_leader_check(leads_a_group)
