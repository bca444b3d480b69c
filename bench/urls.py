"""Quartier's URLs, plus `/bench/trivial/`: the smallest page Django can serve through the same stack.

The trivial page goes through every middleware of `quartier.settings` (sessions, locale, CSRF, auth,
allauth, CSP, …) and returns a few bytes with no query and no template: the ceiling of what a page of
Quartier can reach on this server, so that each page's throughput is read as a ratio to it.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from quartier.urls import urlpatterns as quartier_urlpatterns

TRIVIAL_PATH = "/bench/trivial/"


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"<!doctype html><title>ok</title><p>ok</p>\n")


urlpatterns = [path(TRIVIAL_PATH.strip("/") + "/", trivial), *quartier_urlpatterns]
