"""A Bluesky (AT Protocol XRPC) server for the calls Quartier makes through the `atproto` library:
`com.atproto.server.createSession` / `refreshSession` / `deleteSession`, `com.atproto.repo.createRecord`
and `getRecord`. Tokens are unsigned JWTs with an expiry, as the library reads them."""

from __future__ import annotations

import base64
import json
import secrets
import time
from typing import Any
from urllib.parse import parse_qsl

from quartier.reach.fakes import FakeServer

APP_PASSWORD_REFUSED = "wrong-wrong-wrong-wrong"


def _jwt(subject: str, scope: str, lifetime: int) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    claims = {"scope": scope, "sub": subject, "iat": int(time.time()), "exp": int(time.time()) + lifetime,
              "jti": secrets.token_hex(8)}  # fmt: skip
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.{secrets.token_hex(8)}"


class FakeBluesky(FakeServer):
    def __init__(self, port: int = 0) -> None:
        super().__init__(port)
        self.access: dict[str, str] = {}  # access token -> did
        self.refresh: dict[str, str] = {}  # refresh token -> did
        self.records: dict[str, dict[str, Any]] = {}  # at:// uri -> record
        self.create_calls = 0

    def _session(self, did: str, handle: str) -> dict[str, Any]:
        access, refresh = _jwt(did, "com.atproto.appPass", 7200), _jwt(did, "com.atproto.refresh", 86400 * 60)
        self.access[access], self.refresh[refresh] = did, did
        return {"did": did, "handle": handle, "accessJwt": access, "refreshJwt": refresh, "active": True}

    @staticmethod
    def _error(status: int, name: str, message: str) -> tuple:
        return status, {"error": name, "message": message}

    def handle(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> tuple:
        token = headers.get("authorization", "").removeprefix("Bearer ").strip()
        data = json.loads(body or b"{}") if method == "POST" and body else {}
        name = path.removeprefix("/xrpc/")
        if name == "com.atproto.server.createSession":
            handle, password = str(data.get("identifier", "")), str(data.get("password", ""))
            if not handle or not password or password == APP_PASSWORD_REFUSED:
                return self._error(401, "AuthenticationRequired", "Invalid identifier or password")
            return 200, self._session(f"did:plc:{handle.split('.')[0][:20] or 'someone'}", handle)
        if name == "com.atproto.server.refreshSession":
            did = self.refresh.pop(token, None)
            if did is None:
                return self._error(400, "ExpiredToken", "Token has expired")
            return 200, self._session(did, did.removeprefix("did:plc:") + ".bsky.social")
        if name == "com.atproto.server.deleteSession":
            self.refresh.pop(token, None)
            return 200, {}
        did = self.access.get(token)
        if did is None:
            return self._error(401, "AuthenticationRequired", "Invalid token")
        if name == "com.atproto.repo.getRecord":
            params = dict(parse_qsl(query))
            uri = f"at://{params.get('repo')}/{params.get('collection')}/{params.get('rkey')}"
            if uri not in self.records:
                return self._error(400, "RecordNotFound", f"Could not locate record: {uri}")
            return 200, {"uri": uri, "cid": "bafyreifakecid", "value": self.records[uri]}
        if name == "com.atproto.repo.createRecord":
            self.create_calls += 1
            if data.get("repo") != did:
                return self._error(400, "InvalidRequest", "Input/repo must be the signed-in account")
            record = data.get("record") or {}
            if (
                record.get("$type") != "app.bsky.feed.post"
                or not record.get("text")
                or len(record["text"]) > 300
            ):
                return self._error(400, "InvalidRequest", "Invalid app.bsky.feed.post record")
            uri = f"at://{did}/{data.get('collection')}/{data.get('rkey') or secrets.token_hex(6)}"
            if uri in self.records:
                return self._error(400, "InvalidRequest", "Record already exists")
            self.records[uri] = record
            return 200, {"uri": uri, "cid": "bafyreifakecid" + secrets.token_hex(4)}
        return self._error(404, "MethodNotImplemented", f"Method not implemented: {name}")
