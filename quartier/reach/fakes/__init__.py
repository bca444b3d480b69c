"""Local HTTP servers that speak Mastodon's and Bluesky's wire formats, for the tests and the demo
(their real servers cannot be reached here). Production refuses them (`reach/checks.py`)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeServer:
    """A threaded HTTP server on 127.0.0.1 (port 0: a free one) answering through `handle`."""

    def __init__(self, port: int = 0) -> None:
        self.lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []
        self.fail_next = 0  # answer the next N requests with a 503 (retries)
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes) -> tuple:
        raise NotImplementedError  # (status, json-able body) or (status, body, extra headers)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _answer(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path, _, query = self.path.partition("?")
                headers = {name.lower(): value for name, value in self.headers.items()}
                with fake.lock:
                    fake.requests.append({"method": method, "path": path, "query": query, "headers": headers})
                    failing = fake.fail_next > 0
                    if failing:
                        fake.fail_next -= 1
                if failing:
                    result: tuple = (503, {"error": "Service unavailable"})
                else:
                    with fake.lock:
                        result = fake.handle(method, path, query, headers, body)
                status, payload, *extra = result
                data = json.dumps(payload).encode()
                self.send_response(status)
                for name, value in (extra[0] if extra else {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._answer("GET")

            def do_POST(self) -> None:
                self._answer("POST")

        return Handler
