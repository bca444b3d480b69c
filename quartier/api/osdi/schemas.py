"""What OSDI clients may send (pydantic): every write is validated here before any action runs."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from quartier.api.osdi.params import ID_PATTERN
from quartier.donations import compliance

# What the OpenAPI document says is what is enforced (schemathesis checks both ways): JSON types are
# strict (no "5" for 5, no "true" for true), dates are RFC 3339 strings with their offset, a text that
# must say something has a non-space character (`\S`: it is stripped before use).
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=8000)]
CountryCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z]{2}$")]
TagName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=r"\S")
]
Identifier = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def title_text(max_length: int) -> Any:
    """A title: stripped, at most `max_length`, with something in it."""
    return Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length, pattern=r"\S")
    ]


def _rfc3339(value: Any) -> Any:
    if not isinstance(value, str) or not RFC3339.match(value):
        raise ValueError("not an RFC 3339 date-time with its offset, such as 2026-05-01T18:00:00Z")
    return value


Moment = Annotated[datetime, BeforeValidator(_rfc3339)]


def _campaign_currency_document() -> dict[str, Any]:
    """The campaign's currency in any case (`cad`, `CAD`); checked again at run time by the view."""
    code = compliance.campaign_currency().upper()
    return {"type": "string", "pattern": "^" + "".join(f"[{c}{c.lower()}]" for c in code) + "$"}


CampaignCurrency = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z]{3}$"), WithJsonSchema(_campaign_currency_document())
]

MAX_MONEY = Decimal("9999999999.99")
# Text amounts: at most ten digits before the point (leading zeros aside), two after, never zero.
MONEY_TEXT = re.compile(r"^(0*[1-9][0-9]{0,9}(\.[0-9]{1,2})?|0*\.(0[1-9]|[1-9][0-9]?))$")


def _money(value: Any) -> Any:
    """An amount: a JSON number (rounded to the cent: JSON numbers are binary floats) or a string of at
    most two decimals (Action Network sends "3.00"); from 0.01 to MAX_MONEY either way."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError("an amount is a number or a string such as 3.00")
    if isinstance(value, str):
        if not MONEY_TEXT.match(value):
            raise ValueError("an amount written as text has at most two decimals, such as 3.00")
        return Decimal(value)
    amount = Decimal(repr(value) if isinstance(value, float) else value)
    if not amount.is_finite() or not Decimal("0.01") <= amount <= MAX_MONEY:
        raise ValueError("an amount is from 0.01 to 9999999999.99")
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


Money = Annotated[
    Decimal,
    BeforeValidator(_money),
    Field(ge=Decimal("0.01"), le=MAX_MONEY, max_digits=12, decimal_places=2),
    WithJsonSchema({
        "anyOf": [
            {"type": "number", "minimum": 0.01, "maximum": float(MAX_MONEY)},
            {"type": "string", "pattern": MONEY_TEXT.pattern},
        ],
        "description": "A number (rounded to the cent) or a string with at most two decimals.",
    }),
]  # fmt: skip


def _email(value: str) -> str:
    value = value.strip().lower()
    try:
        validate_email(value)
    except DjangoValidationError:
        raise ValueError("not a valid email address") from None
    return value


Email = Annotated[
    str,
    StringConstraints(max_length=254),
    AfterValidator(_email),
    Field(json_schema_extra={"format": "email"}),
]


class Schema(BaseModel):
    """A plain pydantic model (not ninja's Schema, which reads attributes off any object: a JSON string
    body would pass for a form whose title is `str.title`)."""

    model_config = ConfigDict(extra="ignore")


class EmailAddressIn(Schema):
    address: Email
    primary: StrictBool | None = None
    status: Literal["subscribed", "unsubscribed", "bouncing", "spam reports"] | None = None


class PhoneNumberIn(Schema):
    number: Annotated[str, StringConstraints(min_length=3, max_length=30, pattern=r"^\S([\s\S]*\S)?$")]
    number_type: ShortText | None = None
    primary: StrictBool | None = None
    status: ShortText | None = None


class PostalAddressIn(Schema):
    primary: StrictBool | None = None
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


class PersonWithEmailIn(PersonIn):
    """A person created or merged by address: at least one email address."""

    email_addresses: list[EmailAddressIn] = Field(min_length=1, max_length=10)


class PersonSignupIn(Schema):
    person: PersonWithEmailIn
    add_tags: list[TagName] = Field(default_factory=list, max_length=50)


class TagIn(Schema):
    name: TagName


class TaggingIn(Schema):
    """A tagging names its person by identifier (`quartier:12`) or by the person's address."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={"anyOf": [{"required": ["person_identifier"]}, {"required": ["email_address"]}]},
    )

    person_identifier: Identifier = None  # type: ignore[assignment]  # absent or an id, never null
    email_address: Email = None  # type: ignore[assignment]

    @model_validator(mode="after")
    def names_a_person(self) -> TaggingIn:
        if not self.person_identifier and not self.email_address:
            raise ValueError("name the person: person_identifier or email_address")
        return self


