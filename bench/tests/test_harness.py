"""The benchmark harness measures what it says: quiet checks, the floor, first visits, parts of a request."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import quiet
from bench.floor import BUNDLED_FLOOR_APP, SHARED_FLOOR_APP, floor_app
from bench.http import get, run_wrk, serve_floor
from bench.pages import HotPage
from bench.profile import PARTS, profile_page
from quartier.testing import client_for

BUSY_LOOP = "import time\nend = time.time() + 30\nwhile time.time() < end: pass\n"


def needs_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        pytest.skip("wrk is not installed (apt-get install wrk)")  # a failure under QUARTIER_REQUIRE_ALL=1
    return found


def test_a_busy_machine_stops_the_run_unless_told_to_go_on(monkeypatch):
    monkeypatch.setattr(quiet, "load_average", lambda: 3.2)
    with pytest.raises(SystemExit, match="not quiet"):
        quiet.wait_until_quiet(max_wait=0, say=lambda message: None, allow_noisy=False)
    said = []
    assert quiet.wait_until_quiet(max_wait=0, say=said.append, allow_noisy=True) is False
    assert "NOT QUIET" in said[-1]
    monkeypatch.setattr(quiet, "load_average", lambda: 0.4)
    assert quiet.wait_until_quiet(max_wait=0, say=said.append, allow_noisy=False) is True


def test_a_figure_is_quiet_only_when_the_run_started_quiet_and_nobody_else_used_the_cpu():
    assert quiet.Quietness(load=0.5, foreign_cores=0.05, quiet_start=True).quiet
    assert not quiet.Quietness(load=0.5, foreign_cores=0.05, quiet_start=False).quiet
    assert not quiet.Quietness(load=0.5, foreign_cores=0.6, quiet_start=True).quiet
    assert "NOT QUIET" in str(quiet.Quietness(load=0.5, foreign_cores=0.6, quiet_start=True))


def test_other_programs_are_told_apart_from_the_benchmarks_own_processes():
    child = subprocess.Popen([sys.executable, "-c", BUSY_LOOP])
    # An orphan (its parent exits at once): another program as far as the benchmark can tell.
    launcher = subprocess.run(
        ["sh", "-c", f'{sys.executable} -c "$0" >/dev/null 2>&1 & echo $!', BUSY_LOOP],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    orphan = int(launcher.stdout.strip())
    try:
        time.sleep(0.2)
        ours = quiet.benchmark_pids()
        assert os.getpid() in ours
        assert child.pid in ours
        assert orphan not in ours
    finally:
        child.kill()
        child.wait()
        os.kill(orphan, signal.SIGKILL)


def test_the_bundled_floor_is_the_shared_one():
    if SHARED_FLOOR_APP.exists():
        assert BUNDLED_FLOOR_APP.read_bytes() == SHARED_FLOOR_APP.read_bytes()
        assert floor_app() == SHARED_FLOOR_APP
    else:  # a clone with no ../shared/bench beside it measures against the copy
        assert floor_app() == BUNDLED_FLOOR_APP


def test_the_floor_is_served_as_its_docstring_says(tmp_path):
    with serve_floor(tmp_path / "floor.log") as url:
        status, body = get(url, "/")
    assert (status, body) == (200, b"ok")


class PathRecorder(BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_GET(self):
        PathRecorder.seen.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("threads", [1, 2])
def test_a_first_visit_asks_each_path_once_before_any_twice(tmp_path, threads):
    needs_wrk()
    PathRecorder.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), PathRecorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    paths = [f"/page/{number}/" for number in range(200_000)]  # far more than two seconds of requests
    page = HotPage("recorded", "anonymous", paths, kind="first visit")
    try:
        result = run_wrk(
            f"http://127.0.0.1:{server.server_address[1]}", page, cookie="", duration=2, connections=4,
            threads=threads, work_directory=tmp_path,
        )  # fmt: skip
    finally:
        server.shutdown()
    assert result.requests > 20
    assert len(PathRecorder.seen) >= 20
    assert len(set(PathRecorder.seen)) == len(PathRecorder.seen)  # no path asked twice


def test_the_parts_of_a_request_add_up_and_each_is_seen(supporter):
    client = client_for(supporter)  # signed in: the page is rendered, not served from the page cache
    figures = profile_page(["/events/"], client=client, requests=5)
    assert set(PARTS) <= set(figures)
    assert figures["templates"] > 0
    assert figures["SQL"] > 0
    assert figures["ORM"] > 0
    assert figures["view"] > 0
    assert figures["middleware"] > 0
    parts_sum = sum(figures[part] for part in PARTS)
    assert parts_sum == pytest.approx(figures["total"], rel=0.15)


def test_the_harness_leaves_django_as_it_found_it(client, db):
    from django.db.models.sql.compiler import SQLCompiler
    from django.template.base import Template

    before = (SQLCompiler.execute_sql, Template.render)
    profile_page(["/healthz"], client=client, requests=2)
    assert (SQLCompiler.execute_sql, Template.render) == before
