"""The mutant runner (`make mutants`) applies a bug, runs its tests, restores the file, detects stale
entries, and its list of bugs is well formed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mutants.bugs import BUGS
from mutants.runner import ROOT, Bug, Journal, Stale, applied, check_bug, mutate, run

CODE = "def add(a, b):\n    return a + b\n\n\ndef double(a):\n    return a * 2\n"
TESTS = "from calc import add, double\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\ndef test_double():\n    assert double(2) == 4\n"


def bug(**changes) -> Bug:
    values = {"id": "add-subtracts", "promise": "add adds", "file": "calc.py", "original": "return a + b",
              "replacement": "return a - b", "tests": ("test_calc.py",)}  # fmt: skip
    return Bug(**{**values, **changes})


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A tiny project with a module and its tests, outside Quartier (no Django)."""
    (tmp_path / "calc.py").write_text(CODE)
    (tmp_path / "test_calc.py").write_text(TESTS)
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)
    monkeypatch.delenv("PYTHONPATH", raising=False)
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")  # plain pytest: starts in a blink
    return tmp_path


def test_a_mutation_needs_its_original_text_exactly_once():
    assert mutate("a + b", [("+", "-")]) == "a - b"
    with pytest.raises(Stale, match="0 times"):
        mutate("a + b", [("*", "-")])
    with pytest.raises(Stale, match="2 times"):
        mutate("a + b + c", [("+", "-")])


def test_the_file_is_restored_with_its_time_even_when_interrupted(project):
    calc = project / "calc.py"
    os.utime(calc, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    journal = Journal(project / "mutants" / ".applied.json")

    with pytest.raises(KeyboardInterrupt), applied(bug(), project, journal):
        assert "return a - b" in calc.read_text()
        assert journal.path.exists()
        raise KeyboardInterrupt

    assert calc.read_text() == CODE
    assert calc.stat().st_mtime_ns == 1_000_000_000_000_000_000
    assert not journal.path.exists()


def test_a_run_killed_mid_bug_is_undone_by_the_next(project):
    calc = project / "calc.py"
    journal = Journal(project / "mutants" / ".applied.json")
    journal.record(calc, CODE, calc.stat().st_mtime_ns)
    calc.write_text(CODE.replace("a + b", "a - b"))  # as a killed run leaves it
    lines: list[str] = []

    run([], root=project, check_baseline=False, out=lines.append)

    assert calc.read_text() == CODE
    assert lines[0] == f"restored {calc}, left mutated by an interrupted run"


def test_it_scores_caught_missed_stale_and_unrunnable_bugs_and_restores_every_file(project):
    bugs = [
        bug(),
        bug(id="double-triples", original="return a * 2", replacement="return a * 2 if a == 2 else a * 3"),
        bug(id="moved", original="return a / b", replacement="return a // b"),
        bug(id="no-tests", tests=("test_gone.py",)),
    ]
    lines: list[str] = []

    status = run(bugs, root=project, check_baseline=False, out=lines.append)

    assert status == 1
    assert [line.split()[:2] for line in lines[:-1]] == [
        ["caught", "add-subtracts"], ["missed", "double-triples"], ["stale", "moved"], ["error", "no-tests"],
    ]  # fmt: skip
    assert lines[-1].startswith("score: 1/4 bugs caught (SQLite only) in ")
    assert (project / "calc.py").read_text() == CODE
    assert not (project / "mutants" / ".applied.json").exists()


def test_it_refuses_to_score_when_the_tests_fail_without_any_bug(project):
    (project / "calc.py").write_text(CODE.replace("a * 2", "a * 3"))
    lines: list[str] = []

    assert run([bug()], root=project, out=lines.append) == 2
    assert lines[0].startswith("the listed tests fail on SQLite without any bug")


def test_a_postgresql_bug_says_when_postgresql_was_not_run(project):
    weak = bug(original="return a * 2", replacement="return a * 2 if a == 2 else 0", postgresql=True)

    outcome = check_bug(
        weak, root=project, journal=Journal(project / "j.json"), postgresql_url=None, timeout=60
    )

    assert outcome.verdict == "missed"
    assert "PostgreSQL not run" in outcome.detail


def test_every_listed_bug_is_well_formed_and_applies_to_the_code_as_it_is():
    assert len({entry.id for entry in BUGS}) == len(BUGS)
    for entry in BUGS:
        assert entry.promise and entry.tests, entry.id
        for test in entry.tests:
            assert (ROOT / test.split("::")[0]).exists(), f"{entry.id}: no test file {test}"
        mutate((ROOT / entry.file).read_text(), entry.edits())  # raises Stale when the code moved