class EventLocationIn(Schema):
    venue: Text | None = None
    address_lines: list[Text] = Field(default_factory=list, max_length=4)
    locality: ShortText | None = None
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=10)] | None = None
    country: CountryCode | None = None


class EventIn(Schema):
    title: title_text(140) | None = None
    description: LongText | None = None
    start_date: Moment | None = None
    end_date: Moment | None = None
    location: EventLocationIn | None = None
    capacity: Annotated[StrictInt, Field(ge=1, le=1_000_000)] | None = None
    type: ShortText | None = None


class EventCreateIn(EventIn):
    """A new event: its title and times are needed (it must end after it starts: a 422 otherwise)."""

    title: title_text(140)
    start_date: Moment
    end_date: Moment


class AttendanceIn(Schema):
    person: PersonWithEmailIn
    add_tags: list[TagName] = Field(default_factory=list, max_length=50)


class RecipientIn(Schema):
    display_name: Text | None = None
    amount: Money


class DonationIn(Schema):
    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "required": ["identifiers"],  # or an Idempotency-Key header instead (see docs/api.md)
            "anyOf": [
                {"required": ["amount"], "properties": {"amount": {"not": {"type": "null"}}}},
                {"required": ["recipients"], "properties": {"recipients": {"minItems": 1}}},
            ],
        },
    )

    identifiers: list[Annotated[str, StringConstraints(max_length=100)]] = Field(
        default_factory=list, max_length=5, json_schema_extra={"minItems": 1}
    )
    currency: CampaignCurrency | None = None
    amount: Money | None = None
    recipients: list[RecipientIn] = Field(default_factory=list, max_length=5)
    action_date: Moment | None = None


class DonationHelperIn(Schema):
    person: PersonWithEmailIn
    donation: DonationIn
    add_tags: list[TagName] = Field(default_factory=list, max_length=50)


class FormIn(Schema):
    title: title_text(200) | None = None
    description: LongText | None = None
    call_to_action: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    add_tags: list[TagName] | None = Field(default=None, max_length=50)


class FormCreateIn(FormIn):
    title: title_text(200)


class SubmissionIn(Schema):
    person: PersonWithEmailIn
    add_tags: list[TagName] = Field(default_factory=list, max_length=50)


class FundraisingPageIn(Schema):
    title: title_text(120) | None = None
    description: LongText | None = None
    goal: Money | None = None
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$")] | None = None
    status: Literal["active", "hidden"] | None = None


class FundraisingPageCreateIn(FundraisingPageIn):
    title: title_text(120)
    goal: Money


def primary_of(items: list[Any]) -> Any:
    return next((item for item in items if getattr(item, "primary", False)), items[0] if items else None)


class AttendanceUpdateIn(Schema):
    status: Literal["accepted", "declined"] | None = None
    attended: StrictBool | None = None
