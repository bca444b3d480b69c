"""The rendered body of public pages, cached for anonymous visitors only, keyed on what they show.

A view loads and checks what it shows as usual (the permission check runs on every request), then
hands its rendering to `cached_anonymous_page` with the *version* of what the page shows: the rows'
`updated_at`, the shifts' counts, the names shown. The key is that version plus everything else a
page reads from the request (scheme, host, path and query, language, the time zone cookie), so a
change to what the page shows is a new key: the next request renders afresh, never seconds later.

Only anonymous visitors with no session and no pending message are served from the cache (nobody else
sees the same page); nothing private reaches an anonymous page, so nothing private is ever stored.
What differs per response is not stored: the CSP nonce and the CSRF token of the page's forms are
replaced by placeholders in the stored body and filled in afresh for each response (the nonce then
matches the response's `Content-Security-Policy` header, the token the visitor's CSRF cookie).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

from quartier.lib.zones import viewer_time_zone

# Neither can appear in a rendered page: text is escaped (`<` becomes `&lt;`) and user HTML sanitised.
NONCE_PLACEHOLDER = "<%csp-nonce%>"
CSRF_PLACEHOLDER = "<%csrf-token%>"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')
KEY_PREFIX = "page:v1:"


def serves_from_cache(request: HttpRequest) -> bool:
    """Whether `request` may get (and fill) the shared anonymous copy of a page."""
    user = getattr(request, "user", None)
    return (
        request.method == "GET"
        and user is not None
        and not user.is_authenticated
        and settings.SESSION_COOKIE_NAME not in request.COOKIES  # a session may hold what the page shows
        and "messages" not in request.COOKIES  # a message waits to be shown on the next page
    )


def page_key(request: HttpRequest, version: Iterable[object]) -> str:
    parts = [
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        translation.get_language(),
        viewer_time_zone(request) or "",
        *(repr(part) for part in version),
    ]
    return KEY_PREFIX + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def cached_anonymous_page(
    request: HttpRequest,
    render: Callable[[], HttpResponse],
    *,
    version: Callable[[], Iterable[object]] | None = None,
) -> HttpResponse:
    """`render()`'s response, or for an anonymous visitor the stored body of the same page and version
    (`version()`, called for anonymous visitors only: what the page shows, from what the view loaded)."""
    if not serves_from_cache(request):
        return render()
    key = page_key(request, version() if version is not None else ())
    stored = cache.get(key)
    if stored is not None:
        body = stored["body"]
        if NONCE_PLACEHOLDER in body:
            body = body.replace(NONCE_PLACEHOLDER, str(request.csp_nonce))
        if CSRF_PLACEHOLDER in body:
            body = body.replace(CSRF_PLACEHOLDER, get_token(request))  # also sets the CSRF cookie
        return HttpResponse(body, content_type=stored["content_type"])
    response = render()
    if _storable(request, response):
        body = response.content.decode(response.charset)
        nonce = getattr(request, "_csp_nonce", None)
        if nonce:
            body = body.replace(nonce, NONCE_PLACEHOLDER)
        for token in set(CSRF_INPUT.findall(body)):
            body = body.replace(token, CSRF_PLACEHOLDER)
        cache.set(key, {"body": body, "content_type": response["Content-Type"]}, settings.PAGE_CACHE_SECONDS)
    return response


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    session = getattr(request, "session", None)
    messages = getattr(request, "_messages", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies  # set by the view for this visitor
        and not response.has_header("Cache-Control")  # the view said how it may be cached
        and not (session is not None and session.modified)
        and not (messages is not None and getattr(messages, "added_new", False))
    )


def row_version(*instances: object) -> tuple[object, ...]:
    """What a page shows of these model instances: every loaded column of each (`None` for a missing
    one). Columns a query deferred (`only()`) are left out: the page does not show them either (reading
    one would cost a query per row)."""
    return tuple(None if instance is None else _columns(instance) for instance in instances)


def _columns(instance) -> tuple[object, ...]:
    deferred = instance.get_deferred_fields()
    return (
        instance._meta.label,
        *(
            getattr(instance, field.attname)
            for field in instance._meta.concrete_fields
            if field.attname not in deferred
        ),
    )
