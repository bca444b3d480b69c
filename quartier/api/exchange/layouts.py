"""What a column of a people file can fill, and the export layouts of other organising tools (VAN,
ActionKit, Action Network, Mobilize) recognised by their headers.

Consent columns of those layouts (`can2_subscription_status`, `subscription_status`,
`sms_opt_in_status`…) are never mapped: a consent in Quartier is a record of the wording the person
saw and agreed to, which a file from elsewhere cannot give (docs/privacy.md, "Imports").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from quartier.lib.contacts import fold

# Field → (label, header names that suggest it in a file of no known layout).
FIELDS: dict[str, tuple[object, tuple[str, ...]]] = {
    "email": (_("Email address"), ("email", "e-mail", "courriel", "email address", "email_address", "mail")),
    "first_name": (_("First name"), ("first name", "first_name", "firstname", "given name", "given_name", "prenom")),
    "last_name": (_("Last name"), ("last name", "last_name", "lastname", "surname", "family name", "family_name", "nom")),
    "full_name": (_("Full name"), ("name", "full name", "full_name", "nom complet")),
    "phone": (_("Phone number"), ("phone", "phone number", "phone_number", "telephone", "mobile", "cell", "tel")),
    "postal_code": (_("Postal code"), ("postal code", "postal_code", "postcode", "zip", "zip code", "zip_code", "code postal")),
    "country": (_("Country (two letters)"), ("country", "pays")),
    "language": (_("Language"), ("language", "langue", "lang")),
    "tags": (_("Tags (separated by ; or ,)"), ("tags", "tag", "etiquettes")),
}  # fmt: skip

REQUIRED_ONE_OF = ("email", "phone")


@dataclass(frozen=True)
class Layout:
    name: str
    label: str
    # Headers whose presence together identifies the layout (folded, compared without case or accents).
    signature: tuple[str, ...]
    columns: dict[str, str]  # header → field


LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "van", "VAN / EveryAction",
        signature=("vanid", "lastname", "firstname"),
        columns={
            "FirstName": "first_name", "LastName": "last_name", "Email": "email", "PreferredEmail": "email",
            "Phone": "phone", "CellPhone": "phone", "HomePhone": "phone", "Zip5": "postal_code",
        },
    ),
    Layout(
        "action_network", "Action Network",
        signature=("first_name", "last_name", "email", "zip_code", "can2_user_address"),
        columns={
            "first_name": "first_name", "last_name": "last_name", "email": "email", "zip_code": "postal_code",
            "can2_phone": "phone", "Phone Number": "phone", "can2_country": "country",
            "can2_user_tags": "tags",
        },
    ),
    Layout(
        "actionkit", "ActionKit",
        signature=("user_id", "email", "first_name", "last_name", "address1", "plus4"),
        columns={
            "email": "email", "first_name": "first_name", "last_name": "last_name", "phone": "phone",
            "zip": "postal_code", "postal": "postal_code", "country": "country", "lang": "language",
        },
    ),
    Layout(
        "mobilize", "Mobilize",
        signature=("user_id", "given_name", "family_name", "email_address", "sms_opt_in_status"),
        columns={
            "given_name": "first_name", "family_name": "last_name", "email_address": "email",
            "phone_number": "phone", "postal_code": "postal_code",
        },
    ),
)  # fmt: skip

LAYOUT_LABELS = {layout.name: layout.label for layout in LAYOUTS}


def _folded(header: list[str]) -> list[str]:
    # Mobilize's flattened exports prefix person fields ("person.given_name").
    return [fold(name.strip().removeprefix("person.")) for name in header]


def recognise(header: list[str]) -> Layout | None:
    """The known layout whose signature headers are all in the file's header, most specific first."""
    present = set(_folded(header))
    for layout in LAYOUTS:
        if {fold(name) for name in layout.signature} <= present:
            return layout
    return None


def guess_mapping(header: list[str]) -> tuple[str, dict[str, int]]:
    """(layout name or "", field → column index): the layout's own columns when it is recognised,
    then the usual names for what is still missing."""
    folded = _folded(header)
    mapping: dict[str, int] = {}
    layout = recognise(header)
    if layout is not None:
        for column, field_name in layout.columns.items():
            name = fold(column)
            if field_name not in mapping and name in folded:
                mapping[field_name] = folded.index(name)
    for field_name, (_label, names) in FIELDS.items():
        if field_name in mapping:
            continue
        wanted = {fold(name) for name in names}
        for index, name in enumerate(folded):
            if name in wanted and index not in mapping.values():
                mapping[field_name] = index
                break
    return (layout.name if layout else ""), mapping
