"""Apply one listed bug at a time, run its tests, restore the file, score the suite.

A bug is *caught* when its tests fail with it applied, *missed* when they pass, *stale* when its
original text is no longer in the file exactly once (the code moved: update the entry), *error* when
pytest cannot run its tests (a test path that no longer exists). Files are
always restored — after each bug, on Ctrl-C, on SIGTERM — and a journal (`mutants/.applied.json`)
lets the next run restore a file that a killed run left mutated.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQLITE = "sqlite"
POSTGRESQL = "postgresql"


@dataclass(frozen=True)
class Bug:
    """One deliberate bug: in `file`, `original` (exactly once) becomes `replacement`.

    `also` lists further (original, replacement) pairs in the same file when one bug needs them (a
    lock taken in two statements). `postgresql=True` runs the tests on PostgreSQL too, where row
    locks are real (SQLite serialises every write, so it cannot catch a missing lock).
    """

    id: str
    promise: str
    file: str
    original: str
    replacement: str
    tests: tuple[str, ...]
    postgresql: bool = False
    also: tuple[tuple[str, str], ...] = field(default=())

    def edits(self) -> list[tuple[str, str]]:
        return [(self.original, self.replacement), *self.also]


@dataclass
class Outcome:
    bug: Bug
    verdict: str  # caught, missed, stale, error
    detail: str = ""
    seconds: float = 0.0


class Stale(Exception):
    pass


def mutate(text: str, edits: Sequence[tuple[str, str]]) -> str:
    """The text with each edit applied; `Stale` unless each original occurs exactly once."""
    for original, replacement in edits:
        if original == replacement:
            raise Stale("the replacement is the original")
        count = text.count(original)
        if count != 1:
            raise Stale(f"original text found {count} times, not once: {original[:60]!r}")
        text = text.replace(original, replacement)
    return text


class Journal:
    """Remembers the file being mutated, so that a run killed mid-bug can be undone by the next."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def record(self, file: Path, original: str, mtime_ns: int) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps({"file": str(file), "original": original, "mtime_ns": mtime_ns}))

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)

    def recover(self) -> str | None:
        """Restore a file a previous run left mutated; return its path, or None."""
        if not self.path.exists():
            return None
        entry = json.loads(self.path.read_text())
        restore(Path(entry["file"]), entry["original"], entry["mtime_ns"])
        self.clear()
        return entry["file"]


def restore(file: Path, original: str, mtime_ns: int) -> None:
    file.write_text(original)
    # The original's time again: compiled bytecode of the original stays valid, nothing rebuilds.
    os.utime(file, ns=(mtime_ns, mtime_ns))


class applied:
    """Context manager: the bug is in the file inside the block, and the file is restored after."""

    def __init__(self, bug: Bug, root: Path, journal: Journal) -> None:
        self.bug, self.file, self.journal = bug, root / bug.file, journal

    def __enter__(self) -> Path:
        if not self.file.exists():
            raise Stale(f"no file {self.bug.file}")
        self.original = self.file.read_text()
        self.mtime_ns = self.file.stat().st_mtime_ns
        mutated = mutate(self.original, self.bug.edits())
        self.journal.record(self.file, self.original, self.mtime_ns)
        self.file.write_text(mutated)
        return self.file

    def __exit__(self, *exc_info: object) -> None:
        restore(self.file, self.original, self.mtime_ns)
        self.journal.clear()


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def pytest_command(tests: Iterable[str]) -> list[str]:
    return [sys.executable, "-m", "pytest", "-x", "-q", "--no-header", *tests]


# pytest's exit statuses: 0 passed, 1 a test failed, 2 interrupted (a collection error: the bug broke
# an import), 3 internal error, 4 usage error (such as a test path that does not exist), 5 no tests.
FAILED_STATUSES = {1, 2}


