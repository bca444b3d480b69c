"""OSDI `tags` and their `taggings` (a tag on a person)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from quartier.accounts.models import Supporter
from quartier.api.actions import people as people_actions
from quartier.api.auth import require_scope
from quartier.api.errors import ApiError
from quartier.api.models import Tag, Tagging
from quartier.api.osdi import hal
from quartier.api.osdi.filters import FilterField, filtered
from quartier.api.osdi.params import Page, PerPage, ResourceId, filter_param
from quartier.api.osdi.schemas import TaggingIn, TagIn

router = Router(tags=["tags"])
CREATED_OR_FOUND = {200: dict[str, Any], 201: dict[str, Any]}

TAG_FILTERS = {
    "modified_date": FilterField("modified_at", "datetime"),
    "created_date": FilterField("created_at", "datetime"),
    "name": FilterField("name", "text"),
}
TAGGING_FILTERS = {
    "modified_date": FilterField("modified_at", "datetime"),
    "created_date": FilterField("created_at", "datetime"),
}

TagFilter = filter_param(TAG_FILTERS)
TaggingFilter = filter_param(TAGGING_FILTERS)


def tag_json(request: HttpRequest, tag: Tag) -> dict[str, Any]:
    return hal.resource(
        request, path=f"tags/{tag.pk}", pk=tag.pk, created=tag.created_at, modified=tag.modified_at,
        fields={"name": tag.name}, links={"osdi:taggings": f"tags/{tag.pk}/taggings"},
    )  # fmt: skip


def tagging_json(request: HttpRequest, tagging: Tagging) -> dict[str, Any]:
    return hal.resource(
        request, path=f"tags/{tagging.tag_id}/taggings/{tagging.pk}", pk=tagging.pk,
        created=tagging.created_at, modified=tagging.modified_at, fields={"item_type": "osdi:person"},
        links={"osdi:tag": f"tags/{tagging.tag_id}", "osdi:person": f"people/{tagging.supporter_id}"},
    )  # fmt: skip


def tag_or_404(raw_id: str) -> Tag:
    tag = Tag.objects.filter(pk=hal.parse_id(raw_id)).first()
    if tag is None:
        raise ApiError(404, _("No tag has this identifier."))
    return tag


def taggings_page(
    request: HttpRequest, queryset: QuerySet[Tagging], *, path: str, page: int | None, per_page: int | None,
    filter: str | None,
) -> dict[str, Any]:  # fmt: skip
    paging = hal.paging(page, per_page)
    rows, total = hal.page_of(filtered(queryset.order_by("pk"), filter, TAGGING_FILTERS), paging)
    return hal.collection(
        request, path=path, rel="taggings", items=[tagging_json(request, row) for row in rows], total=total,
        paging=paging, query={"filter": filter},
    )  # fmt: skip


@router.get("/tags", summary="List tags")
def list_tags(
    request: HttpRequest, page: Page = None, per_page: PerPage = None, filter: TagFilter = None
) -> dict[str, Any]:
    require_scope(request, "tags")
    paging = hal.paging(page, per_page)
    rows, total = hal.page_of(filtered(Tag.objects.order_by("pk"), filter, TAG_FILTERS), paging)
    return hal.collection(
        request, path="tags", rel="tags", items=[tag_json(request, row) for row in rows], total=total,
        paging=paging, query={"filter": filter},
    )  # fmt: skip


@router.post(
    "/tags", response=CREATED_OR_FOUND, summary="Create a tag (the existing one if the name is taken)"
)
def create_tag(request: HttpRequest, payload: TagIn) -> Any:
    require_scope(request, "tags", write=True)
    with transaction.atomic():
        tag, created = Tag.objects.get_or_create(name=payload.name)
    return Status(201 if created else 200, tag_json(request, tag))


@router.get("/tags/{tag_id}", summary="Read a tag")
def get_tag(request: HttpRequest, tag_id: ResourceId) -> dict[str, Any]:
    require_scope(request, "tags")
    return tag_json(request, tag_or_404(tag_id))


@router.put("/tags/{tag_id}", summary="Rename a tag")
def update_tag(request: HttpRequest, tag_id: ResourceId, payload: TagIn) -> dict[str, Any]:
    require_scope(request, "tags", write=True)
    tag = tag_or_404(tag_id)
    tag.name = payload.name
    try:
        with transaction.atomic():
            tag.save(update_fields=["name", "modified_at"])
    except IntegrityError:
        raise ApiError(409, _("Another tag already has this name.")) from None
    return tag_json(request, tag)


@router.get("/tags/{tag_id}/taggings", summary="List a tag's taggings")
def list_taggings(
    request: HttpRequest, tag_id: ResourceId, page: Page = None, per_page: PerPage = None,
    filter: TaggingFilter = None,
) -> dict[str, Any]:  # fmt: skip
    require_scope(request, "tags")
    tag = tag_or_404(tag_id)
    return taggings_page(
        request, Tagging.objects.filter(tag=tag), path=f"tags/{tag.pk}/taggings", page=page,
        per_page=per_page, filter=filter,
    )  # fmt: skip


@router.post("/tags/{tag_id}/taggings", response=CREATED_OR_FOUND, summary="Tag a person")
def create_tagging(request: HttpRequest, tag_id: ResourceId, payload: TaggingIn) -> Any:
    require_scope(request, "tags", write=True)
    tag = tag_or_404(tag_id)
    people = Supporter.objects.filter(deleted_at__isnull=True)
    if payload.person_identifier:
        supporter = people.filter(pk=hal.parse_id(payload.person_identifier)).first()
    else:  # the body names one or the other (TaggingIn)
        require_scope(request, "people")  # looking a person up by address tells whether they exist
        supporter = people.filter(email__iexact=payload.email_address).first()
    if supporter is None:  # a 409, not a 404: the tag at this address exists, the person named does not
        raise ApiError(409, _("No person has this identifier."), code="unknown_person")
    with transaction.atomic():
        tagging, created = Tagging.objects.get_or_create(tag=tag, supporter=supporter)
    return Status(201 if created else 200, tagging_json(request, tagging))


@router.get("/tags/{tag_id}/taggings/{tagging_id}", summary="Read a tagging")
def get_tagging(request: HttpRequest, tag_id: ResourceId, tagging_id: ResourceId) -> dict[str, Any]:
    require_scope(request, "tags")
    tagging = Tagging.objects.filter(tag_id=hal.parse_id(tag_id), pk=hal.parse_id(tagging_id)).first()
    if tagging is None:
        raise ApiError(404, _("No tagging has this identifier."))
    return tagging_json(request, tagging)


@router.delete("/tags/{tag_id}/taggings/{tagging_id}", response={204: None}, summary="Remove a tagging")
def delete_tagging(request: HttpRequest, tag_id: ResourceId, tagging_id: ResourceId) -> Any:
    require_scope(request, "tags", write=True)
    tagging = Tagging.objects.filter(tag_id=hal.parse_id(tag_id), pk=hal.parse_id(tagging_id)).first()
    if tagging is None:
        raise ApiError(404, _("No tagging has this identifier."))
    people_actions.untag_person(supporter=tagging.supporter, tag=tagging.tag)
    return Status(204, None)


@router.get("/people/{person_id}/taggings", summary="List a person's taggings")
def list_person_taggings(
    request: HttpRequest, person_id: ResourceId, page: Page = None, per_page: PerPage = None,
    filter: TaggingFilter = None,
) -> dict[str, Any]:  # fmt: skip
    require_scope(request, "people")
    require_scope(request, "tags")
    pk = hal.parse_id(person_id)
    if not Supporter.objects.filter(pk=pk, deleted_at__isnull=True).exists():
        raise ApiError(404, _("No person has this identifier."))
    return taggings_page(
        request, Tagging.objects.filter(supporter_id=pk), path=f"people/{pk}/taggings", page=page,
        per_page=per_page, filter=filter,
    )  # fmt: skip
