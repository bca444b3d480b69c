"""Personal data: where it lives, how to export it and how to erase it.

Every app that stores personal data about a supporter registers a `PersonalDataSource` from its
`AppConfig.ready()`. "Download my data" exports every source; "delete my account" erases every source.
A test walks all models that point at a supporter and fails when one is not covered by a source.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict

if TYPE_CHECKING:
    from quartier.accounts.models import Supporter


@dataclass(frozen=True)
class PersonalDataSource:
    name: str
    models: tuple[type[models.Model], ...]
    export: Callable[[Supporter], Any]
    erase: Callable[[Supporter], None]
    # What is kept after deletion, and why; shown in docs/privacy.md and on the deletion page.
    kept_after_deletion: str = ""
    exclude_fields: tuple[str, ...] = field(default=())


_SOURCES: dict[str, PersonalDataSource] = {}


def rows_owned_by(
    name: str,
    model: type[models.Model],
    *,
    field: str = "supporter",
    also: tuple[type[models.Model], ...] = (),
) -> PersonalDataSource:
    """The common source: a table whose rows belong to one supporter, exported whole, erased on deletion."""
    return PersonalDataSource(
        name=name,
        models=(model, *also),
        export=lambda supporter: rows(model.objects.filter(**{field: supporter}).order_by("pk")),
        erase=lambda supporter: model.objects.filter(**{field: supporter}).delete(),
    )


def register(source: PersonalDataSource, *, before: str = "") -> None:
    """Add a source; `before` names one whose erasure must run after this one's."""
    if before and before in _SOURCES:
        items = list(_SOURCES.items())
        _SOURCES.clear()
        for name, existing in items:
            if name == before:
                _SOURCES[source.name] = source
            _SOURCES.setdefault(name, existing)
        return
    _SOURCES[source.name] = source


def sources() -> list[PersonalDataSource]:
    return list(_SOURCES.values())


def rows(queryset: Iterable[models.Model], *, exclude: Iterable[str] = ()) -> list[dict[str, Any]]:
    excluded = set(exclude)
    return [
        {key: _jsonable(value) for key, value in model_to_dict(obj).items() if key not in excluded}
        | {"id": obj.pk}
        for obj in queryset
    ]


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def export_personal_data(supporter: Supporter) -> dict[str, Any]:
    return {source.name: source.export(supporter) for source in _SOURCES.values()}


def erase_personal_data(supporter: Supporter) -> None:
    for source in _SOURCES.values():
        source.erase(supporter)


