"""How allauth creates and verifies supporters."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import get_language

from quartier.accounts import actions, branding, trust
from quartier.accounts.forms import NEWS_CONSENT_WORDING
from quartier.accounts.middleware import page_language
from quartier.accounts.models import Supporter
from quartier.lib.network import client_address, parse_networks
from quartier.lib.urls import absolute_url


def user_display(user: Supporter) -> str:
    return user.display_name or user.email


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, through the reverse proxies of `TRUSTED_PROXIES` only."""
    return client_address(
        request.META.get("REMOTE_ADDR"),
        request.META.get("HTTP_X_FORWARDED_FOR"),
        parse_networks(settings.TRUSTED_PROXIES),
    )


def signup_referrer(request: HttpRequest) -> Supporter | None:
    """Who shared the link that brought this new supporter, found by `settings.SIGNUP_REFERRER_LOOKUP`.

    The lookup lives in `reach` (share links), which `accounts` may not import: the setting names it.
    """
    lookup = getattr(settings, "SIGNUP_REFERRER_LOOKUP", "")
    return import_string(lookup)(request) if lookup else None


def signup_refcode(request: HttpRequest) -> str:
    """The campaign email's code that brought this new supporter ("" if none), found by
    `settings.SIGNUP_REFCODE_LOOKUP` (in `reach`, as the referrer)."""
    lookup = getattr(settings, "SIGNUP_REFCODE_LOOKUP", "")
    return str(import_string(lookup)(request) or "") if lookup else ""


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: Supporter, form: Any, commit: bool = True) -> Supporter:
        user = super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        language = (get_language() or "en")[:2]
        supporter = actions.complete_signup(
            supporter=user,
            display_name=data["display_name"],
            country=data["country"],
            postal_code=data["postal_code"],
            language=language if language in {"en", "fr"} else "en",
            news_consent=bool(data.get("news_consent")),
            consent_wording=str(NEWS_CONSENT_WORDING),
            ip_address=client_ip(request),
            referred_by=signup_referrer(request),
            refcode=signup_refcode(request),
        )
        trust.signup_observed(
            supporter, ip_address=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")
        )
        return supporter

    def get_client_ip(self, request: HttpRequest) -> str:
        """The address allauth's rate limits count by: the same as ours, not allauth's proxy count."""
        address = client_ip(request)
        if address is None:
            raise PermissionDenied("Unable to determine the client's address")
        return address

    def confirm_email(self, request: HttpRequest, email_address: Any) -> bool:
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            actions.mark_email_verified(email_address.user)
        return confirmed

    def set_password(self, user: Supporter, password: str) -> None:
        """A first password set from a reset link claims a guest account: following the link proved
        the address, so it is confirmed too. (Guests cannot sign in, so no other way sets one.)"""
        claims_guest = not user.has_usable_password() and user.last_login is None
        super().set_password(user, password)
        if claims_guest:
            actions.mark_email_verified(user)
            EmailAddress.objects.update_or_create(
                user=user,
                email__iexact=user.email,
                defaults={"email": user.email, "verified": True, "primary": True},
            )

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        context.setdefault("site_name", self.get_site_name())
        super().send_mail(template_prefix, email, context)

    def get_site_name(self) -> str:
        return branding.current().name

    def get_from_email(self) -> str:
        return branding.current().from_email

    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: dict[str, Any] | None = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        """Allauth's flash messages in the language of the page that shows them.

        Signing in or out changes who is visiting: "Successfully signed in" was written in the
        browser's language and shown on the supporter's French page next. Signing out is announced
        while still signed in, to a visitor whose next page follows the browser.
        """
        if message_template == "account/messages/logged_out.txt":
            language = translation.get_language_from_request(request)
        else:
            language = page_language(request)
        with translation.override(language):
            super().add_message(request, level, message_template, message_context, extra_tags, message)

    # Links in allauth's emails leave the site like every other: they start with SITE_URL, not with
    # the host the request came through (see quartier.lib.urls).
    def get_email_confirmation_url(self, request: HttpRequest | None, emailconfirmation: Any) -> str:
        return absolute_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return absolute_url(path.replace("UID-KEY", quote(key)))
