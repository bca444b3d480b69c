"""OSDI `forms` (signup forms) and their `submissions`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from quartier.api.actions import forms as form_actions
from quartier.api.auth import require_scope
from quartier.api.errors import ApiError
from quartier.api.models import Form, Submission
from quartier.api.osdi import hal
from quartier.api.osdi.filters import FilterField, filtered
from quartier.api.osdi.params import Page, PerPage, ResourceId, filter_param
from quartier.api.osdi.people import client_name, person_input
from quartier.api.osdi.schemas import FormCreateIn, FormIn, SubmissionIn

router = Router(tags=["forms"])

FORM_FILTERS = {
    "modified_date": FilterField("modified_at", "datetime"),
    "created_date": FilterField("created_at", "datetime"),
    "title": FilterField("title", "text"),
}
SUBMISSION_FILTERS = {
    "modified_date": FilterField("modified_at", "datetime"),
    "created_date": FilterField("created_at", "datetime"),
}

FormFilter = filter_param(FORM_FILTERS)
SubmissionFilter = filter_param(SUBMISSION_FILTERS)


def form_json(request: HttpRequest, form: Form) -> dict[str, Any]:
    return hal.resource(
        request, path=f"forms/{form.pk}", pk=form.pk, created=form.created_at, modified=form.modified_at,
        fields={
            "title": form.title, "description": form.description, "call_to_action": form.call_to_action,
            "total_submissions": form.submission_count, "add_tags": list(form.add_tags),
        },
        links={
            "osdi:submissions": f"forms/{form.pk}/submissions",
            "osdi:record_submission_helper": f"forms/{form.pk}/record_submission_helper",
        },
    )  # fmt: skip


def submission_json(request: HttpRequest, submission: Submission) -> dict[str, Any]:
    return hal.resource(
        request, path=f"forms/{submission.form_id}/submissions/{submission.pk}", pk=submission.pk,
        created=submission.created_at, modified=submission.modified_at, fields={},
        links={"osdi:form": f"forms/{submission.form_id}", "osdi:person": f"people/{submission.supporter_id}"},
    )  # fmt: skip


def form_or_404(raw_id: str) -> Form:
    form = Form.objects.filter(pk=hal.parse_id(raw_id)).first()
    if form is None:
        raise ApiError(404, _("No form has this identifier."))
    return form


def changes_from(payload: FormIn) -> form_actions.FormChanges:
    return form_actions.FormChanges(
        title=payload.title, description=payload.description, call_to_action=payload.call_to_action,
        add_tags=payload.add_tags,
    )  # fmt: skip


@router.get("", summary="List signup forms")
def list_forms(
    request: HttpRequest, page: Page = None, per_page: PerPage = None, filter: FormFilter = None
) -> dict[str, Any]:
    require_scope(request, "forms")
    paging = hal.paging(page, per_page)
    rows, total = hal.page_of(filtered(Form.objects.order_by("pk"), filter, FORM_FILTERS), paging)
    return hal.collection(
        request, path="forms", rel="forms", items=[form_json(request, row) for row in rows], total=total,
        paging=paging, query={"filter": filter},
    )  # fmt: skip


@router.post("", response={201: dict[str, Any]}, summary="Create a signup form")
def create_form(request: HttpRequest, payload: FormCreateIn) -> Any:
    key = require_scope(request, "forms", write=True)
    if not payload.title:
        raise ApiError(422, _("A form needs a title."))
    form = form_actions.create_form(changes=changes_from(payload), created_by=key.created_by)
    return Status(201, form_json(request, form))


@router.get("/{form_id}", summary="Read a signup form")
def get_form(request: HttpRequest, form_id: ResourceId) -> dict[str, Any]:
    require_scope(request, "forms")
    return form_json(request, form_or_404(form_id))


@router.put("/{form_id}", summary="Update a signup form")
def update_form(request: HttpRequest, form_id: ResourceId, payload: FormIn) -> dict[str, Any]:
    require_scope(request, "forms", write=True)
    form = form_actions.update_form(form=form_or_404(form_id), changes=changes_from(payload))
    return form_json(request, form)


@router.get("/{form_id}/submissions", summary="List a form's submissions")
def list_submissions(
    request: HttpRequest, form_id: ResourceId, page: Page = None, per_page: PerPage = None,
    filter: SubmissionFilter = None,
) -> dict[str, Any]:  # fmt: skip
    require_scope(request, "forms")
    form = form_or_404(form_id)
    paging = hal.paging(page, per_page)
    queryset = filtered(Submission.objects.filter(form=form).order_by("pk"), filter, SUBMISSION_FILTERS)
    rows, total = hal.page_of(queryset, paging)
    return hal.collection(
        request, path=f"forms/{form.pk}/submissions", rel="submissions",
        items=[submission_json(request, row) for row in rows], total=total, paging=paging,
        query={"filter": filter},
    )  # fmt: skip


def _submit(request: HttpRequest, form_id: str, payload: SubmissionIn) -> Any:
    require_scope(request, "forms", write=True)
    require_scope(request, "people", write=True)
    form = form_or_404(form_id)
    result = form_actions.submit_form(
        form=form, person=person_input(payload.person, require_email=True), client=client_name(request),
        add_tags=payload.add_tags,
    )  # fmt: skip
    return Status(201, submission_json(request, result.submission))


@router.post("/{form_id}/submissions", response={201: dict[str, Any]}, summary="Submit the form for a person")
def create_submission(request: HttpRequest, form_id: ResourceId, payload: SubmissionIn) -> Any:
    return _submit(request, form_id, payload)


@router.post(
    "/{form_id}/record_submission_helper",
    response={201: dict[str, Any]},
    summary="OSDI record submission helper",
)
def record_submission_helper(request: HttpRequest, form_id: ResourceId, payload: SubmissionIn) -> Any:
    return _submit(request, form_id, payload)


@router.get("/{form_id}/submissions/{submission_id}", summary="Read a submission")
def get_submission(request: HttpRequest, form_id: ResourceId, submission_id: ResourceId) -> dict[str, Any]:
    require_scope(request, "forms")
    submission = Submission.objects.filter(
        form_id=hal.parse_id(form_id), pk=hal.parse_id(submission_id)
    ).first()
    if submission is None:
        raise ApiError(404, _("No submission has this identifier."))
    return submission_json(request, submission)
