"""Schemathesis against both APIs' OpenAPI documents, every phase (examples, coverage, fuzzing,
stateful), bounded so that each run stays well under a minute and a half: no server error, no response
that breaks its schema, no undocumented status, whatever the input.

It runs the `st` command against a live test server holding a little of everything (groups, public,
private and hidden-address events, RSVPs), with a key that may read and write every resource.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from quartier.api.models import ApiKey
from quartier.api.tests import mobilize_support as support
from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.models import Event

make_event, make_group, host, leader = support.make_event, support.make_group, support.host, support.leader
ST = Path(sys.executable).with_name("st")
RESOURCES = ["people", "events", "donations", "fundraising_pages", "tags", "forms"]
# Both documents are held to every check: no server error, no response outside its schema (ST1xx), and
# input handled as documented (ST2xx: schema-invalid input refused, schema-valid input served, a missing
# key refused). Each API is called with the key in the header its document names.
MAX_EXAMPLES = 15
TIME_BUDGET_SECONDS = 75
AUTH_HEADER = {"mobilize": "Authorization: Bearer {token}", "osdi": "OSDI-API-Token: {token}"}
CONFIG = Path(__file__).with_name("schemathesis.toml")


@pytest.fixture
def campaign_data(make_event, make_group, host, leader, make_supporter):
    group = make_group(leader)
    make_event(leader, group=group)
    hidden = make_event(host, address_visibility=Event.AddressVisibility.ATTENDEES)
    make_event(host, is_virtual=True, venue="", address="")
    pending = make_event(host, title="Waiting")
    Event.objects.filter(pk=pending.pk).update(status=Event.Status.PENDING)
    rsvps_actions.rsvp(supporter=make_supporter("Ada Attendee"), shift=hidden.shifts.get())
    return group


@pytest.mark.skipif(
    not ST.exists(), reason="schemathesis is in the test extra (`make .venv/.installed-test`)"
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("document", ["mobilize", "osdi"])
def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    document, live_server, settings, campaign_data, staff, tmp_path
):
    settings.API_READS_PER_WINDOW = settings.API_WRITES_PER_WINDOW = 1_000_000  # no 429 mid-run
    _key, token = ApiKey.issue(
        name="Schemathesis", scopes=[f"{name}:write" for name in RESOURCES], created_by=staff
    )
    started = timezone.now()

    run = subprocess.run(
        [
            str(ST),
            "--config-file",
            str(CONFIG),
            "run",
            f"{live_server.url}/api/docs/{document}/openapi.json",
            "--url",
            f"{live_server.url}",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--checks",
            "all",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--max-time",
            str(TIME_BUDGET_SECONDS),
            "--seed",
            "20261207",
            "--generation-deterministic",
            "--request-timeout",
            "20",
            "--workers",
            "1",
            "--header",
            AUTH_HEADER[document].format(token=token),
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=TIME_BUDGET_SECONDS + 60,
        cwd=tmp_path,
        env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
        check=False,
    )

    (Path(os.environ.get("SCHEMATHESIS_REPORT_DIR", tmp_path)) / f"schemathesis-{document}.txt").write_text(
        run.stdout + run.stderr
    )
    failures = (run.stdout.partition("FAILURES")[2] or run.stdout)[:12000] + run.stderr[-2000:]
    assert "SUMMARY" in run.stdout, failures  # the run went to its end
    assert run.returncode == 0, failures
    assert (timezone.now() - started).total_seconds() < TIME_BUDGET_SECONDS + 30
