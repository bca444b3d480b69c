"""`/api/docs/`: both OpenAPI documents generated from the code, and pages that list their operations
without any third-party request (no CDN: ninja's Swagger UI is not used)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from quartier.testing import client_for

pytestmark = pytest.mark.django_db
DOCUMENTS = ("mobilize", "osdi")


def third_party_references(html: str) -> list[str]:
    """Every address the page would load or link to on another host (scripts, styles, images, frames,
    links, forms)."""
    found = re.findall(r"""(?:src|href|action|srcset|data|poster)\s*=\s*["']([^"']+)["']""", html, re.I)
    found += re.findall(r"url\(\s*['\"]?([^'\")]+)", html, re.I)
    found += re.findall(r"@import\s+['\"]([^'\"]+)", html, re.I)
    return [address for address in found if urlsplit(address).netloc or address.startswith("//")]


def test_the_index_links_both_documents_and_their_pages():
    page = Client().get("/api/docs/")

    assert page.status_code == 200
    html = page.content.decode()
    for slug in DOCUMENTS:
        assert f'href="/api/docs/{slug}/"' in html
        assert f'href="/api/docs/{slug}/openapi.json"' in html


@pytest.mark.parametrize("slug", DOCUMENTS)
def test_each_document_is_the_one_generated_from_the_code_with_every_path(slug):
    document = Client().get(f"/api/docs/{slug}/openapi.json").json()
    served = Client().get(f"/api/{slug}/v1/openapi.json").json()

    assert document["openapi"].startswith("3.")
    assert document["paths"] == served["paths"]
    assert all(path.startswith(f"/api/{slug}/v1/") for path in document["paths"])


def test_the_mobilize_page_lists_every_operation_and_its_parameters():
    html = Client().get("/api/docs/mobilize/").content.decode()

    for path in (
        "/api/mobilize/v1/organizations",
        "/api/mobilize/v1/organizations/{organization_id}/events",
        "/api/mobilize/v1/events/{event_id}",
        "/api/mobilize/v1/organizations/{organization_id}/people",
        "/api/mobilize/v1/organizations/{organization_id}/attendances",
    ):
        assert f"GET {path}</code>" in html
    assert "timeslot_start" in html and "Needs an API key." in html


@pytest.mark.parametrize("url", ["/api/docs/", "/api/docs/mobilize/", "/api/docs/osdi/"])
@pytest.mark.parametrize("persona", ["anonymous", "supporter"])
def test_the_docs_pages_make_no_third_party_request(url, persona, supporter):
    client = Client() if persona == "anonymous" else client_for(supporter)

    html = client.get(url).content.decode()

    assert third_party_references(html) == []
    assert "swagger" not in html.lower() and "cdn" not in html.lower()


def test_the_docs_pages_are_in_french_for_a_french_reader():
    html = Client(HTTP_ACCEPT_LANGUAGE="fr").get("/api/docs/").content.decode()

    assert "Documentation des API" in html


def test_an_unknown_document_is_a_404():
    assert Client().get("/api/docs/nothing/").status_code == 404
    assert Client().get("/api/docs/nothing/openapi.json").status_code == 404
