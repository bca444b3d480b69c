"""Personal data kept by reach's attribution (see `quartier/accounts/privacy.py`)."""

from __future__ import annotations

from quartier.accounts import privacy
from quartier.accounts.models import Supporter


def _export(supporter: Supporter) -> dict:
    from quartier.reach.models import CascadeNode, Conversion

    node = CascadeNode.objects.filter(supporter=supporter).first()
    return {
        "my_place": None
        if node is None
        else {
            "brought_by": node.parent.supporter_id if node.parent_id and node.parent else None,
            "generation": node.generation,
            "joined_at": node.joined_at.isoformat(),
            "people_brought_in_my_tree": node.subtree_size - 1,
            "conversions_through_me": node.direct_conversions,
            "conversions_downstream": node.downstream_conversions,
        },
        "my_conversions": [
            {"kind": kind, "source": source, "occurred_at": at.isoformat(), "generation": generation}
            for kind, source, at, generation in Conversion.objects.filter(converter=supporter)
            .order_by("pk")
            .values_list("kind", "source_key", "occurred_at", "generation")
        ],
    }


def register_attribution() -> None:
    from quartier.reach.actions import attribution
    from quartier.reach.models import CascadeNode, Conversion

    privacy.register(
        privacy.PersonalDataSource(
            name="referral_attribution",
            models=(CascadeNode, Conversion),
            export=_export,
            erase=attribution.forget_supporter,
            kept_after_deletion=(
                "Who brought whom, without your name: your place in the campaign's word-of-mouth trees "
                "and the sign-ups, RSVPs and gifts credited through it stay as anonymous counts."
            ),
        )
    )
