from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialConfig(AppConfig):
    name = "quartier.social"
    label = "social"
    verbose_name = _("Messages, blogs and the feed")

    def ready(self) -> None:
        from quartier.reach import lend_registry
        from quartier.reach import registry as reach_registry
        from quartier.social import privacy
        from quartier.social.actions import lent_statuses
        from quartier.social.queries import graph

        privacy.register_sources()
        # Reach's spread analytics read the follow graph through its registry (reach is below social).
        reach_registry.register_follow_edges(
            graph.follow_edge_chunks,
            state=graph.follow_graph_state,
            rows_after=graph.follow_row_chunks,
            removals_after=graph.follow_removal_chunks,
        )
        # A lent status goes out as a post on the lender's blog and feed (reach cannot import social).
        lend_registry.register_quartier_publisher(lent_statuses.publish_lent_status)
