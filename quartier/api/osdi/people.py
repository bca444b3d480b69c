"""OSDI `people`: list, read, create or merge (POST, and the person signup helper), update (PUT).

Person data goes only to keys with the `people` scope.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from quartier.accounts.models import CAMPAIGN_NEWS, Consent, Supporter
from quartier.api.actions import people as people_actions
from quartier.api.auth import require_scope
from quartier.api.errors import ApiError
from quartier.api.osdi import hal
from quartier.api.osdi.filters import FilterField, filtered
from quartier.api.osdi.params import Page, PerPage, ResourceId, filter_param
from quartier.api.osdi.schemas import PersonIn, PersonSignupIn, primary_of

router = Router(tags=["people"])
CREATED_OR_MERGED = {200: dict[str, Any], 201: dict[str, Any]}

FILTER_FIELDS = {
    "modified_date": FilterField(
        "osdi_modified", "datetime", latest_of=("date_joined", "osdi_details__modified_at")
    ),
    "created_date": FilterField("date_joined", "datetime"),
    "email_address": FilterField("email", "email"),
    "postal_code": FilterField("postal_code", "text"),
    "given_name": FilterField("osdi_details__given_name", "text"),
    "family_name": FilterField("osdi_details__family_name", "text"),
}

PeopleFilter = filter_param(FILTER_FIELDS)


def people() -> QuerySet[Supporter]:
    """Every person the API shows, with what their JSON needs (one query per page)."""
    return (
        Supporter.objects.filter(deleted_at__isnull=True)
        .select_related("osdi_details")
        .annotate(
            osdi_modified=Greatest("date_joined", Coalesce("osdi_details__modified_at", "date_joined")),
            osdi_subscribed=Exists(
                Consent.objects.filter(supporter=OuterRef("pk"), audience=CAMPAIGN_NEWS, granted=True)
            ),
        )
        .order_by("pk")
    )


def person_json(request: HttpRequest, supporter: Supporter) -> dict[str, Any]:
    details = getattr(supporter, "osdi_details", None) if _has_details(supporter) else None
    given_name = details.given_name if details and details.given_name else supporter.display_name
    family_name = details.family_name if details else ""
    return hal.resource(
        request,
        path=f"people/{supporter.pk}",
        pk=supporter.pk,
        created=supporter.date_joined,
        modified=getattr(supporter, "osdi_modified", None) or supporter.date_joined,
        fields={
            "given_name": given_name,
            "family_name": family_name,
            "languages_spoken": [supporter.language],
            "email_addresses": [
                {
                    "primary": True,
                    "address": supporter.email,
                    "status": "subscribed"
                    if getattr(supporter, "osdi_subscribed", False)
                    else "unsubscribed",
                }
            ],
            "phone_numbers": list(details.phone_numbers) if details else [],
            "postal_addresses": [
                {
                    "primary": True,
                    "locality": supporter.town,
                    "postal_code": supporter.postal_code,
                    "country": supporter.country,
                }
            ],
            "custom_fields": dict(details.custom_fields) if details else {},
        },
        links={"osdi:taggings": f"people/{supporter.pk}/taggings"},
    )


def _has_details(supporter: Supporter) -> bool:
    try:
        supporter.osdi_details  # noqa: B018 - loaded by select_related; raises when there is none
    except Supporter.osdi_details.RelatedObjectDoesNotExist:  # type: ignore[attr-defined]
        return False
    return True


def person_or_404(raw_id: str) -> Supporter:
    supporter = people().filter(pk=hal.parse_id(raw_id)).first()
    if supporter is None:
        raise ApiError(404, _("No person has this identifier."))
    return supporter


def person_input(person: PersonIn, *, require_email: bool) -> people_actions.PersonInput:
    email = primary_of(person.email_addresses)
    if email is None and require_email:
        raise ApiError(422, _("A person needs an email address."), errors=[
            {"field": "person.email_addresses", "message": "at least one address is required"}
        ])  # fmt: skip
    address = primary_of(person.postal_addresses)
    return people_actions.PersonInput(
        email=email.address if email else "",
        given_name=person.given_name or "",
        family_name=person.family_name or "",
        email_status=(email.status or "") if email else "",
        phone_numbers=[phone.model_dump(exclude_none=True) for phone in person.phone_numbers],
        postal_code=(address.postal_code or "") if address else "",
        country=((address.country or "").upper()) if address else "",
        custom_fields=dict(person.custom_fields),
        language=next(iter(person.languages_spoken), "")[:2].lower(),
    )


def client_name(request: HttpRequest) -> str:
    return request.auth.name  # type: ignore[attr-defined]


@router.get("", summary="List people")
def list_people(
    request: HttpRequest, page: Page = None, per_page: PerPage = None, filter: PeopleFilter = None
) -> dict[str, Any]:
    require_scope(request, "people")
    paging = hal.paging(page, per_page)
    rows, total = hal.page_of(filtered(people(), filter, FILTER_FIELDS), paging)
    return hal.collection(
        request, path="people", rel="people", items=[person_json(request, row) for row in rows],
        total=total, paging=paging, query={"filter": filter},
    )  # fmt: skip


def _signup(request: HttpRequest, payload: PersonSignupIn) -> Any:
    require_scope(request, "people", write=True)
    result = people_actions.signup_person(
        person=person_input(payload.person, require_email=True),
        client=client_name(request),
        add_tags=payload.add_tags,
    )
    body = person_json(request, person_or_404(str(result.supporter.pk)))
    return Status(201 if result.created else 200, body)


@router.post("", response=CREATED_OR_MERGED, summary="Create a person, or merge into the one with this email")
def create_person(request: HttpRequest, payload: PersonSignupIn) -> Any:
    return _signup(request, payload)


@router.post(
    "/person_signup_helper",
    response=CREATED_OR_MERGED,
    summary="OSDI person signup helper (create or merge by email)",
)
def person_signup_helper(request: HttpRequest, payload: PersonSignupIn) -> Any:
    return _signup(request, payload)


@router.get("/{person_id}", summary="Read a person")
def get_person(request: HttpRequest, person_id: ResourceId) -> dict[str, Any]:
    require_scope(request, "people")
    return person_json(request, person_or_404(person_id))


@router.put("/{person_id}", summary="Update a person (arrays merged, fields given replaced)")
def update_person(request: HttpRequest, person_id: ResourceId, payload: PersonIn) -> dict[str, Any]:
    require_scope(request, "people", write=True)
    supporter = person_or_404(person_id)
    person = person_input(payload, require_email=False)
    if person.email and person.email != supporter.email.lower():
        raise ApiError(
            409, _("A person's email address is their account's: it cannot be changed through the API.")
        )
    person.email = supporter.email
    people_actions.update_person(supporter=supporter, person=person, client=client_name(request))
    return person_json(request, person_or_404(person_id))
