"""Factories for the personal data sources of `reach` (see `registry.py`)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from quartier.accounts.models import (
    Supporter,
)
from quartier.reach.actions import referral_code_for
from quartier.reach.actions.attribution import record_conversion
from quartier.reach.lending import crypto
from quartier.reach.models import (
    CascadeNode,
    ConnectedAccount,
    Conversion,
    LendingConsent,
    LendingMessage,
    LentPublication,
    LentStatus,
    ReferralCode,
)
from quartier.tests.personal_data.common import Factory, People, count_rows


def _referral_code(supporter: Supporter, people: People) -> None:
    referral_code_for(supporter)


def _referral_attribution(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        record_conversion(
            kind=Conversion.Kind.RSVP if number == 1 else Conversion.Kind.SIGNUP,
            source_key=people.marker("referral_attribution", number),
            converter=supporter,
            credited_to=people.organiser,
        )


def _lending_consent(supporter: Supporter, people: People) -> None:
    LendingConsent.objects.update_or_create(
        supporter=supporter, defaults={"is_active": True, "weekly_cap": 2, "opted_in_at": timezone.now()}
    )


def _lending_accounts(supporter: Supporter, people: People) -> None:
    for number, service in enumerate(("mastodon", "bluesky")):
        ConnectedAccount.objects.create(
            supporter=supporter, service=service, host=people.marker("lending_accounts", number),
            handle=people.marker("lending_accounts", number), credentials_encrypted=crypto.encrypt("secret"),
        )  # fmt: skip


def _lent_statuses(supporter: Supporter, people: People) -> None:
    for number in range(2):
        message = LendingMessage.objects.create(
            campaign="Campaign", text=people.marker("lent_statuses", number), author=people.staff
        )
        status = LentStatus.objects.create(
            message=message, lender=supporter, publish_at=timezone.now() + timedelta(days=1),
            link_token=f"t{supporter.pk}-{number}", last_error=people.marker("lent_statuses", number),
        )  # fmt: skip
        for destination in ("quartier", "mastodon"):
            LentPublication.objects.create(
                status=status, destination=destination, remote_id=people.marker("lent_statuses", number),
                url=people.marker("lent_statuses", number),
            )  # fmt: skip


def _lending_messages_written(supporter: Supporter, people: People) -> None:
    for number in range(2):
        LendingMessage.objects.create(
            campaign=people.marker("lending_messages_written", number),
            text=people.marker("lending_messages_written", number), author=supporter,
        )  # fmt: skip


FACTORIES: dict[str, Factory] = {
    "referral_code": Factory(
        _referral_code,
        owned=lambda s: {ReferralCode: ReferralCode.objects.filter(supporter=s)},
        exported=lambda data: {ReferralCode: count_rows(data)},
    ),
    "referral_attribution": Factory(
        _referral_attribution,
        owned=lambda s: {
            CascadeNode: CascadeNode.objects.filter(supporter=s),
            Conversion: Conversion.objects.filter(converter=s),
        },
        exported=lambda data: {
            CascadeNode: count_rows(data["my_place"]),
            Conversion: count_rows(data["my_conversions"]),
        },
    ),
    "lending_consent": Factory(
        _lending_consent,
        owned=lambda s: {LendingConsent: LendingConsent.objects.filter(supporter=s)},
        exported=lambda data: {LendingConsent: count_rows(data)},
    ),
    "lending_accounts": Factory(
        _lending_accounts,
        owned=lambda s: {ConnectedAccount: ConnectedAccount.objects.filter(supporter=s)},
        exported=lambda data: {ConnectedAccount: count_rows(data)},
    ),
    "lent_statuses": Factory(
        _lent_statuses,
        owned=lambda s: {
            LentStatus: LentStatus.objects.filter(lender=s),
            LentPublication: LentPublication.objects.filter(status__lender=s),
        },
        exported=lambda data: {
            LentStatus: count_rows(data),
            LentPublication: sum(len(row["publications"]) for row in data or []),
        },
    ),
    "lending_messages_written": Factory(
        _lending_messages_written,
        owned=lambda s: {LendingMessage: LendingMessage.objects.filter(author=s)},
        exported=lambda data: {LendingMessage: count_rows(data)},
    ),
}
