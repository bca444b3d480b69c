from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.contrib.messages import middleware as messages_middleware
from django.contrib.messages.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject, empty

from quartier.accounts import signed_in


def may_be_signed_in(request: HttpRequest) -> bool:
    """Whether the request carries a session: without one nobody is signed in, and reading `request.user`
    (the session, the user model) can be skipped."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def saved_language(request: HttpRequest) -> str | None:
    """The signed-in supporter's saved language, when it wins over the browser's (no fresh switch)."""
    user = getattr(request, "user", None)
    if (
        user is not None
        and user.is_authenticated
        and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
        and user.language in dict(settings.LANGUAGES)
    ):
        return user.language
    return None


def page_language(request: HttpRequest) -> str:
    """The language the next page of this visitor is shown in (who is signed in may just have changed)."""
    return saved_language(request) or translation.get_language_from_request(request)


class LanguageMiddleware:
    """The page's language in one step: a signed-in supporter's saved language (unless they just switched
    with the language switcher), else the language cookie, else the browser's `Accept-Language`.

    It replaces Django's `LocaleMiddleware` and runs after authentication (the saved language needs the
    user): Quartier's URLs carry no language prefix, so none of that middleware's path handling applies,
    and a request without a session never reads the user (`may_be_signed_in`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = saved_language(request) if may_be_signed_in(request) else None
        translation.activate(language or translation.get_language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())  # a view may switch it
        return response


class MessageMiddleware(messages_middleware.MessageMiddleware):
    """Django's, with the message storage made only when something reads or adds a message: most
    requests carry no message and show none, and building the storage (a cookie signer, two backends)
    was a tenth of a trivial request."""

    def process_request(self, request: HttpRequest) -> None:
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        storage = getattr(request, "_messages", None)
        if isinstance(storage, SimpleLazyObject) and storage._wrapped is empty:
            return response  # nothing was added, nothing was read: nothing to store or to clear
        return super().process_response(request, response)


class StaffTwoFactorMiddleware:
    """Staff accounts must turn on two-factor authentication before doing anything else."""

    # Account pages (to set it up), and links that arrive by email or from calendar applications.
    ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/media/", "/branding.css", "/healthz", "/unsubscribe/",
                        "/calendar/", "/rsvps/cancel/")  # fmt: skip

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not may_be_signed_in(request):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.is_staff
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and not _has_totp(user)
        ):
            return redirect(reverse("mfa_activate_totp") + "?required=staff")
        return self.get_response(request)


def _has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, with `request.user` read through the signed-in cache (`signed_in.py`): no query per
    request for who is signed in."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _user_of(request))


def _user_of(request: HttpRequest):
    if not hasattr(request, "_cached_user"):
        request._cached_user = signed_in.get_user(request)
    return request._cached_user
