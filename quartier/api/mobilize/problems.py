"""Mobilize's errors: `{"data": null, "error": {"detail": "…"}}` with the status that fits."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _


class MobilizeError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def error_response(status: int, detail: str, **headers: str) -> HttpResponse:
    response = JsonResponse({"data": None, "error": {"detail": str(detail)}}, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def handle(_request: HttpRequest, problem: MobilizeError) -> HttpResponse:
    return error_response(problem.status, problem.detail)


def not_found(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return error_response(404, _("Nothing was found at this address."))
