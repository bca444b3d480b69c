"""Who is signed in, without a database query per request: the supporter's row, kept in the cache.

Django reads the session, then the user's row (`ModelBackend.get_user`), on every signed-in request.
Here the row is kept in the cache under `account:v1:<id>`, beside the value of the stamp `account:<id>`
it was read with (the stamps of `quartier.lib.page_cache`); it is used while that stamp is unchanged.
The stamp is replaced on *every* write to a supporter's row, whatever makes it: `Supporter.save()`, and
`update()` and `delete()` of the supporter query set (`forget`, called from the model), so the admin,
allauth (passwords, e-mail confirmation, last login), management commands and the actions (deactivation,
erasure, staff changes) are all covered; the next request of that person reads the row again. A stale
`is_active` or `is_staff` would be a security hole, hence a hook at the model rather than bumps in the
actions alone, a bump at once *and* again after the commit (a request that read the row while the
transaction was open cannot keep it), and a life of `ACCOUNT_CACHE_SECONDS` at most (for a write made
outside the ORM: raw SQL; flush the cache after restoring a database, as for pages).

The password hash never goes to the cache: the row is stored without it, and the instance built from
the cache has `password` deferred (read from the database only when something checks a password). The
session is verified against the HMAC Django derives from it (`get_session_auth_hash`), kept beside the
row; a session that does not match it takes Django's own path (the row from the database, the secret
key's fallbacks), which flushes it or re-signs it.
"""

from __future__ import annotations

import random
import time

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, load_backend
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare

from quartier.lib.page_cache import STAMP_PREFIX

ROW_PREFIX = "account:v1:"


def stamp_key(pk: object) -> str:
    return f"{STAMP_PREFIX}account:{pk}"


def forget(*pks: object) -> None:
    """The rows of these supporters changed: their next request reads them from the database. Now (so a
    request inside this transaction, or a test, sees the change) and again once the transaction commits
    (a request that read the old row before the commit cannot keep it)."""
    keys = [stamp_key(pk) for pk in pks if pk is not None]
    if not keys:
        return
    _replace_stamps(keys)
    transaction.on_commit(lambda: _replace_stamps(keys))


def _replace_stamps(keys: list[str]) -> None:
    cache.set_many(dict.fromkeys(keys, (time.time(), random.getrandbits(32))), timeout=None)


def _cached_fields() -> list[str]:
    from quartier.accounts.models import Supporter

    return [field.attname for field in Supporter._meta.concrete_fields if field.attname != "password"]


def supporter_by_id(user_id: object) -> tuple[object | None, str | None]:
    """The supporter `user_id` and the HMAC of their session (None, None: no such supporter), from the
    cache while their stamp holds, else from the database (then stored for the next request)."""
    from quartier.accounts.models import Supporter

    pk = user_id
    row_key, key = f"{ROW_PREFIX}{pk}", stamp_key(pk)
    found = cache.get_many([row_key, key])
    current, entry = found.get(key), found.get(row_key)
    if entry is not None and current is not None and entry["stamp"] == current:
        return Supporter.from_db("default", entry["fields"], entry["values"]), entry["session_hash"]
    if current is None:  # read before the row: a write committed after this read replaces it
        cache.add(key, (0.0, random.getrandbits(32)), timeout=None)
        current = cache.get(key)
    supporter = Supporter._default_manager.filter(pk=pk).first()
    if supporter is None:
        return None, None
    session_hash = supporter.get_session_auth_hash()
    if current is not None:
        fields = _cached_fields()
        entry = {
            "stamp": current,
            "fields": fields,
            "values": [getattr(supporter, name) for name in fields],
            "session_hash": session_hash,
        }
        cache.set(row_key, entry, settings.ACCOUNT_CACHE_SECONDS)
    return supporter, session_hash


def get_user(request: HttpRequest):
    """`django.contrib.auth.get_user` with the row from `supporter_by_id`: the same checks (the backend
    named by the session is still configured, the account is active, the session's hash matches)."""
    from django.contrib.auth.backends import ModelBackend  # reads the user model: not at import time

    try:
        user_id = auth._get_user_session_key(request)
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        return AnonymousUser()
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return AnonymousUser()
    backend = load_backend(backend_path)
    if type(backend).get_user is not ModelBackend.get_user:
        return auth.get_user(request)  # a backend of its own: its own reading
    user, session_hash = supporter_by_id(user_id)
    if user is None or not backend.user_can_authenticate(user):
        return AnonymousUser()
    given = request.session.get(HASH_SESSION_KEY)
    if given and session_hash and constant_time_compare(given, session_hash):
        return user
    return auth.get_user(request)  # Django's path: fallback secrets, or the session flushed
