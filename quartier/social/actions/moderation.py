"""Reports, moderation decisions with their audit log, and appeals."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from quartier.accounts.models import Supporter
from quartier.lib.page_cache import bump, stamp
from quartier.social.actions.common import SocialError, _lock, comments_changed, post_changed
from quartier.social.actions.notifications import notify
from quartier.social.models import (
    Appeal,
    Comment,
    Message,
    ModerationAction,
    Notification,
    Post,
    Report,
)
from quartier.social.queries import moderation as moderation_queries

# Reports one person may file per hour: enough for a real wave of abuse, not for flooding the queue.
REPORTS_PER_HOUR = 20


@transaction.atomic
def report(
    *,
    reporter: Supporter,
    reason: str,
    details: str,
    post: Post | None = None,
    comment: Comment | None = None,
    message: Message | None = None,
    profile: Supporter | None = None,
) -> Report:
    """Report one thing; reporting it again while the first report is open changes nothing.

    At most REPORTS_PER_HOUR new reports per person an hour (each lands in a moderator's queue)."""
    if not reporter.is_verified:
        raise SocialError("unverified")
    target = {"post": post, "comment": comment, "message": message, "profile": profile}
    given = {name: value for name, value in target.items() if value is not None}
    if len(given) != 1:
        raise ValueError("report exactly one thing")
    ((name, value),) = given.items()
    subject = {"post": lambda: post.author, "comment": lambda: comment.author, "message": lambda: message.sender,
               "profile": lambda: profile}[name]()  # fmt: skip
    if subject is not None and subject.pk == reporter.pk:
        raise SocialError("self")
    group_id = None
    if post is not None:
        group_id = post.group_id
    elif comment is not None:
        group_id = comment.post.group_id
    elif message is not None:
        group_id = message.conversation.group_id
    _lock(reporter)
    existing = Report.objects.filter(reporter=reporter, status=Report.Status.OPEN, **{name: value}).first()
    if existing is not None:
        return existing
    since = timezone.now() - timedelta(hours=1)
    if Report.objects.filter(reporter=reporter, created_at__gte=since).count() >= REPORTS_PER_HOUR:
        raise SocialError("reports_limited")
    return Report.objects.create(
        reporter=reporter, subject=subject, group_id=group_id, reason=reason, details=details, **{name: value}
    )


LEADER_ACTIONS = {
    ModerationAction.Kind.HIDE,
    ModerationAction.Kind.RESTORE,
    ModerationAction.Kind.WARN,
    ModerationAction.Kind.DISMISS,
}

SUSPENSION_DAYS = 7


@transaction.atomic
def moderate(
    *, moderator: Supporter, report: Report, kind: str, reason: str, days: int = SUSPENSION_DAYS
) -> ModerationAction:
    """Decide on a report: hide or restore what it is about, warn, suspend or ban its author, or
    dismiss it. The decision and its reason go to the audit log and to the author.

    Group leaders decide on their group's content with hide, restore, warn and dismiss; staff with all.
    """
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if not moderation_queries.may_moderate(moderator, locked):
        raise SocialError("not_moderator")
    if kind not in LEADER_ACTIONS and not moderator.is_staff:
        raise SocialError("not_staff")
    if not reason.strip():
        raise SocialError("reason_needed")
    if kind in {ModerationAction.Kind.HIDE, ModerationAction.Kind.RESTORE} and locked.profile_id is not None:
        raise SocialError("cannot_hide_profile")
    action = _decide(
        moderator=moderator, kind=kind, reason=reason, subject=locked.subject, report=locked,
        post=locked.post, comment=locked.comment, message=locked.message, days=days,
    )  # fmt: skip
    if kind != ModerationAction.Kind.RESTORE:
        Report.objects.filter(pk=locked.pk).update(
            status=Report.Status.DISMISSED
            if kind == ModerationAction.Kind.DISMISS
            else Report.Status.RESOLVED,
            resolved_at=timezone.now(),
        )
        # Every other open report of the same thing is dealt with by the same decision.
        same = {
            field: getattr(locked, field)
            for field in ("post", "comment", "message", "profile")
            if getattr(locked, field) is not None
        }
        Report.objects.filter(status=Report.Status.OPEN, **same).update(
            status=Report.Status.DISMISSED
            if kind == ModerationAction.Kind.DISMISS
            else Report.Status.RESOLVED,
            resolved_at=timezone.now(),
        )
    return action


def _decide(
    *,
    moderator,
    kind,
    reason,
    subject,
    report=None,
    post=None,
    comment=None,
    message=None,
    days=SUSPENSION_DAYS,
) -> ModerationAction:
    now = timezone.now()
    hidden_at = now if kind == ModerationAction.Kind.HIDE else None
    if kind in {ModerationAction.Kind.HIDE, ModerationAction.Kind.RESTORE}:
        for model, row in ((Post, post), (Comment, comment), (Message, message)):
            if row is not None:
                model.objects.filter(pk=row.pk).update(hidden_at=hidden_at)
        if post is not None:
            post_changed(post)
        if comment is not None:
            comments_changed(comment.post_id)
    until = now + timedelta(days=max(1, min(days, 365))) if kind == ModerationAction.Kind.SUSPEND else None
    action = ModerationAction.objects.create(
        kind=kind, moderator=moderator, subject=subject, report=report, post=post, comment=comment,
        message=message, reason=reason, until=until,
    )  # fmt: skip
    bump(stamp("supporter", subject.pk if subject is not None else None))  # a sanction hides their posts
    if subject is not None and kind != ModerationAction.Kind.DISMISS:
        notify(recipient=subject, kind=Notification.Kind.MODERATION, text=reason)
    return action


@transaction.atomic
def appeal(*, supporter: Supporter, action: ModerationAction, text: str) -> Appeal:
    if action.subject_id != supporter.pk:
        raise SocialError("not_found")
    if action.kind in {
        ModerationAction.Kind.RESTORE,
        ModerationAction.Kind.LIFT,
        ModerationAction.Kind.DISMISS,
    }:
        raise SocialError("nothing_to_appeal")
    if not text.strip():
        raise SocialError("empty")
    try:
        with transaction.atomic():
            return Appeal.objects.create(action=action, supporter=supporter, text=text)
    except IntegrityError:
        raise SocialError("already_appealed") from None


@transaction.atomic
def decide_appeal(*, staff: Supporter, appeal: Appeal, grant: bool, decision: str) -> Appeal:
    """Staff grant an appeal (the decision is reversed: restored, or the sanction lifted) or refuse it."""
    if not staff.is_staff:
        raise SocialError("not_staff")
    locked = Appeal.objects.select_for_update().select_related("action").get(pk=appeal.pk)
    if locked.status != Appeal.Status.OPEN:
        return locked
    if not decision.strip():
        raise SocialError("reason_needed")
    locked.status = Appeal.Status.GRANTED if grant else Appeal.Status.REFUSED
    locked.decided_by, locked.decision, locked.decided_at = staff, decision, timezone.now()
    locked.save(update_fields=["status", "decided_by", "decision", "decided_at"])
    action = locked.action
    if grant:
        if action.kind == ModerationAction.Kind.HIDE:
            _decide(moderator=staff, kind=ModerationAction.Kind.RESTORE, reason=decision, subject=action.subject,
                    post=action.post, comment=action.comment, message=action.message)  # fmt: skip
        elif action.kind in {ModerationAction.Kind.SUSPEND, ModerationAction.Kind.BAN}:
            _decide(moderator=staff, kind=ModerationAction.Kind.LIFT, reason=decision, subject=action.subject)
    elif action.subject is not None:
        notify(recipient=action.subject, kind=Notification.Kind.MODERATION, text=decision)
    return locked
