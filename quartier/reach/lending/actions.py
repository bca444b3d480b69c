"""Lend your status, the writes: consent, connected accounts, campaign messages scheduled within each
lender's weekly cap, vetoes, and publishing (claimed with a conditional UPDATE, once per destination)."""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from quartier.accounts import branding
from quartier.accounts.activity import record_activity
from quartier.accounts.models import Supporter
from quartier.lib.urls import absolute_url
from quartier.reach import lend_registry
from quartier.reach.lending import crypto, services
from quartier.reach.models import (
    ConnectedAccount,
    LendingConsent,
    LendingMessage,
    LentPublication,
    LentStatus,
    MastodonApp,
    ReferralCode,
)
from quartier.reach.models.lending import MAX_WEEKLY_CAP, Service

log = logging.getLogger(__name__)
WEEKS_AHEAD = 4  # a message that finds no free week within this many is not lent by that lender
STALE_CLAIM = timedelta(minutes=10)
LINK_TOKEN = re.compile(
    r"[A-Za-z0-9_-]{1,24}"
)  # what `secrets.token_urlsafe(12)` draws  # a worker that claimed a status and died: another takes it over
LIVE = (
    LentStatus.State.SCHEDULED,
    LentStatus.State.PUBLISHING,
    LentStatus.State.PUBLISHED,
    LentStatus.State.FAILED,
)


class LendingError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# --- consent -------------------------------------------------------------------------------------


@transaction.atomic
def set_consent(*, supporter: Supporter, active: bool, weekly_cap: int) -> LendingConsent:
    """Opt in (or change the cap) or opt out; opting out is `revoke`."""
    if not 1 <= weekly_cap <= MAX_WEEKLY_CAP:
        raise LendingError("cap_out_of_range")
    consent, _created = LendingConsent.objects.select_for_update().get_or_create(supporter=supporter)
    if not active:
        consent.weekly_cap = weekly_cap
        consent.save(update_fields=["weekly_cap", "updated_at"])
        revoke(supporter=supporter)
        consent.refresh_from_db()
        return consent
    if not consent.is_active:
        consent.opted_in_at, consent.revoked_at = timezone.now(), None
    consent.is_active, consent.weekly_cap = True, weekly_cap
    consent.save(update_fields=["is_active", "weekly_cap", "opted_in_at", "revoked_at", "updated_at"])
    return consent


@transaction.atomic
def revoke(*, supporter: Supporter) -> int:
    """Stop lending at once: nothing more goes out, every connected account is disconnected (tokens
    deleted here, revoked at the service after commit). Returns the statuses cancelled."""
    LendingConsent.objects.filter(supporter=supporter, is_active=True).update(
        is_active=False, revoked_at=timezone.now(), updated_at=timezone.now()
    )
    cancelled = LentStatus.objects.filter(
        lender=supporter, state__in=[LentStatus.State.SCHEDULED, LentStatus.State.FAILED]
    ).update(state=LentStatus.State.CANCELLED)
    for account in list(ConnectedAccount.objects.filter(supporter=supporter)):
        disconnect(supporter=supporter, service=account.service)
    return cancelled


# --- connected accounts --------------------------------------------------------------------------


def mastodon_app_for(instance: str, redirect_uri: str) -> MastodonApp:
    """Quartier's client on the instance, registered on first use (a network call: outside any
    transaction; two people racing to register keep the first)."""
    app = MastodonApp.objects.filter(instance=instance, redirect_uri=redirect_uri).first()
    if app is not None:
        return app
    client_id, client_secret = services.mastodon_register_app(instance, redirect_uri, absolute_url("/"))
    try:
        with transaction.atomic():
            app, _created = MastodonApp.objects.update_or_create(
                instance=instance,
                defaults={"client_id": client_id, "client_secret_encrypted": crypto.encrypt(client_secret),
                          "redirect_uri": redirect_uri},
            )  # fmt: skip
    except IntegrityError:
        app = MastodonApp.objects.get(instance=instance)
    return app


def start_mastodon_connection(*, instance: str, redirect_uri: str) -> tuple[str, str]:
    """(the instance's authorize URL to send the supporter to, the `state` to check on return)."""
    app = mastodon_app_for(instance, redirect_uri)
    state = secrets.token_urlsafe(24)
    return services.mastodon_authorize_url(instance, app.client_id, redirect_uri, state), state


