"""The wire calls to Mastodon (its REST API and OAuth 2, with urllib) and Bluesky (the AT Protocol
through the `atproto` library). In the demo and the tests they reach local fakes (`reach/fakes/`)."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings

log = logging.getLogger(__name__)
TIMEOUT = 10
MASTODON_SCOPES = "write:statuses read:accounts"
BLUESKY_TEXT_LIMIT = 300  # an app.bsky.feed.post's text, in graphemes (we count characters: stricter)


class ServiceError(Exception):
    """A call failed; `retryable` when trying again later may work (network, 5xx, rate limit)."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class Published:
    remote_id: str
    url: str


# --- Mastodon ------------------------------------------------------------------------------------


def mastodon_base(instance: str) -> str:
    return settings.REACH_MASTODON_API_OVERRIDE.rstrip("/") or f"https://{instance}"


def _mastodon(
    instance: str,
    method: str,
    path: str,
    *,
    form: dict | None = None,
    token: str = "",
    headers: dict | None = None,
) -> dict:
    data = urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(mastodon_base(instance) + path, data=data, method=method)  # noqa: S310
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (https or the fake)
            body = response.read()
    except urllib.error.HTTPError as error:
        retryable = error.code >= 500 or error.code == 429
        raise ServiceError(f"Mastodon answered {error.code} to {path}", retryable=retryable) from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise ServiceError(
            f"Mastodon could not be reached ({error.__class__.__name__})", retryable=True
        ) from None
    try:
        return json.loads(body or b"{}")
    except ValueError:
        raise ServiceError(
            f"Mastodon answered {path} with something other than JSON", retryable=True
        ) from None


def mastodon_register_app(instance: str, redirect_uri: str, website: str) -> tuple[str, str]:
    """Quartier's client on this instance (`POST /api/v1/apps`): (client_id, client_secret)."""
    answer = _mastodon(
        instance, "POST", "/api/v1/apps",
        form={"client_name": "Quartier", "redirect_uris": redirect_uri, "scopes": MASTODON_SCOPES, "website": website},
    )  # fmt: skip
    if not answer.get("client_id") or not answer.get("client_secret"):
        raise ServiceError("Mastodon registered no client", retryable=False)
    return str(answer["client_id"]), str(answer["client_secret"])


def mastodon_authorize_url(instance: str, client_id: str, redirect_uri: str, state: str) -> str:
    query = {
        "client_id": client_id, "redirect_uri": redirect_uri, "response_type": "code",
        "scope": MASTODON_SCOPES, "state": state,
    }  # fmt: skip
    return f"{mastodon_base(instance)}/oauth/authorize?{urlencode(query)}"


def mastodon_exchange_code(
    instance: str, client_id: str, client_secret: str, redirect_uri: str, code: str
) -> str:
    answer = _mastodon(
        instance, "POST", "/oauth/token",
        form={
            "grant_type": "authorization_code", "code": code, "client_id": client_id,
            "client_secret": client_secret, "redirect_uri": redirect_uri, "scope": MASTODON_SCOPES,
        },
    )  # fmt: skip
    if not answer.get("access_token"):
        raise ServiceError("Mastodon gave no access token", retryable=False)
    return str(answer["access_token"])


def mastodon_account(instance: str, token: str) -> str:
    """The account's handle, `@name@instance`."""
    answer = _mastodon(instance, "GET", "/api/v1/accounts/verify_credentials", token=token)
    return f"@{answer.get('username') or answer.get('acct')}@{instance}"


def mastodon_post(instance: str, token: str, text: str, idempotency_key: str) -> Published:
    """`POST /api/v1/statuses` with an Idempotency-Key: a retry after a lost answer posts nothing new."""
    answer = _mastodon(
        instance, "POST", "/api/v1/statuses", token=token,
        form={"status": text, "visibility": "public"}, headers={"Idempotency-Key": idempotency_key},
    )  # fmt: skip
    if not answer.get("id"):
        raise ServiceError("Mastodon gave no status id", retryable=True)
    return Published(str(answer["id"]), str(answer.get("url") or ""))


def mastodon_revoke(instance: str, client_id: str, client_secret: str, token: str) -> None:
    """`POST /oauth/revoke`; best effort: the token is deleted here whatever the instance answers."""
    try:
        _mastodon(
            instance, "POST", "/oauth/revoke",
            form={"client_id": client_id, "client_secret": client_secret, "token": token},
        )  # fmt: skip
    except ServiceError as error:
        log.warning("Mastodon token not revoked on %s: %s", instance, error)


