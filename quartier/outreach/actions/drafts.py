"""Staff campaign email before it goes: drafts, checks, test sends, scheduling and cancelling."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from quartier.accounts.models import Supporter
from quartier.lib.text import render_markdown
from quartier.outreach import emails, merge, registry
from quartier.outreach.actions.campaign_send import SUBJECT_MAX_LENGTH, OutreachError, _start_task
from quartier.outreach.models import (
    TOPICS,
    Delivery,
    Message,
)


@dataclass
class Draft:
    """What staff write: the default version, other languages' versions and the segment."""

    subject: str
    body: str
    preview_text: str = ""
    language: str = ""
    versions: dict[str, dict[str, str]] = field(default_factory=dict)
    segment: dict = field(default_factory=dict)


def draft_problems(draft: Draft) -> list[str]:
    """What keeps a draft from being saved or sent, in the active language: empty when it is fine."""
    problems: list[str] = []
    if not " ".join(draft.subject.split()):
        problems.append(gettext("Write a subject."))
    if len(" ".join(draft.subject.split())) > SUBJECT_MAX_LENGTH:
        problems.append(gettext("The subject is too long."))
    if not draft.body.strip():
        problems.append(gettext("Write the message."))
    texts = [draft.subject, draft.preview_text, draft.body]
    for language, version in draft.versions.items():
        if bool(version.get("subject", "").strip()) != bool(version.get("body", "").strip()):
            problems.append(
                gettext("The %(language)s version needs both a subject and a message, or neither.")
                % {"language": language}
            )
        texts.extend(version.get(part, "") for part in ("subject", "preview_text", "body"))
    unknown = merge.unknown_fields(*texts)
    if unknown:
        problems.append(
            gettext("Unknown merge fields: %(fields)s. Use %(known)s.")
            % {
                "fields": ", ".join(unknown),
                "known": ", ".join(f"{{{{ {name} }}}}" for name in merge.FIELDS),
            }
        )
    return problems


def _versions(draft: Draft) -> dict[str, dict[str, str]]:
    versions = {}
    for language, version in draft.versions.items():
        if language in dict(settings.LANGUAGES) and version.get("subject", "").strip():
            versions[language] = {
                "subject": " ".join(version["subject"].split()),
                "preview_text": " ".join(version.get("preview_text", "").split()),
                "body": version["body"],
                "body_html": render_markdown(version["body"]),
            }
    return versions


@transaction.atomic
def save_draft(*, author: Supporter, draft: Draft, message: Message | None = None) -> Message:
    """Create or update a staff draft; raise `OutreachError` with what to fix."""
    problems = draft_problems(draft)
    if problems:
        raise OutreachError(problems)
    from quartier.outreach.segments import Segment

    segment = Segment.from_dict(draft.segment)
    if segment.topic not in TOPICS:
        raise OutreachError([f"not a topic: {segment.topic}"])
    fields = {
        "subject": " ".join(draft.subject.split()),
        "preview_text": " ".join(draft.preview_text.split()),
        "body": draft.body,
        "body_html": render_markdown(draft.body),
        "language": draft.language or settings.LANGUAGE_CODE,
        "versions": _versions(draft),
        "segment": segment.to_dict(),
        "audience": segment.topic,
        "audience_label": str(TOPICS[segment.topic]),
    }
    if message is None:
        return Message.objects.create(
            sender=author,
            reply_to_sender=False,
            status=Message.Status.DRAFT,
            # The code is drawn by `reach`, which registers its maker with outreach.
            refcode=registry.new_campaign_code(fields["subject"]),
            **fields,
        )
    editable = Message.objects.select_for_update().get(pk=message.pk)
    if editable.status != Message.Status.DRAFT:
        raise OutreachError(
            [gettext("Only a draft can be changed: this message is already scheduled or sent.")]
        )
    for name, value in fields.items():
        setattr(editable, name, value)
    editable.save(update_fields=list(fields))
    return editable


def send_problems(message: Message) -> list[str]:
    """What must be fixed before this message can go: the draft's own problems and an empty segment."""
    from quartier.outreach import segments

    draft = Draft(
        subject=message.subject,
        body=message.body,
        preview_text=message.preview_text,
        versions=message.versions,
    )
    problems = draft_problems(draft)
    if message.status != Message.Status.DRAFT:
        problems.append(gettext("This message is already scheduled or sent."))
    elif segments.count(segments.Segment.from_dict(message.segment)) == 0:
        problems.append(gettext("Nobody in this segment accepted this kind of email: widen the segment."))
    return problems


def send_test(*, message: Message, to: Supporter, as_recipient: Supporter | None = None) -> None:
    """Email the staff member themselves the message as `as_recipient` would get it (their language
    and merge fields), marked as a test; its unsubscribe link is the staff member's own."""
    renderer = emails.Renderer(message)
    reader = as_recipient or to
    renderer.prepare([reader])
    email = renderer.email_for(reader)
    email.to = [to.email]
    _language, _subject, _text, _html, own_unsubscribe = emails.Renderer(message).render(to)
    marker = renderer.render(reader)[4]
    email.body = email.body.replace(marker, own_unsubscribe)
    alternatives, email.alternatives = email.alternatives, []
    for content, mimetype in alternatives:
        email.attach_alternative(content.replace(marker, own_unsubscribe), mimetype)
    email.extra_headers["List-Unsubscribe"] = f"<{own_unsubscribe}>"
    email.subject = "[" + gettext("Test") + "] " + email.subject
    email.send()


@transaction.atomic
def schedule(*, message: Message, at: datetime | None) -> Message:
    """Send at `at` (the sweep starts it), or now when `at` is None. Only a ready draft can go."""
    locked = Message.objects.select_for_update().get(pk=message.pk)
    problems = send_problems(locked)
    if problems:
        raise OutreachError(problems)
    locked.status = Message.Status.SCHEDULED
    locked.scheduled_at = at or timezone.now()
    locked.save(update_fields=["status", "scheduled_at"])
    if at is None or at <= timezone.now():
        message_id = locked.pk
        transaction.on_commit(lambda: _start_task(message_id), robust=True)
    return locked


@transaction.atomic
def cancel(*, message: Message) -> int:
    """Stop a scheduled or running send: what is not yet handed to the mail server is skipped.

    Returns how many deliveries were skipped. Batches running look every `CANCEL_CHECK_EVERY`
    emails and give back the rest.
    """
    cancelled = Message.objects.filter(
        pk=message.pk, status__in=[Message.Status.SCHEDULED, Message.Status.SENDING, Message.Status.DRAFT]
    ).update(status=Message.Status.CANCELLED, finished_at=timezone.now())
    if not cancelled:
        return 0
    return Delivery.objects.filter(message=message, status=Delivery.Status.QUEUED).update(
        status=Delivery.Status.SKIPPED, error="cancelled"
    )
