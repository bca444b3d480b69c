"""The rendered body of public pages, cached for anonymous visitors only, fresh by version stamps.

A *stamp* is a small value kept in the cache under a name (`event:12`, `events`, `supporter:7`,
`site`, …), replaced by `bump(name)` when a write action commits a change to what pages depending on
that name show. A view hands its rendering to `cached_anonymous_page` with the names of the stamps
the page depends on (`depends_on`), and, when what it shows changes with the clock alone (a shift
starting, an event ending), the moment it stops being true (`fresh_until`). The stored entry holds
the body and the value of each stamp it was rendered with.

`AnonymousPageCacheMiddleware` answers before sessions, authentication and CSRF work: for a GET by a
visitor with no session cookie and no pending message, it reads the entry of the page's key (scheme,
host, path and query, language, the time zone cookie) and, in one `get_many`, the stamps the entry
names; if each still has the value the entry was rendered with (and `fresh_until` has not passed),
the stored body is the response: no query, no view, no template.

Storing is guarded against a write that commits while a page renders: the middleware notes the
moment the request started (before the view reads anything); an entry is stored only when every stamp
it depends on was last bumped before that moment (less `PAGE_CACHE_SETTLE_SECONDS`, for clocks of
different machines), so a body read before a commit is never stored under the stamp bumped after it.
A missing stamp (never bumped since the cache was emptied) is created then as "bumped long ago": a
bump committed after the page's rows were read replaces it, and the stored page is then stale, never
served. Stamps have no expiry, so Redis set to evict only keys with one (`volatile-lru`, the advice
in docs/decisions.md) never evicts them.

Only anonymous visitors with no session and no pending message are served from the cache (nobody else
sees the same page); nothing private reaches an anonymous page, so nothing private is ever stored.

Signed-in pages cache their *shared part* instead (`cached_fragment`): the HTML every viewer of one
audience sees alike (say, an event's description, shifts and map for any signed-in supporter), kept
under a name the view gives, the language and the time zone, fresh by the same stamps and guarded the
same way; the viewer's own part (their RSVP, their buttons) is rendered beside it on every request.
What differs per response is not stored: the CSP nonce and the CSRF token of the page's forms are
replaced by placeholders in the stored body and filled in afresh for each response (the nonce then
matches the response's `Content-Security-Policy` header, the token the visitor's CSRF cookie).
"""

from __future__ import annotations

import hashlib
import random
import re
import time
from collections.abc import Callable, Iterable
from datetime import datetime

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString, mark_safe

from quartier.lib.zones import viewer_time_zone

# Neither can appear in a rendered page: text is escaped (`<` becomes `&lt;`) and user HTML sanitised.
NONCE_PLACEHOLDER = "<%csp-nonce%>"
CSRF_PLACEHOLDER = "<%csrf-token%>"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')
KEY_PREFIX = "page:v2:"
FRAGMENT_PREFIX = "fragment:v1:"
STAMP_PREFIX = "stamp:"
# Where cached pages live (`cached_anonymous_page` callers): other paths skip the cache lookup. A path
# missing here is only never served from the cache; `quartier/tests/test_page_stamps.py` asks each one.
CACHED_PATHS = ("/events/", "/groups/", "/people/", "/donate/", "/fundraise/", "/posts/", "/blog/")
CACHED_PATHS += ("/transparency/", "/badges/")  # public pages of integrity and accounts (issue 24)
SITE = "site"  # every cached page depends on it: `bump(SITE)` drops every stored page at once


def bump(*names: str | None) -> None:
    """Mark what pages depending on `names` show as changed, once the current transaction commits (at
    once outside one). `None` names are skipped, so callers may pass `stamp("group", event.group_id)`."""
    keys = [STAMP_PREFIX + name for name in names if name]
    if keys:
        transaction.on_commit(lambda: cache.set_many(dict.fromkeys(keys, _new_stamp()), timeout=None))


def stamp(kind: str, pk: object) -> str | None:
    """The name of one object's stamp (`event:12`), or None for no object."""
    return None if pk is None else f"{kind}:{pk}"


def _new_stamp() -> tuple[float, int]:
    return (time.time(), random.getrandbits(32))  # the moment of the bump, and unique among equal moments