def run_tests(
    tests: Sequence[str], *, root: Path, database_url: str | None, timeout: float
) -> tuple[int, str]:
    """pytest's exit status for the tests, and the tail of their output."""
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}  # no bytecode of a mutant is kept
    environment.pop("DATABASE_URL", None)
    if database_url:
        environment["DATABASE_URL"] = database_url
    try:
        result = subprocess.run(  # noqa: S603 — our own interpreter running pytest on listed paths
            pytest_command(tests), cwd=root, env=environment, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return 3, f"timed out after {timeout:.0f} s"
    lines = (result.stdout + result.stderr).strip().splitlines()
    return result.returncode, "\n".join(lines[-3:])


def databases_for(bug: Bug, postgresql_url: str | None) -> list[tuple[str, str | None]]:
    chosen: list[tuple[str, str | None]] = [(SQLITE, None)]
    if bug.postgresql and postgresql_url:
        chosen.append((POSTGRESQL, postgresql_url))
    return chosen


def check_bug(
    bug: Bug, *, root: Path, journal: Journal, postgresql_url: str | None, timeout: float,
    tests_pass: Callable[..., tuple[int, str]] = run_tests,
) -> Outcome:  # fmt: skip
    started = time.monotonic()
    if bug.postgresql and not postgresql_url:
        note = " (PostgreSQL not run: set QUARTIER_TEST_POSTGRES)"
    else:
        note = ""
    caught_on: list[str] = []
    try:
        with applied(bug, root, journal):
            # Every database the bug is for, even once one caught it: which ones do is worth knowing.
            for name, url in databases_for(bug, postgresql_url):
                status, output = tests_pass(bug.tests, root=root, database_url=url, timeout=timeout)
                if status in FAILED_STATUSES:
                    caught_on.append(name)
                elif status != 0:
                    detail = f"pytest could not run the tests on {name} (status {status}): {output}"
                    return Outcome(bug, "error", detail, time.monotonic() - started)
    except Stale as error:
        return Outcome(bug, "stale", str(error), time.monotonic() - started)
    if caught_on:
        return Outcome(bug, "caught", f"on {' and '.join(caught_on)}{note}", time.monotonic() - started)
    return Outcome(bug, "missed", f"the tests pass with the bug{note}", time.monotonic() - started)


def baseline(bugs: Sequence[Bug], *, root: Path, postgresql_url: str | None, timeout: float) -> list[str]:
    """Problems with the unmutated code: every listed test must pass before bugs mean anything."""
    problems = []
    tests = sorted({test for bug in bugs for test in bug.tests})
    status, output = run_tests(tests, root=root, database_url=None, timeout=timeout * 4)
    if status != 0:
        problems.append(f"the listed tests fail on SQLite without any bug:\n{output}")
    locking = sorted({test for bug in bugs if bug.postgresql for test in bug.tests})
    if postgresql_url and locking:
        status, output = run_tests(locking, root=root, database_url=postgresql_url, timeout=timeout * 4)
        if status != 0:
            problems.append(f"the listed tests fail on PostgreSQL without any bug:\n{output}")
    return problems


def run(
    bugs: Sequence[Bug], *, root: Path = ROOT, postgresql_url: str | None = None, timeout: float = 300,
    check_baseline: bool = True, out: Callable[[str], None] = print,
) -> int:  # fmt: skip
    """Check every bug, print one line each and the score; return the exit status (0: all caught)."""
    journal = Journal(root / "mutants" / ".applied.json")
    recovered = journal.recover()
    if recovered:
        out(f"restored {recovered}, left mutated by an interrupted run")
    previous = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    started = time.monotonic()
    outcomes: list[Outcome] = []
    try:
        if check_baseline:
            problems = baseline(bugs, root=root, postgresql_url=postgresql_url, timeout=timeout)
            if problems:
                for problem in problems:
                    out(problem)
                return 2
        for bug in bugs:
            outcome = check_bug(
                bug, root=root, journal=journal, postgresql_url=postgresql_url, timeout=timeout
            )
            outcomes.append(outcome)
            out(f"{outcome.verdict:7} {bug.id:38} {outcome.seconds:5.1f} s  {outcome.detail}")
    except KeyboardInterrupt:
        out("interrupted: every file is restored")
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
    caught = sum(1 for outcome in outcomes if outcome.verdict == "caught")
    elapsed = time.monotonic() - started
    database = "SQLite and PostgreSQL" if postgresql_url else "SQLite only"
    out(f"score: {caught}/{len(outcomes)} bugs caught ({database}) in {elapsed:.0f} s")
    return 0 if caught == len(outcomes) else 1