def finish_mastodon_connection(*, supporter: Supporter, instance: str, code: str) -> ConnectedAccount:
    app = MastodonApp.objects.filter(instance=instance).first()
    if app is None:
        raise LendingError("unknown_instance")
    secret = crypto.decrypt(app.client_secret_encrypted)
    token = services.mastodon_exchange_code(instance, app.client_id, secret, app.redirect_uri, code)
    handle = services.mastodon_account(instance, token)
    return _save_account(supporter, Service.MASTODON, instance, handle, token)


def connect_bluesky(*, supporter: Supporter, handle: str, app_password: str) -> ConnectedAccount:
    service = settings.REACH_BLUESKY_SERVICE
    session, shown = services.bluesky_sign_in(service, handle, app_password)
    return _save_account(supporter, Service.BLUESKY, service, shown, session)


@transaction.atomic
def _save_account(
    supporter: Supporter, service: str, host: str, handle: str, credential: str
) -> ConnectedAccount:
    consent = LendingConsent.objects.select_for_update().filter(supporter=supporter, is_active=True).first()
    if consent is None:
        raise LendingError("not_lending")  # revoked while the service was answering: keep nothing
    previous = ConnectedAccount.objects.filter(supporter=supporter, service=service).first()
    if previous is not None:
        disconnect(supporter=supporter, service=service)
    return ConnectedAccount.objects.create(
        supporter=supporter, service=service, host=host, handle=handle[:300],
        credentials_encrypted=crypto.encrypt(credential),
    )  # fmt: skip


@transaction.atomic
def disconnect(*, supporter: Supporter, service: str) -> bool:
    """Delete the account's credentials now; ask the service to revoke them after commit (best effort)."""
    account = ConnectedAccount.objects.filter(supporter=supporter, service=service).first()
    if account is None:
        return False
    credential, host = crypto.decrypt(account.credentials_encrypted), account.host
    account.delete()
    if credential:
        transaction.on_commit(lambda: _revoke_remotely(service, host, credential))
    return True


def _revoke_remotely(service: str, host: str, credential: str) -> None:
    if service == Service.MASTODON:
        app = MastodonApp.objects.filter(instance=host).first()
        if app is not None:
            services.mastodon_revoke(
                host, app.client_id, crypto.decrypt(app.client_secret_encrypted), credential
            )
    else:
        services.bluesky_sign_out(host, credential)


# --- campaign messages and their schedule --------------------------------------------------------


@dataclass(frozen=True)
class MessageDraft:
    campaign: str
    text: str
    link_path: str
    veto_hours: int


def week_start(moment: datetime) -> datetime:
    """Monday 00:00 UTC of the week `moment` falls in: caps count calendar weeks."""
    day = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


@transaction.atomic
def write_message(*, author: Supporter, draft: MessageDraft) -> tuple[LendingMessage, int]:
    """A campaign message, scheduled for every lender within their cap. Returns it and how many."""
    if not author.is_staff:
        raise LendingError("not_staff")
    if draft.link_path and not draft.link_path.startswith("/"):
        raise LendingError("link_not_a_path")
    message = LendingMessage.objects.create(
        campaign=draft.campaign, text=draft.text, link_path=draft.link_path, veto_hours=draft.veto_hours,
        author=author,
    )  # fmt: skip
    earliest = timezone.now() + timedelta(hours=draft.veto_hours)
    scheduled = 0
    for lender_id in LendingConsent.objects.filter(is_active=True).values_list("supporter_id", flat=True):
        if schedule_for(lender_id=lender_id, message=message, earliest=earliest) is not None:
            scheduled += 1
    return message, scheduled