def may_use_cache(request: HttpRequest) -> bool:
    """Whether `request` may get (and fill) the shared anonymous copy of a page: decided from the request
    alone (no session read), so the middleware can answer before sessions and authentication."""
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES  # a session may hold what the page shows
        and "messages" not in request.COOKIES  # a message waits to be shown on the next page
    )


def serves_from_cache(request: HttpRequest) -> bool:
    """Whether the view's response may be stored: the middleware let the request through as cacheable,
    and nobody signed in on the way."""
    user = getattr(request, "user", None)
    return (
        getattr(request, "_page_cache_started", None) is not None
        and may_use_cache(request)
        and user is not None
        and not user.is_authenticated
    )


def page_key(request: HttpRequest, language: str) -> str:
    parts = [
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        language,
        viewer_time_zone(request) or "",
    ]
    return KEY_PREFIX + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def cached_anonymous_page(
    request: HttpRequest,
    render: Callable[[], HttpResponse],
    *,
    depends_on: Callable[[], Iterable[str | None]] = tuple,
    fresh_until: Callable[[], datetime | None] | None = None,
) -> HttpResponse:
    """`render()`'s response, stored for anonymous visitors with the stamps named by `depends_on()` (and
    `site`), true until `fresh_until()` (None: until a stamp changes). Both are called for anonymous
    visitors only, after `render()`. Hits are answered by the middleware, never here."""
    response = render()
    if not serves_from_cache(request) or not _storable(request, response):
        return response
    names = sorted({SITE, *(name for name in depends_on() if name)})
    stamps = _current_stamps(names)
    settled = request._page_cache_started - settings.PAGE_CACHE_SETTLE_SECONDS
    if any(value[0] > settled for value in stamps.values()):
        return response  # something it shows changed while it rendered: the next request stores it
    until = fresh_until() if fresh_until is not None else None
    entry = {
        "stamps": stamps,
        "until": until.timestamp() if until is not None else None,
        "body": _with_placeholders(request, response.content.decode(response.charset)),
        "content_type": response["Content-Type"],
        "language": translation.get_language(),  # LocaleMiddleware's Content-Language, set after this
    }
    cache.set(page_key(request, translation.get_language()), entry, settings.PAGE_CACHE_SECONDS)
    return response


def _current_stamps(names: list[str]) -> dict[str, tuple[float, int]]:
    keys = [STAMP_PREFIX + name for name in names]
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        made = _add_many({key: (0.0, random.getrandbits(32)) for key in missing})  # "bumped long ago"
        found.update(made)
        taken = [key for key in missing if key not in made]  # another made it first (or bumped it)
        found.update(cache.get_many(taken) if taken else {})
    return {key.removeprefix(STAMP_PREFIX): found.get(key) or (time.time(), 0) for key in keys}


def _add_many(values: dict[str, tuple[float, int]]) -> dict[str, tuple[float, int]]:
    """`cache.add` of each of `values` (no expiry), in one round trip on Redis: the ones it stored.

    A search page's first visit names some sixty stamps never bumped since the cache was emptied; one
    `add` and one `get` each cost it two round trips per stamp (most of its time, measured)."""
    store = caches[DEFAULT_CACHE_ALIAS]  # what `cache` stands for
    if not isinstance(store, RedisCache):
        return {key: value for key, value in values.items() if cache.add(key, value, timeout=None)}
    client = store._cache.get_client(None, write=True)  # where `RedisCache.add` writes
    with client.pipeline(transaction=False) as pipeline:
        for key, value in values.items():
            pipeline.set(store.make_and_validate_key(key), store._cache._serializer.dumps(value), nx=True)
        stored = pipeline.execute()
    return {key: value for (key, value), done in zip(values.items(), stored, strict=True) if done}


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


def cached_response(request: HttpRequest, language: str) -> HttpResponse | None:
    """The stored page for `request` if every stamp it was rendered with is unchanged, else None.

    One round trip to the cache once this process has seen the page: the entry and the stamps it named
    last time are read together (`_names_of`); a page whose stamps this process has not seen yet takes a
    second read."""
    entry = _fresh_entry(page_key(request, language))
    if entry is None:
        return None
    response = HttpResponse(_filled_in(request, entry["body"]), content_type=entry["content_type"])
    if entry["language"]:
        response["Content-Language"] = entry["language"]
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


