"""Notification emails: one email for the notifications waiting for a supporter, in their language.

Built like outreach's messages (from the campaign's address, `DEFAULT_FROM_EMAIL`; text and HTML
parts; every link from `lib.urls.absolute_url`) and sent through the configured Django email backend.
The email only says what happened and links to it: the text of a post or message stays on the site,
behind its visibility rules.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from quartier.accounts import branding
from quartier.accounts.models import Supporter
from quartier.lib.urls import absolute_url
from quartier.social.models import Notification


def link_of(notification: Notification) -> str:
    """Where a notification leads, as a site path."""
    if notification.conversation_id is not None:
        return notification.conversation.get_absolute_url()
    if notification.comment_id is not None:
        return (
            f"{reverse('social:post', args=[notification.comment.post_id])}#comment-{notification.comment_id}"
        )
    if notification.post_id is not None:
        return reverse("social:post", args=[notification.post_id])
    if notification.kind == Notification.Kind.MODERATION:
        return reverse("social:my_decisions")
    if notification.actor_id is not None and notification.actor.handle:
        return reverse("accounts:profile", args=[notification.actor.handle])
    return reverse("social:notifications")


def build_notification_email(
    supporter: Supporter, notifications: list[Notification]
) -> EmailMultiAlternatives:
    language = (
        supporter.language if supporter.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    )
    with translation.override(language):
        items = [{"notification": n, "url": absolute_url(link_of(n))} for n in notifications]
        subject = ngettext(
            "%(count)d new notification on %(site)s", "%(count)d new notifications on %(site)s", len(items)
        ) % {"count": len(items), "site": branding.current().name}
        context = {
            "supporter": supporter,
            "items": items,
            "site_name": branding.current().name,
            "notifications_url": absolute_url(reverse("social:notifications")),
            "preferences_url": absolute_url(reverse("social:settings")),
        }
        text = render_to_string("social/email/notifications.txt", context)
        html = render_to_string("social/email/notifications.html", context)
        email = EmailMultiAlternatives(
            subject=subject, body=text, from_email=branding.current().from_email, to=[supporter.email],
            headers={"Content-Language": language, "Auto-Submitted": "auto-generated"},
        )  # fmt: skip
    email.attach_alternative(html, "text/html")
    return email
