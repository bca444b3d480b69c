"""Page throughput through a real server: gunicorn as `quartier serve` runs it, driven by wrk.

The server is `python -m quartier serve` itself (2 sync workers, `DEBUG=0`, `QUARTIER_ENV=production`,
Redis cache and sessions, access log on) on a free loopback port, with `DJANGO_SETTINGS_MODULE=
bench.settings`, which only adds the trivial page (see `bench/urls.py`). wrk sends `X-Forwarded-Proto:
https` as the reverse proxy in front of a production server does. Each page is driven for `duration`
seconds at `connections` connections, every request on a random path of its list
(`bench/random_urls.lua`); the trivial page is driven first and last, and each page's requests per
second are given as a ratio to the trivial page's (the mean of its two runs), which keeps figures taken
on a busy machine comparable.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.pages import HotPage, QueryCounts
from bench.urls import TRIVIAL_PATH

ROOT = Path(__file__).resolve().parent.parent
LUA_SCRIPT = Path(__file__).resolve().parent / "random_urls.lua"
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
WORKERS = 2
# Targets of the issue: each page at least this share of the trivial page's throughput, p95 at most.
TARGET_RATIO = 0.20
TARGET_P95_MS = 50.0
SIGNED_IN_MARKER = b"/accounts/logout/"  # the sign-out form of the base layout


@dataclass
class WrkResult:
    label: str
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    errors: int  # connection errors, timeouts and responses with a status ≥ 400
    queries: QueryCounts | None = None

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def require_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is not installed: `apt-get install wrk` (Debian, Ubuntu), then run again.")
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer of its own (a sign-in page is not the page measured)."""

    def redirect_request(self, *args, **kwargs):
        return None


NO_REDIRECTS = urllib.request.build_opener(_NoRedirect)