# --- Bluesky -------------------------------------------------------------------------------------


def _bluesky_client(service: str):
    from atproto import Client

    return Client(base_url=f"{service.rstrip('/')}/xrpc")


def _bluesky_error(error: Exception) -> ServiceError:
    from atproto_client.exceptions import NetworkError, RequestException, UnauthorizedError

    if isinstance(error, UnauthorizedError):
        return ServiceError("Bluesky refused the sign-in", retryable=False)
    if isinstance(error, NetworkError):
        return ServiceError("Bluesky could not be reached", retryable=True)
    if isinstance(error, RequestException):
        status = getattr(getattr(error, "response", None), "status_code", 500) or 500
        return ServiceError(f"Bluesky answered {status}", retryable=status >= 500 or status == 429)
    return ServiceError(f"Bluesky failed ({error.__class__.__name__})", retryable=True)


def bluesky_sign_in(service: str, handle: str, app_password: str) -> tuple[str, str]:
    """`com.atproto.server.createSession` with an app password: (session string, handle). The password
    itself is not kept: only the session (access and refresh tokens) is stored, encrypted."""
    from atproto_client.exceptions import AtProtocolError

    client = _bluesky_client(service)
    try:
        client.login(handle, app_password, fetch_bsky_profile=False)
    except AtProtocolError as error:
        raise _bluesky_error(error) from None
    return client.export_session_string(), client._session.handle or handle


def bluesky_rkey(number: int, moment: datetime) -> str:
    """A record key in TID form made from the lent status (its time and number), the same on every retry."""
    alphabet = "234567abcdefghijklmnopqrstuvwxyz"
    value = (int(moment.timestamp() * 1_000_000) << 10) | (number % 1024)
    return "".join(alphabet[(value >> (5 * shift)) & 31] for shift in range(12, -1, -1))


def link_facets(text: str, link: str) -> list[dict]:
    """The rich-text facet that makes `link` clickable in `text` (offsets in UTF-8 bytes)."""
    start = text.find(link)
    if not link or start < 0:
        return []
    byte_start = len(text[:start].encode())
    return [
        {
            "index": {"byteStart": byte_start, "byteEnd": byte_start + len(link.encode())},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": link}],
        }
    ]


def bluesky_post(
    service: str, session: str, text: str, rkey: str, created_at: datetime, link: str = ""
) -> tuple[Published, str]:
    """An `app.bsky.feed.post` record through `com.atproto.repo.createRecord` under a fixed `rkey`: a
    retry finds the record already there (`getRecord`) and posts nothing new. Returns the session,
    refreshed if the library had to."""
    from atproto_client import models
    from atproto_client.exceptions import AtProtocolError, BadRequestError

    client = _bluesky_client(service)
    try:
        client.login(session_string=session, fetch_bsky_profile=False)
        did, handle = client._session.did, client._session.handle
        uri = f"at://{did}/app.bsky.feed.post/{rkey}"
        try:
            client.com.atproto.repo.get_record(
                {"repo": did, "collection": "app.bsky.feed.post", "rkey": rkey}
            )
            existing = True
        except BadRequestError:
            existing = False
        if not existing:
            record = {
                "$type": "app.bsky.feed.post", "text": text,
                "createdAt": created_at.isoformat().replace("+00:00", "Z"),
                "facets": link_facets(text, link),
            }  # fmt: skip
            answer = client.com.atproto.repo.create_record(
                models.ComAtprotoRepoCreateRecord.Data(
                    repo=did, collection="app.bsky.feed.post", rkey=rkey, record=record
                )
            )
            uri = answer.uri
    except AtProtocolError as error:
        raise _bluesky_error(error) from None
    return Published(uri, f"https://bsky.app/profile/{handle}/post/{rkey}"), client.export_session_string()


def bluesky_sign_out(service: str, session: str) -> None:
    """`com.atproto.server.deleteSession`; best effort (the session is deleted here anyway). An app
    password itself can only be revoked by its owner, in Bluesky's settings: the page says so."""
    from atproto_client.exceptions import AtProtocolError

    client = _bluesky_client(service)
    try:
        client.login(session_string=session, fetch_bsky_profile=False)
        refresh = client._session.refresh_jwt
        client.com.atproto.server.delete_session(headers={"Authorization": f"Bearer {refresh}"})
    except AtProtocolError as error:
        log.warning("Bluesky session not deleted on %s: %s", service, error)