def _fresh_entry(key: str) -> dict | None:
    """The entry stored under `key` if it has not expired and every stamp it names is unchanged."""
    names = _names_of.get(key, ())
    found = cache.get_many([key, *(STAMP_PREFIX + name for name in names)])
    entry = found.get(key)
    if entry is None:
        return None
    if entry["until"] is not None and entry["until"] <= time.time():
        return None
    stamps = entry["stamps"]
    if tuple(stamps) != names:
        if len(_names_of) >= NAMES_REMEMBERED:
            _names_of.clear()
        _names_of[key] = tuple(stamps)
        found = cache.get_many([STAMP_PREFIX + name for name in stamps])
    if any(found.get(STAMP_PREFIX + name) != value for name, value in stamps.items()):
        return None
    return entry


def _with_placeholders(request: HttpRequest, body: str) -> str:
    """`body` with this response's CSP nonce and CSRF tokens replaced by placeholders, for storing."""
    nonce = getattr(request, "_csp_nonce", None)
    if nonce:
        body = body.replace(nonce, NONCE_PLACEHOLDER)
    for token in set(CSRF_INPUT.findall(body)):
        body = body.replace(token, CSRF_PLACEHOLDER)
    return body


def _filled_in(request: HttpRequest, body: str) -> str:
    """A stored body with this response's CSP nonce and CSRF token in place of the placeholders."""
    if NONCE_PLACEHOLDER in body:
        body = body.replace(NONCE_PLACEHOLDER, str(request.csp_nonce))
    if CSRF_PLACEHOLDER in body:
        body = body.replace(CSRF_PLACEHOLDER, get_token(request))  # the cookie is set on the way out
    return body


def cached_fragment(
    request: HttpRequest,
    name: str,
    render: Callable[[], str],
    *,
    depends_on: Callable[[], Iterable[str | None]] = tuple,
    fresh_until: Callable[[], datetime | None] | None = None,
) -> SafeString:
    """The shared part of a page, as `render()` writes it, cached under `name` (with the active language
    and time zone) and fresh while the stamps named by `depends_on()` (and `site`) are unchanged and
    `fresh_until()` has not passed.

    For any viewer, signed in or not: `name` must say which audience the HTML is for (what a signed-in
    supporter sees of an event is not what its host sees), and `render()` must show nothing that differs
    between viewers of that audience; their own part is rendered apart, on every request. Like pages,
    a fragment is stored only if none of its stamps was bumped after the request began (a request that
    did not pass `AnonymousPageCacheMiddleware`, such as one built in a test, is never stored)."""
    parts = (name, translation.get_language() or "", timezone.get_current_timezone_name())
    key = FRAGMENT_PREFIX + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    entry = _fresh_entry(key)
    if entry is not None:
        return mark_safe(_filled_in(request, entry["body"]))  # noqa: S308 - stored from render()'s own HTML
    body = str(render())
    started = getattr(request, "_started", None)
    if started is not None:
        stamps = _current_stamps(sorted({SITE, *(stamp_name for stamp_name in depends_on() if stamp_name)}))
        if all(value[0] <= started - settings.PAGE_CACHE_SETTLE_SECONDS for value in stamps.values()):
            until = fresh_until() if fresh_until is not None else None
            entry = {
                "stamps": stamps,
                "until": until.timestamp() if until is not None else None,
                "body": _with_placeholders(request, body),
            }
            cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
    return mark_safe(body)  # noqa: S308 - render() returns HTML it escaped itself


# Per process: the stamp names of the pages it served lately (a bounded memo, emptied when full).
_names_of: dict[str, tuple[str, ...]] = {}
NAMES_REMEMBERED = 20_000


class AnonymousPageCacheMiddleware:
    """Serves a stored anonymous page before sessions, authentication and CSRF run (placed after the
    CSP and frame-options middleware, which still add their headers, and before the session's)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request._started = (
            time.time()
        )  # before the view reads anything: what `cached_fragment` stores is checked against it
        path = request.path_info
        if not may_use_cache(request) or not (path == "/" or path.startswith(CACHED_PATHS)):
            return self.get_response(request)
        language = translation.get_language_from_request(request)
        if language in _LANGUAGES:
            self.csrf.process_request(request)  # reads the visitor's CSRF cookie, if any
            response = cached_response(request, language)
            if response is not None:
                return self.csrf.process_response(request, response)
        request._page_cache_started = request._started
        return self.get_response(request)


_LANGUAGES = {code for code, _name in settings.LANGUAGES}
