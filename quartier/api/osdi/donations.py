"""OSDI `donations` (paid gifts), `fundraising_pages` (+ their donations) and the record donation helper.

A donation's donor (name, email) is person data: shown only to keys with the `people` scope.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from quartier.api.actions import helpers
from quartier.api.actions import people as people_actions
from quartier.api.auth import require_scope
from quartier.api.errors import ApiError
from quartier.api.osdi import hal
from quartier.api.osdi.filters import FilterField, filtered
from quartier.api.osdi.params import Page, PerPage, ResourceId, filter_param
from quartier.api.osdi.people import client_name, person_input
from quartier.api.osdi.schemas import DonationHelperIn, FundraisingPageCreateIn, FundraisingPageIn
from quartier.donations import compliance
from quartier.donations.actions import checkout as donation_checkout
from quartier.donations.actions import pages as page_actions
from quartier.donations.models import Donation, FundraisingPage

router = Router(tags=["donations"])
CREATED_OR_FOUND = {200: dict[str, Any], 201: dict[str, Any]}

DONATION_FILTERS = {
    "modified_date": FilterField("succeeded_at", "datetime"),
    "created_date": FilterField("created_at", "datetime"),
    "email_address": FilterField("email", "email"),
    "postal_code": FilterField("postal_code", "text"),
}
PAGE_FILTERS = {
    "modified_date": FilterField("created_at", "datetime"),
    "created_date": FilterField("created_at", "datetime"),
    "title": FilterField("title", "text"),
}
PERSON_FILTERS = {"email_address", "postal_code"}

DonationFilter = filter_param(DONATION_FILTERS)
PageFilter = filter_param(PAGE_FILTERS)


def money(minor: int) -> str:
    return f"{Decimal(minor) / 100:.2f}"


def minor_units(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def paid_donations() -> QuerySet[Donation]:
    return Donation.objects.filter(status=Donation.Status.SUCCEEDED).order_by("pk")


def donation_json(request: HttpRequest, donation: Donation, *, with_person: bool) -> dict[str, Any]:
    links = {}
    if donation.supporter_id and with_person:
        links["osdi:donor"] = f"people/{donation.supporter_id}"
    if donation.page_id:
        links["osdi:fundraising_page"] = f"fundraising_pages/{donation.page_id}"
    fields: dict[str, Any] = {
        "amount": money(donation.net_minor),
        "currency": donation.currency,
        "recipients": [{"display_name": settings.SITE_NAME, "amount": money(donation.net_minor)}],
        "payment": {
            "method": "Credit Card",
            "reference_number": donation.payment_reference or "",
            "authorization_stored": donation.recurring_id is not None,
        },
        "action_date": hal.timestamp(donation.succeeded_at),
        "referrer_data": {"source": donation.refcode},
    }
    if with_person:
        fields["donor"] = {
            "given_name": donation.first_name,
            "family_name": donation.last_name,
            "email_addresses": [{"primary": True, "address": donation.email}],
            "postal_addresses": [{
                "primary": True, "address_lines": [donation.address_line] if donation.address_line else [],
                "locality": donation.city, "region": donation.region, "postal_code": donation.postal_code,
                "country": donation.country,
            }],
        }  # fmt: skip
    return hal.resource(
        request, path=f"donations/{donation.pk}", pk=donation.pk, created=donation.created_at,
        modified=donation.succeeded_at, fields=fields, links=links,
    )  # fmt: skip


def page_json(request: HttpRequest, page: FundraisingPage) -> dict[str, Any]:
    return hal.resource(
        request,
        path=f"fundraising_pages/{page.pk}",
        pk=page.pk,
        created=page.created_at,
        modified=page.created_at,
        fields={
            "name": page.slug,
            "title": page.title,
            "description": page.story,
            "browser_url": request.build_absolute_uri(page.get_absolute_url()),
            "status": page.status,
            "currency": page.currency,
            "goal": money(page.goal_minor),
            "total_donations": page.gift_count,
            "total_amount": money(page.total_minor),
        },
        links={
            "osdi:donations": f"fundraising_pages/{page.pk}/donations",
            "osdi:record_donation_helper": f"fundraising_pages/{page.pk}/record_donation_helper",
            "osdi:creator": f"people/{page.owner_id}",
        },
    )


def has_people_scope(request: HttpRequest) -> bool:
    return request.auth.allows("people")  # type: ignore[attr-defined]


def donations_page(
    request: HttpRequest, queryset: QuerySet[Donation], *, path: str, page: int | None,
    per_page: int | None, filter: str | None,
) -> dict[str, Any]:  # fmt: skip
    with_person = has_people_scope(request)
    fields = DONATION_FILTERS if with_person else {
        name: field for name, field in DONATION_FILTERS.items() if name not in PERSON_FILTERS
    }  # fmt: skip
    paging = hal.paging(page, per_page)
    rows, total = hal.page_of(filtered(queryset, filter, fields), paging)
    return hal.collection(
        request, path=path, rel="donations",
        items=[donation_json(request, row, with_person=with_person) for row in rows], total=total,
        paging=paging, query={"filter": filter},
    )  # fmt: skip


def donation_or_404(queryset: QuerySet[Donation], raw_id: str) -> Donation:
    donation = queryset.filter(pk=hal.parse_id(raw_id)).first()
    if donation is None:
        raise ApiError(404, _("No donation has this identifier."))
    return donation


def page_or_404(raw_id: str) -> FundraisingPage:
    page = FundraisingPage.objects.filter(pk=hal.parse_id(raw_id)).first()
    if page is None:
        raise ApiError(404, _("No fundraising page has this identifier."))
    return page


@router.get("/donations", summary="List paid donations")
def list_donations(
    request: HttpRequest, page: Page = None, per_page: PerPage = None, filter: DonationFilter = None
) -> dict[str, Any]:
    require_scope(request, "donations")
    return donations_page(
        request, paid_donations(), path="donations", page=page, per_page=per_page, filter=filter
    )


def idempotency_identifier(request: HttpRequest, identifiers: list[str]) -> str:
    """What makes a recorded gift unique: the client's own identifier, or its Idempotency-Key header."""
    if identifiers:
        return identifiers[0]
    header = request.headers.get("Idempotency-Key", "").strip()[:80]
    if header:
        return f"key{request.auth.pk}:{header}"  # type: ignore[attr-defined]
    raise ApiError(
        422,
        _("Give the donation an identifier (such as 'yourtool:123'): a retry then records it once."),
    )


