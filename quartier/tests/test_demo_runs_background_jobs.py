"""`quartier demo` runs what production runs: a worker and the periodic schedule (beat), with no Redis.

The test starts the demo as a newcomer does (a fresh var/ folder, SQLite, no broker configured), with
its mail going to an SMTP server the test runs, and sees a notification digest arrive, a scheduled
campaign email go out and the group dashboard's "figures as of" move. Only the schedule is shortened
(QUARTIER_BEAT_MAX_INTERVAL): the jobs run in the demo's own worker, sent there by its own beat.
"""

from __future__ import annotations

import email
import email.policy
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SHELL_NOTIFY_AND_SCHEDULE = """
from datetime import timedelta
from django.utils import timezone
from quartier.accounts.models import Supporter
from quartier.outreach.actions import drafts
from quartier.social.actions import connections

sam = Supporter.objects.get(email="sam@demo.quartier.test")
follower = Supporter.objects.filter(email__endswith="@example.org").exclude(following__followed=sam).exclude(display_name="").first()
assert connections.follow(follower=follower, followed=sam)
organiser = Supporter.objects.get(email="organiser@demo.quartier.test")
draft = drafts.save_draft(
    author=organiser,
    draft=drafts.Draft(subject="Scheduled by the demo test", body="Hello {{ first_name }}, see you Saturday."),
)
drafts.schedule(message=draft, at=timezone.now() + timedelta(seconds=3))
print("follower:", follower.display_name)
"""


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(what: str, check, *, timeout: float, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"{what} not seen within {timeout} s; the demo said:\n{log.read_text()[-4000:]}")


def as_of(opener, url: str) -> str:
    page = opener.open(url, timeout=20).read().decode()
    found = re.search(r'<p class="as-of">(.*?)</p>', page, re.S)
    assert found, page[:2000]
    return " ".join(found.group(1).split())


def sign_in(base: str, email_address: str, password: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(f"{base}/accounts/login/", timeout=20).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    body = urllib.parse.urlencode(
        {"login": email_address, "password": password, "csrfmiddlewaretoken": token}
    )
    opener.open(f"{base}/accounts/login/", data=body.encode(), timeout=20)
    assert any(cookie.name == "sessionid" for cookie in jar), "the demo login was refused"
    return opener


@pytest.mark.own_database
def test_the_demo_sends_digests_scheduled_campaigns_and_rolls_up_dashboards(tmp_path):
    pytest.importorskip("faker")
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    smtp_port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "QUARTIER_BROKER_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        QUARTIER_VAR_DIR=str(tmp_path),
        PORT=str(port),
        SITE_URL=base,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        CAMPAIGN_POSTAL_ADDRESS="1 Demo Street, Montréal QC",
        QUARTIER_BEAT_MAX_INTERVAL="2",
        WEB_CONCURRENCY="1",
    )
    log = tmp_path / "demo.log"
    with log.open("w") as output:
        demo = subprocess.Popen(
            [sys.executable, "-m", "quartier", "demo", "--supporters", "20"],
            cwd=tmp_path,  # as anywhere: nothing may depend on the current folder
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:

        def healthy() -> bool:
            assert demo.poll() is None, f"the demo stopped:\n{log.read_text()[-4000:]}"
            try:
                return urllib.request.urlopen(f"{base}/healthz", timeout=5).status == 200
            except OSError:
                return False

        wait_until("the web server", healthy, timeout=400, log=log)
        sam = sign_in(base, "sam@demo.quartier.test", "quartier-demo")
        dashboard = f"{base}/organize/group/christie-pits-for-housing/"
        first_as_of = as_of(sam, dashboard)

        shell = subprocess.run(
            [sys.executable, "-m", "quartier", "shell", "-c", SHELL_NOTIFY_AND_SCHEDULE],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert shell.returncode == 0, shell.stderr
        follower = shell.stdout.split("follower:")[1].strip()
        assert follower

        def digest_to_sam() -> list:
            return [
                m
                for m in list(mailbox.messages)
                if "sam@demo.quartier.test" in m["To"] and follower in m.get_body(("plain",)).get_content()
            ]

        wait_until(f"a digest telling Sam that {follower} follows him", digest_to_sam, timeout=60, log=log)
        campaign = wait_until(
            "the scheduled campaign",
            lambda: [m for m in mailbox.messages if m["Subject"] == "Scheduled by the demo test"],
            timeout=60,
            log=log,
        )
        assert campaign[0]["List-Unsubscribe"]
        # The figures are dated to the minute: the rollup beat runs every 2 s moves them within one.
        wait_until("a new 'figures as of'", lambda: as_of(sam, dashboard) != first_as_of, timeout=90, log=log)
        assert "quartier: running the web server, worker, beat" in log.read_text()
    finally:
        os.killpg(demo.pid, signal.SIGTERM)
        try:
            demo.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()
        controller.stop()
    assert demo.returncode == 0, log.read_text()[-4000:]


@pytest.mark.own_database
def test_when_one_process_stops_the_others_are_stopped_and_the_command_fails(tmp_path):
    """The web server cannot listen (the port is taken): the worker and beat do not run on without it."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "REDIS_URL", "QUARTIER_BROKER_URL"}
        }
        env.update(QUARTIER_VAR_DIR=str(tmp_path), PORT=str(taken.getsockname()[1]))
        run = subprocess.Popen(
            [sys.executable, "-m", "quartier", "serve", "--with-worker"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True,
        )  # fmt: skip
        try:
            stdout, stderr = run.communicate(timeout=120)
        finally:
            if run.poll() is None:
                os.killpg(run.pid, signal.SIGKILL)
    assert run.returncode == 1
    assert "running the web server, worker, beat" in stdout
    assert "the web server stopped (exit code 1): stopping the others" in stderr
    with pytest.raises(ProcessLookupError):  # nothing of the group is left running
        os.killpg(run.pid, 0)