def get(base_url: str, path: str, cookie: str = "") -> tuple[int, bytes]:
    headers = dict(PROXY_HEADERS)
    if cookie:
        headers["Cookie"] = cookie
    request = urllib.request.Request(base_url + path, headers=headers)
    try:
        with NO_REDIRECTS.open(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@contextmanager
def serve(environment: dict[str, str], log_path: Path, *, workers: int = WORKERS) -> Iterator[str]:
    """Run `quartier serve` with `environment` (over this process's) on a free loopback port; yield its URL."""
    port = free_port()
    env = {
        **os.environ,
        **environment,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
    }
    base_url = f"http://127.0.0.1:{port}"

    def stop_on_sigterm(signum: int, frame: object) -> None:
        raise SystemExit(f"Stopped by signal {signum}")  # runs the `finally` below: no orphan server

    previous_handler = signal.signal(signal.SIGTERM, stop_on_sigterm)
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "quartier", "serve"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 120  # production settings collect static files first
            while True:
                if server.poll() is not None:
                    raise SystemExit(f"The server stopped (status {server.returncode}); see {log_path}")
                try:
                    if get(base_url, "/healthz")[0] == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit(f"The server did not answer within 120 s; see {log_path}")
                time.sleep(0.5)
            yield base_url
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            signal.signal(signal.SIGTERM, previous_handler)


def check_page(base_url: str, page: HotPage, cookie: str) -> None:
    """A few paths of `page` answer 200, signed in exactly when the page is meant to be."""
    for path in page.paths[:3]:
        status, body = get(base_url, path, cookie if page.signed_in else "")
        if status != 200:
            raise SystemExit(f"{path} answered {status} through the server ({page.label})")
        if page.signed_in != (SIGNED_IN_MARKER in body) and page.paths[0] != TRIVIAL_PATH:
            raise SystemExit(f"{path} was not served {page.viewer} ({page.label})")


def run_wrk(
    base_url: str,
    page: HotPage,
    *,
    cookie: str,
    duration: int,
    connections: int,
    threads: int,
    work_directory: Path,
) -> WrkResult:
    paths_file = work_directory / "paths.txt"
    paths_file.write_text("\n".join(page.paths) + "\n")
    command = [
        require_wrk(),
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{duration}s",
        "--timeout",
        "10s",
    ]
    headers = dict(PROXY_HEADERS)
    if page.signed_in:
        headers["Cookie"] = cookie
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command += ["-s", str(LUA_SCRIPT), base_url, "--", str(paths_file)]
    completed = subprocess.run(command, capture_output=True, text=True, check=False, timeout=duration + 60)
    figures = next((line for line in completed.stdout.splitlines() if line.startswith("{")), None)
    if completed.returncode != 0 or figures is None:
        raise SystemExit(f"wrk failed on {page.label}:\n{completed.stdout}\n{completed.stderr}")
    data = json.loads(figures)
    errors = sum(
        data[key] for key in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
    )
    return WrkResult(
        label=page.label,
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        mean_ms=data["mean_us"] / 1000,
        errors=errors,
    )


def measure(
    *,
    environment: dict[str, str],
    pages: list[HotPage],
    trivial: HotPage,
    cookie: str,
    duration: int,
    warm_up: int,
    connections: int,
    threads: int,
    log_path: Path,
) -> tuple[list[WrkResult], list[WrkResult]]:
    """(trivial page runs, page runs): the trivial page first and last, every page in between."""
    require_wrk()
    with (
        tempfile.TemporaryDirectory(prefix="quartier-bench-") as work,
        serve(environment, log_path) as base_url,
    ):
        work_directory = Path(work)
        for page in [trivial, *pages]:
            check_page(base_url, page, cookie)

        def drive(page: HotPage, seconds: int) -> WrkResult:
            return run_wrk(
                base_url, page, cookie=cookie, duration=seconds, connections=connections, threads=threads,
                work_directory=work_directory,
            )  # fmt: skip

        trivial_runs = []
        results = []
        if warm_up:
            drive(trivial, warm_up)
        trivial_runs.append(drive(trivial, duration))
        print(f"  {trivial.label}: {trivial_runs[0].requests_per_second:,.0f} req/s", flush=True)
        for page in pages:
            if warm_up:
                drive(page, warm_up)  # each worker compiles the templates and opens its connection
            results.append(drive(page, duration))
            print(f"  {page.label}: {results[-1].requests_per_second:,.0f} req/s", flush=True)
        trivial_runs.append(drive(trivial, duration))
        print(f"  {trivial.label} again: {trivial_runs[1].requests_per_second:,.0f} req/s", flush=True)
    return trivial_runs, results


def table(trivial_runs: list[WrkResult], results: list[WrkResult], *, connections: int, duration: int) -> str:
    trivial_rate = sum(run.requests_per_second for run in trivial_runs) / len(trivial_runs)
    lines = [
        "| page (viewer) | req/s | ratio to trivial | p50 ms | p95 ms | p99 ms | queries/request | errors | target |",
        "|---|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for index, run in enumerate(trivial_runs):
        lines.append(
            f"| {run.label.removesuffix(' (anonymous)')}, {'first' if index == 0 else 'last'} run | {run.requests_per_second:,.0f} | "
            f"{run.requests_per_second / trivial_rate:.2f} | {run.p50_ms:.1f} | {run.p95_ms:.1f} | "
            f"{run.p99_ms:.1f} | 0 | {run.errors} | |"
        )
    for run in results:
        ratio = run.requests_per_second / trivial_rate
        shortfalls = []
        if ratio < TARGET_RATIO:
            shortfalls.append(f"ratio < {TARGET_RATIO:.2f}")
        if run.p95_ms > TARGET_P95_MS:
            shortfalls.append(f"p95 > {TARGET_P95_MS:g} ms")
        lines.append(
            f"| {run.label} | {run.requests_per_second:,.0f} | {ratio:.2f} | {run.p50_ms:.1f} | "
            f"{run.p95_ms:.1f} | {run.p99_ms:.1f} | {run.queries or ''} | {run.errors} | "
            f"{'short: ' + ', '.join(shortfalls) if shortfalls else 'met'} |"
        )
    lines.append("")
    lines.append(
        f"wrk, {connections} connections, {duration} s per page, random paths of each page; gunicorn with "
        f"{WORKERS} sync workers; ratio = page req/s ÷ mean req/s of the trivial view's two runs; target: "
        f"ratio ≥ {TARGET_RATIO:.2f} and p95 ≤ {TARGET_P95_MS:g} ms."
    )
    return "\n".join(lines)
