"""What OSDI clients may send (pydantic): every write is validated here before any action runs."""

from __future__ import annotations

import re
from datetime import UTC, datetime
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
# must say something has a non-space character (it is stripped before use), and no text holds a NUL
# character (PostgreSQL stores none, in text or in JSON).
NO_NUL = r"^[^\x00]*$"
SAYS_SOMETHING = r"^[^\x00]*[^\s\x00][^\x00]*$"


def text(max_length: int, *, strip: bool = True) -> Any:
    return Annotated[str, StringConstraints(strip_whitespace=strip, max_length=max_length, pattern=NO_NUL)]


ShortText = text(80)
Text = text(200)
LongText = text(8000, strip=False)
CountryCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z]{2}$")]
TagName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=SAYS_SOMETHING)
]
Identifier = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
# Years 1000 to 9998: a date's offset can then always be taken to UTC (which is what is stored).
YEAR = r"([1-9][0-9]{2}[0-8]|[1-9][0-9][0-8]9|[1-9][0-8]99|[1-8]999)"
RFC3339 = re.compile(
    rf"^{YEAR}-\d{{2}}-\d{{2}}[Tt]\d{{2}}:\d{{2}}:\d{{2}}(\.\d+)?([Zz]|[+-]\d{{2}}:\d{{2}})$"
)


def title_text(max_length: int) -> Any:
    """A title: stripped, at most `max_length`, with something in it."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length, pattern=SAYS_SOMETHING),
    ]


def _rfc3339(value: Any) -> Any:
    if not isinstance(value, str) or not RFC3339.match(value):
        raise ValueError(
            "not an RFC 3339 date-time (years 1000 to 9998) with its offset, such as 2026-05-01T18:00:00Z"
        )
    return value


Moment = Annotated[
    datetime,
    BeforeValidator(_rfc3339),
    AfterValidator(lambda moment: moment.astimezone(UTC)),  # PostgreSQL takes offsets up to 15:59 only
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": f"^{YEAR}-"}),
]


def _campaign_currency_document() -> dict[str, Any]:
    """The campaign's currency in any case (`cad`, `CAD`); checked again at run time by the view."""
    code = compliance.campaign_currency().upper()
    return {"type": "string", "pattern": "^" + "".join(f"[{c}{c.lower()}]" for c in code) + "$"}


CampaignCurrency = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z]{3}$"), WithJsonSchema(_campaign_currency_document())
]

MAX_MONEY = Decimal("9999999.99")  # donations store cents in a 32-bit column
# Text amounts: at most seven digits before the point (leading zeros aside), two after, never zero.
MONEY_TEXT = re.compile(r"^(0*[1-9][0-9]{0,6}(\.[0-9]{1,2})?|0*\.(0[1-9]|[1-9][0-9]?))$")


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
        raise ValueError("an amount is from 0.01 to 9999999.99")
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
    number: Annotated[
        str, StringConstraints(min_length=3, max_length=30, pattern=r"^[^\s\x00]([^\x00]*[^\s\x00])?$")
    ]
    number_type: ShortText | None = None
    primary: StrictBool | None = None
    status: ShortText | None = None


class PostalAddressIn(Schema):
    primary: StrictBool | None = None
    address_lines: list[Text] = Field(default_factory=list, max_length=4)
    locality: ShortText | None = None
    region: ShortText | None = None
    postal_code: text(10) | None = None
    country: CountryCode | None = None


class PersonIn(Schema):
    given_name: ShortText | None = None
    family_name: ShortText | None = None
    email_addresses: list[EmailAddressIn] = Field(default_factory=list, max_length=10)
    phone_numbers: list[PhoneNumberIn] = Field(default_factory=list, max_length=10)
    postal_addresses: list[PostalAddressIn] = Field(default_factory=list, max_length=10)
    custom_fields: Annotated[
        dict[text(100, strip=False), text(1000, strip=False)],
        WithJsonSchema({
            "type": "object",
            "maxProperties": 50,
            "propertyNames": {"maxLength": 100, "pattern": NO_NUL},
            "additionalProperties": {"type": "string", "maxLength": 1000, "pattern": NO_NUL},
        }),
    ] = Field(default_factory=dict, max_length=50)  # fmt: skip
    languages_spoken: list[text(8, strip=False)] = Field(default_factory=list, max_length=5)


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
    postal_code: text(10) | None = None
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

    identifiers: list[text(100, strip=False)] = Field(
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
    call_to_action: text(100) | None = None
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