def _record_donation(request: HttpRequest, payload: DonationHelperIn, page: FundraisingPage | None) -> Any:
    require_scope(request, "donations", write=True)
    require_scope(request, "people", write=True)
    gift = payload.donation
    amount = gift.amount if gift.amount is not None else sum((r.amount for r in gift.recipients), Decimal(0))
    if amount <= 0:
        raise ApiError(422, _("A donation needs an amount above zero."))
    currency = (gift.currency or compliance.campaign_currency()).upper()
    if currency != compliance.campaign_currency():
        raise ApiError(422, _("The campaign takes gifts in %(currency)s only.") % {
            "currency": compliance.campaign_currency()
        })  # fmt: skip
    identifier = idempotency_identifier(request, gift.identifiers)
    person = person_input(payload.person, require_email=True)
    signup = people_actions.signup_person(
        person=person, client=client_name(request), add_tags=payload.add_tags
    )
    address = next(iter(payload.person.postal_addresses), None)
    draft = donation_checkout.DonationDraft(
        first_name=person.given_name or signup.supporter.display_name, last_name=person.family_name,
        email=person.email, amount_minor=minor_units(amount), currency=currency,
        address_line=(address.address_lines[0] if address and address.address_lines else ""),
        city=(address.locality or "") if address else "", region=(address.region or "") if address else "",
        postal_code=person.postal_code, country=person.country or signup.supporter.country,
        supporter=signup.supporter, page=page,
        credited_to=page.owner if page is not None else None,
    )  # fmt: skip
    try:
        recorded = helpers.record_donation(
            supporter=signup.supporter, draft=draft, reference=f"osdi:{identifier}"[:120],
            gateway=donation_checkout.default_gateway(),
        )  # fmt: skip
    except helpers.HelperRefused as error:
        raise ApiError(
            409, _("The donation rules refuse this gift: %(code)s.") % {"code": error.code}, code=error.code
        ) from None
    body = donation_json(request, recorded.donation, with_person=True)
    return Status(201 if recorded.created else 200, body)


@router.post("/donations", response=CREATED_OR_FOUND, summary="Record a donation (OSDI helper semantics)")
def create_donation(request: HttpRequest, payload: DonationHelperIn) -> Any:
    return _record_donation(request, payload, None)