def register_accounts_sources() -> None:
    """The personal data the accounts app itself keeps."""
    from allauth.account.models import EmailAddress, EmailConfirmation
    from allauth.mfa.models import Authenticator
    from django.contrib.admin.models import LogEntry

    from quartier.accounts.models import (
        Activity,
        AffiliationChange,
        Consent,
        ConsentRecord,
        Profile,
        Supporter,
    )

    def export_supporter(supporter: Supporter) -> dict[str, Any]:
        return rows([supporter], exclude=("password", "groups", "user_permissions"))[0]

    def export_profile(supporter: Supporter) -> dict[str, Any] | None:
        profile = Profile.objects.filter(supporter=supporter).prefetch_related("causes").first()
        if profile is None:
            return None
        exported = rows([profile], exclude=("bio_html", "why_involved_html"))[0]
        exported["causes"] = [cause.slug for cause in profile.causes.all()]
        return exported

    register(
        PersonalDataSource(
            name="account",
            models=(Supporter,),
            export=export_supporter,
            erase=lambda supporter: None,  # emptied by `actions.delete_account` itself
            kept_after_deletion=(
                "An empty account row (no name, email, postal code or password) so that records the "
                "law requires us to keep, such as donations, stay consistent."
            ),
        )
    )
    register(
        PersonalDataSource(
            name="profile",
            models=(Profile,),
            export=export_profile,
            erase=lambda supporter: Profile.objects.filter(supporter=supporter).delete(),
        )
    )
    # Deleting the addresses deletes their confirmations too.
    register(rows_owned_by("email_addresses", EmailAddress, field="user", also=(EmailConfirmation,)))
    # Consent: each decision in force, and every yes and no given, with its wording, time, source, address.
    register(
        PersonalDataSource(
            name="email_consents",
            models=(Consent, ConsentRecord),
            export=lambda supporter: {
                "current": list(
                    Consent.objects.filter(supporter=supporter)
                    .order_by("audience")
                    .values("audience", "granted", "record_id")
                ),
                "history": rows(
                    ConsentRecord.objects.filter(supporter=supporter).order_by("created_at", "pk")
                ),
            },
            erase=lambda supporter: (
                Consent.objects.filter(supporter=supporter).delete(),
                ConsentRecord.objects.filter(supporter=supporter).delete(),
            ),
        )
    )
    register(rows_owned_by("affiliation_changes", AffiliationChange))
    register(
        PersonalDataSource(
            name="activity",
            models=(Activity,),
            export=lambda supporter: list(
                Activity.objects.filter(supporter=supporter)
                .order_by("pk")
                .values("kind", "key", "occurred_at", "count", "amount", "currency", "region")
            ),
            # The figures stay in the campaign's totals, with no name attached any more.
            erase=lambda supporter: (
                Activity.objects.filter(supporter=supporter).update(supporter=None, region=""),
                Activity.objects.filter(credited_to=supporter).update(credited_to=None),
            ),
            kept_after_deletion=(
                "What you did counts on in the campaign's totals (an RSVP, a gift, a call), "
                "with no name or area attached."
            ),
        )
    )
    register(
        PersonalDataSource(
            name="two_factor_authenticators",
            models=(Authenticator,),
            # Types and dates only: the secrets themselves are never handed out again.
            export=lambda supporter: list(
                Authenticator.objects.filter(user=supporter).values("type", "created_at", "last_used_at")
            ),
            erase=lambda supporter: Authenticator.objects.filter(user=supporter).delete(),
        )
    )
    register(
        PersonalDataSource(
            name="admin_log",
            models=(LogEntry,),
            export=lambda supporter: list(
                LogEntry.objects.filter(user=supporter).values("action_time", "object_repr", "action_flag")
            ),
            erase=lambda supporter: None,
            kept_after_deletion=(
                "The administration log of changes a staff member made, now pointing at the empty "
                "account: it is the campaign's audit trail."
            ),
        )
    )
    register_verification_sources()


def register_verification_sources() -> None:
    """The verifications behind the badges: vouches given and received, checks passed, phone codes."""
    from django.db.models import Q

    from quartier.accounts.verification_models import PhoneChallenge, Verification, Vouch

    register(
        PersonalDataSource(
            name="vouches",
            models=(Vouch,),
            export=lambda supporter: {
                "given": rows(Vouch.objects.filter(voucher=supporter).order_by("pk")),
                "received": rows(Vouch.objects.filter(vouchee=supporter).order_by("pk")),
            },
            erase=lambda supporter: Vouch.objects.filter(
                Q(voucher=supporter) | Q(vouchee=supporter)
            ).delete(),
        )
    )
    register(
        PersonalDataSource(
            name="verifications",
            models=(Verification, PhoneChallenge),
            export=lambda supporter: {
                "verifications": rows(Verification.objects.filter(supporter=supporter).order_by("pk")),
                # The hashes of the codes are credentials, not information about the supporter.
                "phone_codes_sent": list(
                    PhoneChallenge.objects.filter(supporter=supporter)
                    .order_by("pk")
                    .values("phone_number", "created_at", "expires_at", "attempts", "confirmed_at")
                ),
            },
            erase=lambda supporter: (
                Verification.objects.filter(supporter=supporter).delete(),
                PhoneChallenge.objects.filter(supporter=supporter).delete(),
            ),
        )
    )
