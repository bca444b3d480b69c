"""The personal data reach keeps, registered with `accounts.privacy` (called from `apps.py`)."""

from __future__ import annotations

from quartier.accounts.models import Supporter
from quartier.accounts.privacy import PersonalDataSource, register, rows, rows_owned_by


def register_sources() -> None:
    from quartier.reach.lending import actions as lending_actions
    from quartier.reach.models import (
        ConnectedAccount,
        LendingConsent,
        LendingMessage,
        LentPublication,
        LentStatus,
        ReferralCode,
    )

    register(rows_owned_by("referral_code", ReferralCode))
    register(rows_owned_by("lending_consent", LendingConsent))

    def erase_accounts(supporter: Supporter) -> None:
        lending_actions.revoke(supporter=supporter)  # tokens deleted now, revoked at the service on commit
        ConnectedAccount.objects.filter(supporter=supporter).delete()

    register(
        PersonalDataSource(
            name="lending_accounts",
            models=(ConnectedAccount,),
            # Which accounts are connected; never the credentials, even encrypted.
            export=lambda s: rows(
                ConnectedAccount.objects.filter(supporter=s).order_by("pk"),
                exclude=("credentials_encrypted",),
            ),
            erase=erase_accounts,
            exclude_fields=("credentials_encrypted",),
        )
    )

    def export_statuses(supporter: Supporter) -> list[dict]:
        statuses = LentStatus.objects.filter(lender=supporter).select_related("message").order_by("pk")
        places: dict[int, list[dict]] = {}
        for publication in LentPublication.objects.filter(status__lender=supporter).order_by("pk"):
            places.setdefault(publication.status_id, []).append(
                {"destination": publication.destination, "remote_id": publication.remote_id, "url": publication.url,
                 "published_at": publication.published_at.isoformat()}
            )  # fmt: skip
        return [
            {**row, "campaign": status.message.campaign, "text": status.message.text,
             "publications": places.get(status.pk, [])}
            for status, row in zip(statuses, rows(statuses), strict=True)
        ]  # fmt: skip

    register(
        PersonalDataSource(
            name="lent_statuses",
            models=(LentStatus, LentPublication),
            export=export_statuses,
            erase=lambda s: LentStatus.objects.filter(lender=s).delete(),
        )
    )
    register(
        PersonalDataSource(
            name="lending_messages_written",
            models=(LendingMessage,),
            export=lambda s: rows(LendingMessage.objects.filter(author=s).order_by("pk")),
            # The campaign's message stays (lenders' histories show it); who wrote it is forgotten.
            erase=lambda s: LendingMessage.objects.filter(author=s).update(author=None),
            kept_after_deletion="Campaign messages written for lenders stay, without their author.",
        )
    )


# --- attribution: one's place in the who-brought-whom trees --------------------------------------


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

    register(
        PersonalDataSource(
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
