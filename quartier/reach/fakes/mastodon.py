"""A Mastodon-compatible server for the calls Quartier makes: app registration (`POST /api/v1/apps`),
OAuth 2 (`/oauth/authorize` approves at once and redirects back with a code, `/oauth/token`,
`/oauth/revoke`), `verify_credentials`, and `POST /api/v1/statuses` honouring `Idempotency-Key`."""

from __future__ import annotations

import itertools
import json
import secrets
from typing import Any
from urllib.parse import parse_qsl, urlencode

from quartier.reach.fakes import FakeServer


class FakeMastodon(FakeServer):
    def __init__(self, port: int = 0, username: str = "lender") -> None:
        super().__init__(port)
        self.username = username
        self.apps: dict[str, dict[str, str]] = {}  # client_id -> app
        self.codes: dict[str, str] = {}  # code -> client_id
        self.tokens: dict[str, str] = {}  # access token -> client_id (live ones)
        self.statuses: list[dict[str, Any]] = []
        self.idempotent: dict[tuple[str, str], dict[str, Any]] = {}
        self.counter = itertools.count(1)

    @staticmethod
    def _form(headers: dict[str, str], body: bytes) -> dict[str, str]:
        if headers.get("content-type", "").startswith("application/json"):
            return {key: str(value) for key, value in json.loads(body or b"{}").items()}
        return dict(parse_qsl(body.decode()))

    def _bearer(self, headers: dict[str, str]) -> str | None:
        token = headers.get("authorization", "").removeprefix("Bearer ").strip()
        return token if token in self.tokens else None

    def handle(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> tuple:
        form = self._form(headers, body) if method == "POST" else dict(parse_qsl(query))
        if (method, path) == ("POST", "/api/v1/apps"):
            if not form.get("client_name") or not form.get("redirect_uris"):
                return 422, {"error": "Validation failed: Name can't be blank"}
            client_id, secret = secrets.token_urlsafe(16), secrets.token_urlsafe(24)
            app = {"id": str(next(self.counter)), "name": form["client_name"], "client_id": client_id,
                   "client_secret": secret, "redirect_uri": form["redirect_uris"], "website": form.get("website")}  # fmt: skip
            self.apps[client_id] = app
            return 200, app
        if (method, path) == ("GET", "/oauth/authorize"):
            app = self.apps.get(form.get("client_id", ""))
            if (
                app is None
                or form.get("redirect_uri") != app["redirect_uri"]
                or form.get("response_type") != "code"
            ):
                return 400, {"error": "invalid_request"}
            code = secrets.token_urlsafe(16)
            self.codes[code] = app["client_id"]
            target = f"{app['redirect_uri']}?{urlencode({'code': code, 'state': form.get('state', '')})}"
            return 302, {}, {"Location": target}
        if (method, path) == ("POST", "/oauth/token"):
            app = self.apps.get(form.get("client_id", ""))
            valid = app is not None and app["client_secret"] == form.get("client_secret")
            if not valid or self.codes.pop(form.get("code", ""), None) != app["client_id"]:
                return 400, {
                    "error": "invalid_grant",
                    "error_description": "The provided authorization grant is invalid",
                }
            token = secrets.token_urlsafe(32)
            self.tokens[token] = app["client_id"]
            return 200, {
                "access_token": token,
                "token_type": "Bearer",
                "scope": form.get("scope", ""),
                "created_at": 0,
            }
        if (method, path) == ("POST", "/oauth/revoke"):
            self.tokens.pop(form.get("token", ""), None)
            return 200, {}
        token = self._bearer(headers)
        if path.startswith("/api/v1/") and token is None:
            return 401, {"error": "The access token is invalid"}
        if (method, path) == ("GET", "/api/v1/accounts/verify_credentials"):
            return 200, {
                "id": "1",
                "username": self.username,
                "acct": self.username,
                "display_name": "Lender",
            }
        if (method, path) == ("POST", "/api/v1/statuses"):
            key = headers.get("idempotency-key", "")
            if key and (token, key) in self.idempotent:
                return 200, self.idempotent[(token, key)]
            if not form.get("status"):
                return 422, {"error": "Validation failed: Text can't be blank"}
            number = str(next(self.counter))
            status = {"id": number, "url": f"https://fake.mastodon/@{self.username}/{number}", "content": form["status"],
                      "visibility": form.get("visibility", "public")}  # fmt: skip
            self.statuses.append(status)
            if key:
                self.idempotent[(token, key)] = status
            return 200, status
        return 404, {"error": "Record not found"}