@transaction.atomic
def schedule_for(*, lender_id: int, message: LendingMessage, earliest: datetime) -> LentStatus | None:
    """The lender's copy of the message in the first week (from `earliest`'s) where they have room.

    The lender's consent row is locked while counting and inserting: two messages scheduled at once
    for one lender queue behind each other and never both take the last place of a week."""
    consent = (
        LendingConsent.objects.select_for_update().filter(supporter_id=lender_id, is_active=True).first()
    )
    if consent is None:
        return None
    for weeks in range(WEEKS_AHEAD):
        publish_at = earliest + timedelta(weeks=weeks)
        start = week_start(publish_at)
        taken = LentStatus.objects.filter(
            lender_id=lender_id,
            state__in=LIVE,
            publish_at__gte=start,
            publish_at__lt=start + timedelta(days=7),
        ).count()
        if taken < consent.weekly_cap:
            status, created = LentStatus.objects.get_or_create(
                message=message, lender_id=lender_id,
                defaults={"publish_at": publish_at, "link_token": secrets.token_urlsafe(12)},
            )  # fmt: skip
            if created:
                transaction.on_commit(partial(announce, status.pk))
            return status
    return None


def announce(status_id: int) -> None:
    """The lender's advance notice: what will go out, when, and the link to veto it (transactional)."""
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string
    from django.urls import reverse

    status = LentStatus.objects.select_related("message", "lender").filter(pk=status_id).first()
    if status is None or status.state != LentStatus.State.SCHEDULED or not status.lender.is_active:
        return
    lender = status.lender
    with translation.override(lender.language or "en"):
        context = {
            "status": status, "text": compose_text(status), "site_name": branding.current().name,
            "upcoming_url": absolute_url(reverse("reach:lend_upcoming")),
            "postal_address": settings.CAMPAIGN_POSTAL_ADDRESS,
        }  # fmt: skip
        email = EmailMultiAlternatives(
            subject=gettext("A message will be shared in your name: veto it if you wish"),
            body=render_to_string("reach/email/lent_status_announced.txt", context),
            to=[lender.email],
        )
    email.send()
    LentStatus.objects.filter(pk=status_id, announced_at__isnull=True).update(announced_at=timezone.now())


def label_for(status: LentStatus) -> str:
    with translation.override(status.lender.language or "en"):
        return gettext("Shared on behalf of %(campaign)s with %(name)s's permission") % {
            "campaign": status.message.campaign, "name": status.lender.display_name,
        }  # fmt: skip


def link_of(status: LentStatus) -> str:
    from django.urls import reverse

    return absolute_url(reverse("reach:lent_link", args=[status.link_token]))


def compose_text(status: LentStatus, limit: int | None = None) -> str:
    """What goes out: the message, its tracked link, and the label, always; the message is shortened
    (with "…") when the service counts fewer characters than the three need (Bluesky: 300)."""
    link, label, text = link_of(status), label_for(status), status.message.text
    room = None if limit is None else limit - len(link) - len(label) - 3
    if room is not None and len(text) > room:
        text = text[: max(room - 1, 0)].rstrip() + "…"
    return f"{text}\n{link}\n\n{label}"


@transaction.atomic
def veto(*, lender: Supporter, status_id: int) -> bool:
    """Stop one lent status before it goes out (only the lender's own, only while still scheduled)."""
    return bool(
        LentStatus.objects.filter(
            pk=status_id, lender=lender, state__in=[LentStatus.State.SCHEDULED, LentStatus.State.FAILED]
        ).update(state=LentStatus.State.VETOED, vetoed_at=timezone.now())
    )


def count_visit(token: str) -> tuple[str, str] | None:
    """A click on a lent status's link: counted, then (the page it leads to, the lender's code)."""
    if not LINK_TOKEN.fullmatch(token):
        return None  # not one of ours (PostgreSQL refuses some characters outright)
    status = LentStatus.objects.select_related("message").filter(link_token=token).first()
    if status is None:
        return None
    LentStatus.objects.filter(pk=status.pk).update(visits=F("visits") + 1)
    code = ReferralCode.objects.filter(supporter_id=status.lender_id).values_list("code", flat=True).first()
    return status.message.link_path or "/", code or ""


# --- publishing ----------------------------------------------------------------------------------


def due_status_ids(now: datetime, limit: int = 200) -> list[int]:
    return list(
        LentStatus.objects.filter(
            Q(state__in=[LentStatus.State.SCHEDULED, LentStatus.State.FAILED], publish_at__lte=now)
            | Q(state=LentStatus.State.PUBLISHING, claimed_at__lt=now - STALE_CLAIM)
        )
        .order_by("publish_at")
        .values_list("pk", flat=True)[:limit]
    )


