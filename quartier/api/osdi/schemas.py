"""What OSDI clients may send (pydantic): every write is validated here before any action runs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=8000)]
CountryCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z]{2}$")]
TagName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


def _email(value: str) -> str:
    value = value.strip().lower()
    try:
        validate_email(value)
    except DjangoValidationError:
        raise ValueError("not a valid email address") from None
    return value


Email = Annotated[str, StringConstraints(max_length=254), AfterValidator(_email)]


class Schema(BaseModel):
    """A plain pydantic model (not ninja's Schema, which reads attributes off any object: a JSON string
    body would pass for a form whose title is `str.title`)."""

    model_config = ConfigDict(extra="ignore")


class EmailAddressIn(Schema):
    address: Email
    primary: bool | None = None
    status: Literal["subscribed", "unsubscribed", "bouncing", "spam reports"] | None = None


class PhoneNumberIn(Schema):
    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=30)]
    number_type: ShortText | None = None
    primary: bool | None = None
    status: ShortText | None = None


class PostalAddressIn(Schema):
    primary: bool | None = None
    address_lines: list[Text] = Field(default_factory=list, max_length=4)
    locality: ShortText | None = None
    region: ShortText | None = None
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=10)] | None = None
    country: CountryCode | None = None


class PersonIn(Schema):
    given_name: ShortText | None = None
    family_name: ShortText | None = None
    email_addresses: list[EmailAddressIn] = Field(default_factory=list, max_length=10)
    phone_numbers: list[PhoneNumberIn] = Field(default_factory=list, max_length=10)
    postal_addresses: list[PostalAddressIn] = Field(default_factory=list, max_length=10)
    custom_fields: dict[
        Annotated[str, StringConstraints(max_length=100)], Annotated[str, StringConstraints(max_length=1000)]
    ] = Field(default_factory=dict, max_length=50)
    languages_spoken: list[Annotated[str, StringConstraints(max_length=8)]] = Field(
        default_factory=list, max_length=5
    )


class PersonSignupIn(Schema):
    person: PersonIn
    add_tags: list[TagName] = Field(default_factory=list, max_length=50)


class TagIn(Schema):
    name: TagName


class TaggingIn(Schema):
    """A tagging names its person by identifier (`quartier:12`) or by the person's address."""

    person_identifier: Annotated[str, StringConstraints(max_length=40)] | None = None
    email_address: Email | None = None


class EventLocationIn(Schema):
    venue: Text | None = None
    address_lines: list[Text] = Field(default_factory=list, max_length=4)
    locality: ShortText | None = None
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=10)] | None = None
    country: CountryCode | None = None


class EventIn(Schema):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=140)] | None = (
        None
    )
    description: LongText | None = None
    start_date: datetime | None = None
    end_date: datetime | None = None
    location: EventLocationIn | None = None
    capacity: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    type: ShortText | None = None


class AttendanceIn(Schema):
    person: PersonIn
    add_tags: list[TagName] = Field(default_factory=list, max_length=50)


class RecipientIn(Schema):
    display_name: Text | None = None
    amount: Decimal


class DonationIn(Schema):
    identifiers: list[Annotated[str, StringConstraints(max_length=100)]] = Field(
        default_factory=list, max_length=5
    )
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$")] | None = None
    amount: Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)] | None = None
    recipients: list[RecipientIn] = Field(default_factory=list, max_length=5)
    action_date: datetime | None = None


class DonationHelperIn(Schema):
    person: PersonIn
    donation: DonationIn
    add_tags: list[TagName] = Field(default_factory=list, max_length=50)


class FormIn(Schema):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = (
        None
    )
    description: LongText | None = None
    call_to_action: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    add_tags: list[TagName] | None = Field(default=None, max_length=50)


class SubmissionIn(Schema):
    person: PersonIn
    add_tags: list[TagName] = Field(default_factory=list, max_length=50)


class FundraisingPageIn(Schema):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)] | None = (
        None
    )
    description: LongText | None = None
    goal: Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)] | None = None
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$")] | None = None
    status: Literal["active", "hidden"] | None = None


def primary_of(items: list[Any]) -> Any:
    return next((item for item in items if getattr(item, "primary", False)), items[0] if items else None)


class AttendanceUpdateIn(Schema):
    status: Literal["accepted", "declined"] | None = None
    attended: bool | None = None
