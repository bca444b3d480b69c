"""Signup forms and their submissions: a submission creates or merges its person, then tags them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from quartier.accounts.models import Supporter
from quartier.api.actions.people import PersonInput, signup_person
from quartier.api.models import Form, Submission


@dataclass(frozen=True)
class FormChanges:
    title: str | None = None
    description: str | None = None
    call_to_action: str | None = None
    add_tags: list[str] | None = None


@transaction.atomic
def create_form(*, changes: FormChanges, created_by: Supporter | None) -> Form:
    return Form.objects.create(
        title=changes.title or "", description=changes.description or "",
        call_to_action=changes.call_to_action or "", add_tags=changes.add_tags or [], created_by=created_by,
    )  # fmt: skip


@transaction.atomic
def update_form(*, form: Form, changes: FormChanges) -> Form:
    for name in ("title", "description", "call_to_action", "add_tags"):
        value = getattr(changes, name)
        if value is not None:
            setattr(form, name, value)
    form.modified_at = timezone.now()
    form.save(update_fields=["title", "description", "call_to_action", "add_tags", "modified_at"])
    return form


@dataclass(frozen=True)
class SubmissionResult:
    submission: Submission
    person_created: bool


@transaction.atomic
def submit_form(*, form: Form, person: PersonInput, client: str, add_tags: list[str]) -> SubmissionResult:
    """One submission of the form: its person created or merged by email, tagged with the form's tags."""
    signup = signup_person(person=person, client=client, add_tags=[*form.add_tags, *add_tags])
    submission = Submission.objects.create(form=form, supporter=signup.supporter)
    Form.objects.filter(pk=form.pk).update(submission_count=F("submission_count") + 1)
    return SubmissionResult(submission=submission, person_created=signup.created)