def claim(status_id: int, now: datetime) -> bool:
    """Take the status for this worker with one conditional UPDATE: of two workers, one wins."""
    return bool(
        LentStatus.objects.filter(
            Q(state__in=[LentStatus.State.SCHEDULED, LentStatus.State.FAILED], publish_at__lte=now)
            | Q(state=LentStatus.State.PUBLISHING, claimed_at__lt=now - STALE_CLAIM),
            pk=status_id,
        ).update(state=LentStatus.State.PUBLISHING, claimed_at=now, attempts=F("attempts") + 1)
    )


def publish(status_id: int, now: datetime | None = None) -> str:
    """Publish one due lent status everywhere the lender allowed; returns its state afterwards.

    Each destination is done once: its `LentPublication` row is unique, the Quartier post is created in
    the same transaction as that row, Mastodon gets an Idempotency-Key and Bluesky a fixed record key,
    so a retry after a crash or a timeout posts nothing twice."""
    now = now or timezone.now()
    if not claim(status_id, now):
        return "not_due"
    status = LentStatus.objects.select_related("message", "lender").get(pk=status_id)
    if not LendingConsent.objects.filter(supporter_id=status.lender_id, is_active=True).exists():
        LentStatus.objects.filter(pk=status_id).update(state=LentStatus.State.CANCELLED)
        return LentStatus.State.CANCELLED
    text, done = compose_text(status), set(status.publications.values_list("destination", flat=True))
    errors: list[str] = []
    retryable = True
    if "quartier" not in done:
        try:
            with transaction.atomic():
                post_id, path = lend_registry.quartier_publisher()(
                    status.lender, status.message.campaign, text, f"lent:{status.pk}"
                )
                LentPublication.objects.create(
                    status=status, destination="quartier", remote_id=str(post_id), url=path
                )
                record_activity("reach.status_lent", supporter=status.lender, key=f"lent:{status.pk}")
        except LookupError:
            raise  # no publisher registered: a configuration error, not a failure to retry
        except Exception as error:  # social refused (rate limit, suspended author): shown, retried
            log.warning("lent status %s not posted on Quartier: %r", status.pk, error)
            errors.append(f"quartier: {error}"[:150])
    for account in ConnectedAccount.objects.filter(supporter_id=status.lender_id).exclude(service__in=done):
        try:
            _publish_to(account, status, text)
        except services.ServiceError as error:
            errors.append(f"{account.service}: {error}")
            retryable = retryable and error.retryable
    if not errors:
        LentStatus.objects.filter(pk=status_id).update(
            state=LentStatus.State.PUBLISHED, published_at=now, last_error=""
        )
        return LentStatus.State.PUBLISHED
    gave_up = not retryable or status.attempts >= settings.REACH_LENDING_MAX_ATTEMPTS
    LentStatus.objects.filter(pk=status_id).update(
        state=LentStatus.State.GAVE_UP if gave_up else LentStatus.State.FAILED,
        publish_at=now + timedelta(minutes=2**status.attempts),  # 2, 4, 8… minutes
        last_error="; ".join(errors)[:300],
    )
    return LentStatus.State.GAVE_UP if gave_up else LentStatus.State.FAILED


def _publish_to(account: ConnectedAccount, status: LentStatus, text: str) -> None:
    credential = crypto.decrypt(account.credentials_encrypted)
    if not credential:
        raise services.ServiceError("the connection expired: reconnect the account", retryable=False)
    if account.service == Service.MASTODON:
        published = services.mastodon_post(account.host, credential, text, f"quartier-lent-{status.pk}")
    else:
        rkey = services.bluesky_rkey(status.pk, status.message.created_at)
        text = compose_text(status, limit=services.BLUESKY_TEXT_LIMIT)
        published, session = services.bluesky_post(
            account.host, credential, text, rkey, status.message.created_at, link=link_of(status)
        )
        if session != credential:
            ConnectedAccount.objects.filter(pk=account.pk).update(
                credentials_encrypted=crypto.encrypt(session)
            )
    try:
        with transaction.atomic():
            LentPublication.objects.create(
                status=status, destination=account.service, remote_id=published.remote_id[:300],
                url=published.url[:500],
            )  # fmt: skip
    except IntegrityError:
        pass  # another worker recorded it (the service's idempotency kept it to one post)
