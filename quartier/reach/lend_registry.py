"""What apps above reach lend it for lent statuses, registered from their `AppConfig.ready()`.

Reach cannot import social (social imports reach): social registers the function that publishes a lent
status on the lender's Quartier blog and feed. A publisher missing when asked for is a configuration
error (`LookupError`), never a silent skip.
"""

from __future__ import annotations

from collections.abc import Callable

from quartier.accounts.models import Supporter

# (lender, title, body, idempotency key) -> (the post's id, its path on the site). Called inside the
# transaction that records the publication, so both land or neither does.
QuartierPublisher = Callable[[Supporter, str, str, str], tuple[int, str]]

_PUBLISHERS: dict[str, QuartierPublisher] = {}


def register_quartier_publisher(publish: QuartierPublisher) -> None:
    _PUBLISHERS["quartier"] = publish


def quartier_publisher() -> QuartierPublisher:
    try:
        return _PUBLISHERS["quartier"]
    except KeyError:
        raise LookupError(
            "no app registered the Quartier publisher with quartier.reach.lend_registry"
        ) from None
