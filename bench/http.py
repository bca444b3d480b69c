"""Page throughput through a real server: gunicorn as `quartier serve` runs it, driven by wrk.

The server is `python -m quartier serve` itself (2 sync workers, `DEBUG=0`, `QUARTIER_ENV=production`,
Redis cache and sessions, no access log, as in production) on a free loopback port, with `DJANGO_SETTINGS_MODULE=
bench.settings`, which only adds Quartier's own trivial view (see `bench/urls.py`). Beside it, in the
same run, the bare floor (`../shared/bench/floorapp.py`: Django's default middleware and a view that
returns two bytes) is served exactly as its docstring says (gunicorn, 2 workers). wrk sends
`X-Forwarded-Proto: https` as the reverse proxy in front of a production server does. Each page is
driven for `duration` seconds at `connections` connections, every request on a random path of its list
(`bench/random_urls.lua`), or on each path once in order for a first visit; the floor is driven before
and after every page, and a page's **ratio** is its requests per second divided by the mean of the two
floor runs around it. Every figure carries the 1-minute load and the CPU other programs took while it
was measured (`bench/quiet.py`): a figure taken on a machine that was not quiet is marked NOT QUIET.
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

from bench.floor import floor_app
from bench.pages import HotPage, QueryCounts
from bench.quiet import ForeignCpu, Quietness, check_from_environment
from bench.urls import TRIVIAL_PATH

ROOT = Path(__file__).resolve().parent.parent
LUA_SCRIPT = Path(__file__).resolve().parent / "random_urls.lua"
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
WORKERS = 2
FLOOR_SECONDS = 10  # as the floor's docstring drives it
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
    quietness: Quietness | None = None
    floor_rate: float = 0.0  # mean requests per second of the floor runs before and after
    parts: dict[str, float] | None = None  # in-process ms per request by part (bench.profile)
    page: HotPage | None = None

    @property
    def ratio(self) -> float:
        return self.requests_per_second / self.floor_rate if self.floor_rate else 0.0

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


def get(base_url: str, path: str, cookie: str = "", extra: dict[str, str] | None = None) -> tuple[int, bytes]:
    headers = {**PROXY_HEADERS, **(extra or {})}
    if cookie:
        headers["Cookie"] = cookie
    request = urllib.request.Request(base_url + path, headers=headers)
    try:
        with NO_REDIRECTS.open(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _wait_until_it_answers(
    server: subprocess.Popen, base_url: str, path: str, *, seconds: float, log_path: Path
) -> None:
    """Until `path` answers 200; stop the run if the server exits or stays silent for `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        if server.poll() is not None:
            raise SystemExit(f"The server stopped (status {server.returncode}); see {log_path}")
        try:
            if get(base_url, path)[0] == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"The server did not answer within {seconds:g} s; see {log_path}")
        time.sleep(0.3)


def _stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


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
            # Production settings collect static files first.
            _wait_until_it_answers(server, base_url, "/healthz", seconds=120, log_path=log_path)
            yield base_url
        finally:
            _stop(server)
            signal.signal(signal.SIGTERM, previous_handler)


def check_page(base_url: str, page: HotPage, cookie: str) -> None:
    """A few paths of `page` answer 200, signed in exactly when the page is meant to be."""
    for path in page.paths[:3]:
        status, body = get(base_url, path, cookie if page.signed_in else "", page.headers)
        if status != 200:
            raise SystemExit(f"{path} answered {status} through the server ({page.label})")
        if page.signed_in != (SIGNED_IN_MARKER in body) and page.paths[0] != TRIVIAL_PATH:
            raise SystemExit(f"{path} was not served {page.viewer} ({page.label})")


@contextmanager
def serve_floor(log_path: Path) -> Iterator[str]:
    """The bare floor, served as its docstring says: gunicorn, 2 workers, on a free loopback port."""
    app = floor_app()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with tempfile.TemporaryDirectory(prefix="quartier-floor-") as floor_dir, log_path.open("wb") as log:
        env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
        env["FLOOR_DIR"] = floor_dir
        server = subprocess.Popen(
            [str(gunicorn), "-w", str(WORKERS), "-b", f"127.0.0.1:{port}", f"{app.stem}:application"],
            cwd=app.parent,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_it_answers(server, base_url, "/", seconds=60, log_path=log_path)
            yield base_url
        finally:
            _stop(server)


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
    headers = {**PROXY_HEADERS, **page.headers}
    if page.signed_in:
        headers["Cookie"] = cookie
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command += ["-s", str(LUA_SCRIPT), base_url, "--", str(paths_file)]
    if page.first_visit:
        command += ["sequential", str(threads)]
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
    trivial: HotPage | None,
    cookie: str,
    duration: int,
    warm_up: int,
    connections: int,
    threads: int,
    log_path: Path,
    quiet_start: bool | None = None,
) -> tuple[list[WrkResult], list[WrkResult]]:
    """(floor runs, page runs): the floor first, then each page (Quartier's trivial view first, when
    given) followed by the floor again; each page's `floor_rate` is the mean of the runs around it.

    `quiet_start`: whether the caller found the machine quiet; None checks it now (see `bench.quiet`)."""
    require_wrk()
    if quiet_start is None:
        quiet_start = check_from_environment()
    floor_page = HotPage("bare floor `floorapp.py`", "anonymous", ["/"], kind="floor")
    pages = [trivial, *pages] if trivial is not None else list(pages)
    with (
        tempfile.TemporaryDirectory(prefix="quartier-bench-") as work,
        serve(environment, log_path) as base_url,
        serve_floor(log_path.with_name("floor.log")) as floor_url,
    ):
        work_directory = Path(work)
        for page in pages:
            check_page(base_url, page, cookie)

        def drive(url: str, page: HotPage, seconds: int, *, counted: bool = True) -> WrkResult:
            sampler = ForeignCpu(quiet_start=quiet_start)
            sampler.start()
            result = run_wrk(
                url, page, cookie=cookie, duration=seconds, connections=connections, threads=threads,
                work_directory=work_directory,
            )  # fmt: skip
            result.quietness = sampler.stop()
            result.page = page
            if counted:
                print(
                    f"  {page.label}: {result.requests_per_second:,.0f} req/s ({result.quietness})",
                    flush=True,
                )
            return result

        if warm_up:
            drive(floor_url, floor_page, warm_up, counted=False)
        floor_runs = [drive(floor_url, floor_page, FLOOR_SECONDS)]
        results = []
        for page in pages:
            if warm_up and not page.first_visit:
                # Each worker compiles templates and connects; each path is asked once, in order, so
                # that a hot page's cache holds its paths (random draws would leave many cold).
                drive(base_url, page.first_visits(), warm_up, counted=False)
            result = drive(base_url, page, duration)
            floor_runs.append(drive(floor_url, floor_page, FLOOR_SECONDS))
            result.floor_rate = (floor_runs[-2].requests_per_second + floor_runs[-1].requests_per_second) / 2
            print(f"    ratio to the floor: {result.ratio:.3f}", flush=True)
            results.append(result)
    return floor_runs, results


def _cell(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def table(floor_runs: list[WrkResult], results: list[WrkResult], *, connections: int, duration: int) -> str:
    from bench.profile import PARTS

    lines = [
        "| page (viewer) | req/s | ratio to floor | p95 ms | p99 ms | queries/request | "
        + " | ".join(f"{part} ms" for part in PARTS)
        + " | CPU ms | errors | load, others | target |",
        "|---|---:|---:|---:|---:|---|" + "---:|" * len(PARTS) + "---:|---:|---|---|",
    ]
    for run in results:
        page = run.page
        target_ratio, target_p95 = page.target if page is not None else (0.0, float("inf"))
        shortfalls = []
        if run.ratio < target_ratio:
            shortfalls.append(f"ratio < {target_ratio:.2f}")
        if run.p95_ms > target_p95:
            shortfalls.append(f"p95 > {target_p95:g} ms")
        parts = run.parts or {}
        verdict = "short: " + ", ".join(shortfalls) if shortfalls else "met"
        goal = f"≥ {target_ratio:.2f}" + (f", p95 ≤ {target_p95:g}" if target_p95 != float("inf") else "")
        lines.append(
            f"| {run.label} | {run.requests_per_second:,.0f} | {run.ratio:.3f} | {run.p95_ms:.1f} | "
            f"{run.p99_ms:.1f} | {run.queries or ''} | "
            + " | ".join(_cell(parts.get(part), 2) for part in PARTS)
            + f" | {_cell(parts.get('CPU'), 2)} | {run.errors} | {run.quietness or ''} | {goal}: {verdict} |"
        )
    floor_rates = ", ".join(f"{run.requests_per_second:,.0f}" for run in floor_runs)
    noisy = [run for run in [*floor_runs, *results] if run.quietness is not None and not run.quietness.quiet]
    lines += [
        "",
        f"Floor runs (req/s, in order): {floor_rates}.",
        f"wrk, {connections} connections, {duration} s per page (floor {FLOOR_SECONDS} s), random paths of each "
        f"page (first visits: each path once, in order); gunicorn with {WORKERS} sync workers for both; ratio = "
        "page req/s ÷ mean req/s of the floor runs just before and after it. Parts: in-process wall ms per "
        "request by part (bench/profile.py; SQL is the time spent waiting in the database driver).",
    ]
    if noisy:
        lines.append(f"NOT QUIET: {len(noisy)} figures were taken while other programs used the machine.")
    return "\n".join(lines)
