"""Create or merge a person by email, as OSDI's person signup helper says; tags on people."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from quartier.accounts import actions as account_actions
from quartier.accounts.models import CAMPAIGN_NEWS, ConsentRecord, Supporter
from quartier.api.exchange.phones import remember_phones
from quartier.api.models import PersonDetails, Tag, Tagging

API_CONSENT_WORDING = "Subscribed through the campaign's API (OSDI) by {client}."


@dataclass
class PersonInput:
    """One person as an OSDI client sends it (already validated); empty fields say nothing."""

    email: str
    given_name: str = ""
    family_name: str = ""
    # "subscribed" or "unsubscribed" (the primary address's status), "" when the client says nothing.
    email_status: str = ""
    phone_numbers: list[dict[str, Any]] = field(default_factory=list)
    postal_code: str = ""
    country: str = ""
    custom_fields: dict[str, str] = field(default_factory=dict)
    language: str = ""


@dataclass
class SignupResult:
    supporter: Supporter
    created: bool


def merge_phone_numbers(
    existing: list[dict[str, Any]], incoming: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """OSDI merges arrays: an entry with the same key (the number) is updated, a new one is added."""
    merged = [dict(entry) for entry in existing]
    by_number = {entry.get("number"): entry for entry in merged}
    for entry in incoming:
        current = by_number.get(entry.get("number"))
        if current is None:
            merged.append(dict(entry))
            by_number[entry.get("number")] = merged[-1]
        else:
            current.update({key: value for key, value in entry.items() if value is not None})
    if any(entry.get("primary") for entry in incoming):
        primary = next(entry["number"] for entry in incoming if entry.get("primary"))
        for entry in merged:
            entry["primary"] = entry.get("number") == primary
    return merged


def _display_name(person: PersonInput) -> str:
    name = f"{person.given_name} {person.family_name}".strip()
    return name or person.email.split("@", 1)[0]


def _find(email: str) -> Supporter | None:
    return Supporter.objects.filter(email__iexact=email, deleted_at__isnull=True).first()


def _create(person: PersonInput, *, client: str) -> Supporter:
    supporter = Supporter(email=person.email)
    supporter.set_unusable_password()
    return account_actions.complete_signup(
        supporter=supporter, display_name=_display_name(person), country=person.country or "CA",
        postal_code=person.postal_code, language=person.language or "en",
        news_consent=person.email_status == "subscribed",
        consent_wording=API_CONSENT_WORDING.format(client=client), ip_address=None,
    )  # fmt: skip


@transaction.atomic
def apply_details(supporter: Supporter, person: PersonInput) -> PersonDetails:
    """Merge what the client said into the person's OSDI details (locked: two writes never lose one)."""
    PersonDetails.objects.get_or_create(supporter=supporter)
    details = PersonDetails.objects.select_for_update().get(supporter=supporter)
    if person.given_name:
        details.given_name = person.given_name
    if person.family_name:
        details.family_name = person.family_name
    if person.phone_numbers:
        details.phone_numbers = merge_phone_numbers(details.phone_numbers, person.phone_numbers)
        remember_phones(
            supporter, [entry.get("number", "") for entry in person.phone_numbers]
        )  # imports match them
    if person.custom_fields:
        details.custom_fields = details.custom_fields | person.custom_fields
    details.modified_at = timezone.now()
    details.save()
    return details


@transaction.atomic
def update_person(*, supporter: Supporter, person: PersonInput, client: str) -> Supporter:
    """Merge a client's write into an existing person. What the person chose on the site (their name,
    their postal code) is only filled in when empty; their email subscription follows the client's word."""
    if person.postal_code and not supporter.postal_code:
        account_actions.set_location(
            supporter, country=person.country or supporter.country, postal_code=person.postal_code
        )
        supporter.save(update_fields=["country", "postal_code", "town", "latitude", "longitude"])
    if person.email_status in {"subscribed", "unsubscribed"}:
        account_actions.record_consent(
            supporter=supporter, audience=CAMPAIGN_NEWS, granted=person.email_status == "subscribed",
            wording=API_CONSENT_WORDING.format(client=client), language=supporter.language,
            source=ConsentRecord.Source.IMPORT, ip_address=None,
        )  # fmt: skip
    apply_details(supporter, person)
    return supporter


@transaction.atomic
def signup_person(*, person: PersonInput, client: str, add_tags: list[str] | None = None) -> SignupResult:
    """The person with this email, created (no password: they claim the account by resetting it) or
    merged into; then tagged. Twice the same call changes nothing more than once."""
    email = person.email.strip().lower()
    person.email = email
    supporter = _find(email)
    created = False
    if supporter is None:
        try:
            with transaction.atomic():
                supporter = _create(person, client=client)
                created = True
        except (account_actions.EmailTaken, IntegrityError):
            supporter = Supporter.objects.get(email__iexact=email)  # created by a concurrent call
    if created:
        apply_details(supporter, person)
    else:
        update_person(supporter=supporter, person=person, client=client)
    if add_tags:
        tag_person(supporter=supporter, tag_names=add_tags)
    return SignupResult(supporter=supporter, created=created)


def tag_for(name: str) -> Tag:
    tag, _created = Tag.objects.get_or_create(name=name.strip()[:100])
    return tag


@transaction.atomic
def tag_person(*, supporter: Supporter, tag_names: list[str]) -> list[Tagging]:
    taggings = []
    for name in dict.fromkeys(name.strip() for name in tag_names if name.strip()):
        tagging, _created = Tagging.objects.get_or_create(tag=tag_for(name), supporter=supporter)
        taggings.append(tagging)
    return taggings


@transaction.atomic
def untag_person(*, supporter: Supporter, tag: Tag) -> int:
    deleted, _rows = Tagging.objects.filter(tag=tag, supporter=supporter).delete()
    return deleted
