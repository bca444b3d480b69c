"""Scripts and their questions."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from quartier.fieldwork.actions.common import FieldworkError
from quartier.fieldwork.models import (
    Answer,
    Question,
    Script,
)


@dataclass
class QuestionDraft:
    kind: str
    text: str
    text_fr: str
    choices: list[dict]
    defines_success: bool
    success_values: list[str]


@transaction.atomic
def save_script(
    *,
    script: Script | None,
    name: str,
    introduction: str,
    introduction_fr: str,
    questions: list[QuestionDraft],
) -> Script:
    """Create or replace a script with its questions, numbered 1, 2, … in the order given.

    Answers already recorded keep pointing at their questions: a question that stays (same position)
    is updated in place, one removed is deleted only if nobody answered it.
    """
    if sum(1 for q in questions if q.defines_success) > 1:
        raise FieldworkError(_("Only one question can define success."))
    for position, question in enumerate(questions, start=1):
        for choice in question.choices:
            if (
                choice.get("next") is not None
                and choice["next"] != 0
                and not position < choice["next"] <= len(questions)
            ):
                raise FieldworkError(
                    _("Question %(number)s: an answer can only lead to a later question.")
                    % {"number": position}
                )
    if script is None:
        script = Script.objects.create(name=name, introduction=introduction, introduction_fr=introduction_fr)
    else:
        Script.objects.filter(pk=script.pk).update(
            name=name, introduction=introduction, introduction_fr=introduction_fr
        )
        script.refresh_from_db()
    existing = {q.position: q for q in Question.objects.filter(script=script)}
    Question.objects.filter(script=script).update(defines_success=False)
    for position, draft in enumerate(questions, start=1):
        values = {
            "kind": draft.kind, "text": draft.text, "text_fr": draft.text_fr, "choices": draft.choices,
            "defines_success": draft.defines_success, "success_values": draft.success_values,
        }  # fmt: skip
        if position in existing:
            Question.objects.filter(pk=existing[position].pk).update(**values)
        else:
            Question.objects.create(script=script, position=position, **values)
    for position, question in existing.items():
        if position > len(questions):
            if Answer.objects.filter(question=question).exists():
                raise FieldworkError(_("A question people already answered cannot be removed."))
            question.delete()
    return script
