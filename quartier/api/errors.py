"""JSON errors for every API: a status, a short code and a reason a client's developer can act on.

Never HTML, never a 500 for bad input. `install_error_handlers(api)` gives a ninja API the handlers;
`json_errors(patterns)` makes the 405s ninja answers itself JSON too; `not_found` answers any unknown
path under an API's prefix (mount it last, as `quartier/api/urls.py` does).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

logger = logging.getLogger(__name__)

# The code each status carries when the raiser gives none.
CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "server_error",
}


class ApiError(Exception):
    """Raise anywhere under an API endpoint (or its auth) to answer `status` with a JSON reason."""

    def __init__(
        self,
        status: int,
        reason: str,
        *,
        code: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.code = code or CODES.get(status, "error")
        self.errors = errors
        self.headers = headers or {}


def error_response(
    status: int,
    reason: str,
    *,
    code: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    body: dict[str, Any] = {"error": code or CODES.get(status, "error"), "reason": str(reason)}
    if errors:
        body["errors"] = errors
    response = JsonResponse(body, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _validation_errors(detail: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic's errors, kept to what a client needs: where, what (never the input echoed back)."""
    cleaned = []
    for item in detail:
        location = [str(part) for part in item.get("loc", ())]
        cleaned.append({"field": ".".join(location), "message": str(item.get("msg", ""))})
    return cleaned


def install_error_handlers(api: NinjaAPI) -> None:
    """Every error an endpoint of `api` can meet answered as JSON with a reason."""

    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error_response(exc.status, exc.reason, code=exc.code, errors=exc.errors, headers=exc.headers)

    def on_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return error_response(
            422, _("The request is not valid: see errors."), errors=_validation_errors(exc.errors)
        )

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return error_response(exc.status_code, str(exc) or CODES.get(exc.status_code, "error"))

    def on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(401, _("An API key is needed: send it in the OSDI-API-Token header."))

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(404, _("Nothing was found at this address."))

    def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return error_response(403, str(exc) or _("This API key may not do that."))

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path)
        return error_response(500, _("Something went wrong on our side; it has been logged."))

    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(NinjaValidationError, on_validation)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(AuthenticationError, on_authentication)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(Exception, on_unexpected)


def _json_405(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            replacement = error_response(
                405,
                _("This address does not accept %(method)s; it accepts %(allowed)s.")
                % {"method": request.method, "allowed": allowed or "-"},
            )
            if allowed:
                replacement["Allow"] = allowed
            return replacement
        return response

    return wrapped


def json_errors(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    """The same URL patterns, with the bare 405 ninja answers for a wrong method made JSON."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            json_errors(pattern.url_patterns)
        else:
            pattern.callback = _json_405(pattern.callback)
    return patterns


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return error_response(404, _("Nothing was found at this address."))
