"""The personal data donations keeps, registered with `accounts.privacy` (see `apps.py`).

Gifts are records the law requires the campaign to keep (and to report): deleting an account keeps
them, with the donor's name and address as given, pointing at the emptied account row.
"""

from __future__ import annotations

from quartier.accounts.models import Supporter
from quartier.accounts.privacy import PersonalDataSource, register, rows, rows_owned_by


def register_donations_sources() -> None:
    from quartier.donations.models import (
        Donation,
        FundraisingPage,
        RecurringGift,
        RefundRequest,
        SavedPaymentMethod,
        Team,
    )

    register(
        PersonalDataSource(
            name="donations",
            models=(Donation,),
            export=lambda supporter: rows(
                Donation.objects.filter(supporter=supporter).order_by("pk"),
                exclude=("identity_key", "checkout_reference", "reservation_held"),
            ),
            erase=erase_gift_display,
            kept_after_deletion=(
                "Your gifts, with the name, address, employer and occupation you gave: election law requires "
                "the campaign to keep and report them. They no longer show on any honour roll."
            ),
        )
    )
    register(
        PersonalDataSource(
            name="monthly_gifts",
            models=(RecurringGift,),
            export=lambda supporter: rows(RecurringGift.objects.filter(supporter=supporter).order_by("pk")),
            erase=stop_monthly_gifts,
            kept_after_deletion="Your monthly gifts, stopped: the record of each charge is kept with your gifts.",
        )
    )
    register(
        PersonalDataSource(
            name="refund_requests",
            models=(RefundRequest,),
            export=lambda supporter: rows(
                RefundRequest.objects.filter(requested_by=supporter).order_by("pk")
            ),
            erase=lambda supporter: RefundRequest.objects.filter(requested_by=supporter).update(reason=""),
            kept_after_deletion="Whether you asked for a refund and the answer, without your reason: the gift's record.",
        )
    )
    register(
        PersonalDataSource(
            name="saved_payment_methods",
            models=(SavedPaymentMethod,),
            export=lambda supporter: list(
                SavedPaymentMethod.objects.filter(supporter=supporter).values(
                    "gateway", "label", "created_at"
                )
            ),
            erase=lambda supporter: SavedPaymentMethod.objects.filter(supporter=supporter).delete(),
        )
    )
    register(rows_owned_by("fundraising_pages", FundraisingPage, field="owner"))
    register(
        PersonalDataSource(
            name="fundraising_teams",
            models=(Team,),
            export=lambda supporter: rows(Team.objects.filter(captain=supporter).order_by("pk")),
            # The team and its other members' pages stay; it no longer names its captain.
            erase=lambda supporter: Team.objects.filter(captain=supporter).update(captain=None),
            kept_after_deletion="Teams you started, without your name: the other members' pages stay in them.",
        )
    )


def erase_gift_display(supporter: Supporter) -> None:
    """Gifts stay; the honour roll stops naming the person."""
    from quartier.donations.models import Donation

    Donation.objects.filter(supporter=supporter).update(show_name=False)


def stop_monthly_gifts(supporter: Supporter) -> None:
    """A deleted account gives no more: each monthly gift stops here, and at the processor after commit."""
    from django.db import transaction

    from quartier.donations.actions import recurring as recurring_actions
    from quartier.donations.gateways import gateway_for
    from quartier.donations.models import RecurringGift

    for recurring in RecurringGift.objects.filter(supporter=supporter).exclude(
        status=RecurringGift.Status.CANCELLED
    ):
        recurring_actions.mark_recurring_cancelled(recurring_id=recurring.pk)
        transaction.on_commit(
            lambda recurring=recurring: gateway_for(recurring.gateway).cancel_recurring(recurring)
        )
