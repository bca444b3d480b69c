"""The pages of `/api/docs/`: an index, each API's operations, and each API's OpenAPI document."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from quartier.api.docs.documents import available, find, operations


def docs_index(request: HttpRequest) -> HttpResponse:
    return render(request, "api/docs/index.html", {"documents": available()})


def docs_operations(request: HttpRequest, slug: str) -> HttpResponse:
    document = find(slug)
    if document is None:
        raise Http404
    schema = document.schema()
    return render(
        request,
        "api/docs/operations.html",
        {"document": document, "info": schema.get("info", {}), "operations": operations(schema)},
    )


def docs_openapi(request: HttpRequest, slug: str) -> JsonResponse:
    document = find(slug)
    if document is None:
        raise Http404
    return JsonResponse(document.schema(), json_dumps_params={"ensure_ascii": False})