@router.post(
    "/donations/record_donation_helper", response=CREATED_OR_FOUND, summary="OSDI record donation helper"
)
def record_donation_helper(request: HttpRequest, payload: DonationHelperIn) -> Any:
    return _record_donation(request, payload, None)


@router.get("/donations/{donation_id}", summary="Read a donation")
def get_donation(request: HttpRequest, donation_id: ResourceId) -> dict[str, Any]:
    require_scope(request, "donations")
    donation = donation_or_404(paid_donations(), donation_id)
    return donation_json(request, donation, with_person=has_people_scope(request))


@router.get("/fundraising_pages", summary="List fundraising pages")
def list_pages(
    request: HttpRequest, page: Page = None, per_page: PerPage = None, filter: PageFilter = None
) -> dict[str, Any]:
    require_scope(request, "fundraising_pages")
    paging = hal.paging(page, per_page)
    rows, total = hal.page_of(filtered(FundraisingPage.objects.order_by("pk"), filter, PAGE_FILTERS), paging)
    return hal.collection(
        request, path="fundraising_pages", rel="fundraising_pages",
        items=[page_json(request, row) for row in rows], total=total, paging=paging, query={"filter": filter},
    )  # fmt: skip


@router.post(
    "/fundraising_pages",
    response=CREATED_OR_FOUND,
    summary="Create a fundraising page (the key's creator owns it)",
)
def create_page(request: HttpRequest, payload: FundraisingPageCreateIn) -> Any:
    key = require_scope(request, "fundraising_pages", write=True)
    if not payload.title or payload.goal is None:
        raise ApiError(422, _("A fundraising page needs a title and a goal."))
    if key.created_by is None:
        raise ApiError(409, _("This key has no staff member to own pages: create a new key."))
    created = page_actions.create_page(
        owner=key.created_by,
        draft=page_actions.PageDraft(
            title=payload.title, story=payload.description or "", goal_minor=minor_units(payload.goal)
        ),
    )
    return Status(201, page_json(request, created))


@router.get("/fundraising_pages/{page_id}", summary="Read a fundraising page")
def get_page(request: HttpRequest, page_id: ResourceId) -> dict[str, Any]:
    require_scope(request, "fundraising_pages")
    return page_json(request, page_or_404(page_id))


@router.put("/fundraising_pages/{page_id}", summary="Update a fundraising page")
def update_page(request: HttpRequest, page_id: ResourceId, payload: FundraisingPageIn) -> dict[str, Any]:
    require_scope(request, "fundraising_pages", write=True)
    page = page_or_404(page_id)
    page_actions.update_page(
        page=page,
        draft=page_actions.PageDraft(
            title=payload.title or page.title,
            story=payload.description if payload.description is not None else page.story,
            goal_minor=minor_units(payload.goal) if payload.goal is not None else page.goal_minor,
            event=page.event, team=page.team,
        ),
    )  # fmt: skip
    if payload.status and payload.status != page.status:
        page_actions.set_page_status(page=page, status=payload.status)
    return page_json(request, page_or_404(page_id))


@router.get("/fundraising_pages/{page_id}/donations", summary="List a fundraising page's donations")
def list_page_donations(
    request: HttpRequest, page_id: ResourceId, page: Page = None, per_page: PerPage = None,
    filter: DonationFilter = None,
) -> dict[str, Any]:  # fmt: skip
    require_scope(request, "fundraising_pages")
    require_scope(request, "donations")
    fundraising_page = page_or_404(page_id)
    return donations_page(
        request, paid_donations().filter(page=fundraising_page), path=f"fundraising_pages/{fundraising_page.pk}/donations",
        page=page, per_page=per_page, filter=filter,
    )  # fmt: skip


def _page_helper(request: HttpRequest, page_id: str, payload: DonationHelperIn) -> Any:
    return _record_donation(request, payload, page_or_404(page_id))


@router.post(
    "/fundraising_pages/{page_id}/donations", response=CREATED_OR_FOUND, summary="Record a donation to a page"
)
def create_page_donation(request: HttpRequest, page_id: ResourceId, payload: DonationHelperIn) -> Any:
    return _page_helper(request, page_id, payload)


@router.post(
    "/fundraising_pages/{page_id}/record_donation_helper", response=CREATED_OR_FOUND,
    summary="OSDI record donation helper for a page",
)  # fmt: skip
def page_record_donation_helper(request: HttpRequest, page_id: ResourceId, payload: DonationHelperIn) -> Any:
    return _page_helper(request, page_id, payload)
