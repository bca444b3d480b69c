"""Factories for the personal data sources of `accounts` (see `registry.py`)."""

from __future__ import annotations

from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from quartier.accounts import actions as accounts_actions
from quartier.accounts.activity import record_activity
from quartier.accounts.models import (
    CAMPAIGN_NEWS,
    Activity,
    Affiliation,
    AffiliationChange,
    Consent,
    ConsentRecord,
    Profile,
    Supporter,
)
from quartier.accounts.verification_models import PhoneChallenge, Verification, Vouch
from quartier.organizing.models import Group
from quartier.testing import TOTP_SECRET
from quartier.tests.personal_data.common import Factory, People, count_rows


def _account(supporter: Supporter, people: People) -> None:
    Supporter.objects.filter(pk=supporter.pk).update(display_name=people.marker("account", 1))


def _profile(supporter: Supporter, people: People) -> None:
    Profile.objects.filter(supporter=supporter).update(
        bio=people.marker("profile", 1), why_involved=people.marker("profile", 2)
    )


def _email_addresses(supporter: Supporter, people: People) -> None:
    second = EmailAddress.objects.create(
        user=supporter, email=f"{people.marker('email_addresses', 1)}@example.org", verified=False
    )
    for address in EmailAddress.objects.filter(user=supporter):
        EmailConfirmation.create(address)
    assert second.pk


def _email_consents(supporter: Supporter, people: People) -> None:
    """Campaign news: a yes then a no (two records, one decision); a group: a yes (another decision)."""
    for number, (audience, granted) in enumerate(
        ((CAMPAIGN_NEWS, True), (CAMPAIGN_NEWS, False), ("group:9001", True))
    ):
        accounts_actions.record_consent(
            supporter=supporter, audience=audience, granted=granted, wording=people.marker("email_consents", number),
            language="en", source=ConsentRecord.Source.SETTINGS, ip_address="192.0.2.1",
        )  # fmt: skip


def _affiliation_changes(supporter: Supporter, people: People) -> None:
    for affiliation in (Affiliation.AMBASSADOR, Affiliation.NONE):
        accounts_actions.set_affiliation(
            supporter=supporter, affiliation=affiliation, changed_by=people.staff
        )


def _activity(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        record_activity(
            "tests.did",
            supporter=supporter,
            key=people.marker("activity", number),
            credited_to=people.organiser,
        )


def _two_factor(supporter: Supporter, people: People) -> None:
    TOTP.activate(supporter, TOTP_SECRET)
    RecoveryCodes.activate(supporter)


def _admin_log(supporter: Supporter, people: People) -> None:
    kind = ContentType.objects.get_for_model(Group)
    for number in (1, 2):
        LogEntry.objects.create(
            user=supporter, content_type=kind, object_id="1", object_repr=people.marker("admin_log", number),
            action_flag=ADDITION,
        )  # fmt: skip


def _vouches(supporter: Supporter, people: People) -> None:
    """Two leaders vouch for the supporter; the supporter, a leader too, vouches for the organiser."""
    Vouch.objects.create(voucher=people.organiser, vouchee=supporter, note=people.marker("vouches", 1))
    Vouch.objects.create(voucher=people.staff, vouchee=supporter, note=people.marker("vouches", 2))
    Vouch.objects.create(voucher=supporter, vouchee=people.organiser, note=people.marker("vouches", 3))


def _verifications(supporter: Supporter, people: People) -> None:
    Verification.objects.create(
        supporter=supporter, kind=Verification.Kind.IN_PERSON, evidence=people.marker("verifications", 1),
        verified_by=people.organiser,
    )  # fmt: skip
    Verification.objects.create(
        supporter=supporter, kind=Verification.Kind.DONOR, evidence=people.marker("verifications", 2)
    )
    for number in (1, 2):
        PhoneChallenge.objects.create(
            supporter=supporter, phone_number=f"+1514555{supporter.pk % 1000:03d}{number}",
            code_hash="0" * 64, expires_at=timezone.now(),  # a hash: not exported, no marker
        )  # fmt: skip


FACTORIES: dict[str, Factory] = {
    "account": Factory(
        _account,
        owned=lambda s: {Supporter: Supporter.objects.filter(pk=s.pk)},
        exported=lambda data: {Supporter: count_rows(data)},
    ),
    "profile": Factory(
        _profile,
        owned=lambda s: {Profile: Profile.objects.filter(supporter=s)},
        exported=lambda data: {Profile: count_rows(data)},
    ),
    "email_addresses": Factory(
        _email_addresses,
        owned=lambda s: {
            EmailAddress: EmailAddress.objects.filter(user=s),
            EmailConfirmation: EmailConfirmation.objects.filter(email_address__user=s),
        },
        exported=lambda data: {EmailAddress: count_rows(data)},
        not_exported="EmailConfirmation: the keys of confirmation links are credentials, not information",
    ),
    "email_consents": Factory(
        _email_consents,
        owned=lambda s: {
            Consent: Consent.objects.filter(supporter=s),
            ConsentRecord: ConsentRecord.objects.filter(supporter=s),
        },
        exported=lambda data: {
            Consent: count_rows(data["current"]),
            ConsentRecord: count_rows(data["history"]),
        },
    ),
    "affiliation_changes": Factory(
        _affiliation_changes,
        owned=lambda s: {AffiliationChange: AffiliationChange.objects.filter(supporter=s)},
        exported=lambda data: {AffiliationChange: count_rows(data)},
    ),
    "activity": Factory(
        _activity,
        owned=lambda s: {Activity: Activity.objects.filter(supporter=s)},
        exported=lambda data: {Activity: count_rows(data)},
    ),
    "two_factor_authenticators": Factory(
        _two_factor,
        owned=lambda s: {Authenticator: Authenticator.objects.filter(user=s)},
        exported=lambda data: {Authenticator: count_rows(data)},
    ),
    "admin_log": Factory(
        _admin_log,
        owned=lambda s: {LogEntry: LogEntry.objects.filter(user=s)},
        exported=lambda data: {LogEntry: count_rows(data)},
    ),
    "vouches": Factory(
        _vouches,
        owned=lambda s: {Vouch: Vouch.objects.filter(Q(voucher=s) | Q(vouchee=s))},
        exported=lambda data: {Vouch: count_rows(data["given"]) + count_rows(data["received"])},
    ),
    "verifications": Factory(
        _verifications,
        owned=lambda s: {
            Verification: Verification.objects.filter(supporter=s),
            PhoneChallenge: PhoneChallenge.objects.filter(supporter=s),
        },
        exported=lambda data: {
            Verification: count_rows(data["verifications"]),
            PhoneChallenge: count_rows(data["phone_codes_sent"]),
        },
    ),
}
