"""Is the machine quiet enough to measure? The 1-minute load before a run, and other programs' CPU during it.

A benchmark on a two-core machine means nothing while a test suite or another load runs beside it
(earlier rounds were taken at load 9 to 20 and could not show what helped). Two checks:

- before measuring, the 1-minute load average must fall to `QUIET_LOAD` or below: the harness waits
  for it (a load it made itself while loading data decays within a few minutes), then refuses to
  measure unless told to go on, in which case every figure is marked NOT QUIET;
- during each figure, `ForeignCpu` counts the CPU time of every process that is not the benchmark's
  (this process and its children — gunicorn, wrk —, PostgreSQL and Redis): the load average cannot
  tell, since the benchmark itself keeps both cores busy. A figure during which other programs took
  more than `FOREIGN_CPU_LIMIT` of a core is marked NOT QUIET.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

QUIET_LOAD = 1.0
FOREIGN_CPU_LIMIT = 0.25  # share of one core used by other programs during a figure
BENCHMARK_PROGRAMS = ("postgres", "redis-server", "pgbench", "wrk", "gunicorn")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def load_average() -> float:
    return os.getloadavg()[0]


def wait_until_quiet(*, max_wait: float, say: Callable[[str], None], allow_noisy: bool) -> bool:
    """Wait up to `max_wait` seconds for the 1-minute load to reach `QUIET_LOAD`; True when it did.

    When it does not, stop the run, unless `allow_noisy` (then every figure is marked NOT QUIET)."""
    deadline = time.monotonic() + max_wait
    load = load_average()
    if load > QUIET_LOAD:
        say(
            f"quiet: 1-minute load {load:.2f} > {QUIET_LOAD:g}; waiting up to {max_wait:.0f} s for it to fall…"
        )
    while load > QUIET_LOAD and time.monotonic() < deadline:
        time.sleep(5)
        load = load_average()
    if load <= QUIET_LOAD:
        say(f"quiet: 1-minute load {load:.2f} ≤ {QUIET_LOAD:g}, measuring")
        return True
    if not allow_noisy:
        raise SystemExit(
            f"The machine is not quiet (1-minute load {load:.2f} > {QUIET_LOAD:g}): stop the other work "
            "(test suites, builds, other benchmarks) and run again, or pass --allow-noisy to measure anyway "
            "with every figure marked NOT QUIET."
        )
    say(f"quiet: NOT QUIET (1-minute load {load:.2f}); every figure will be marked so")
    return False


def check_from_environment(say: Callable[[str], None] = print) -> bool:
    """`wait_until_quiet` as the environment asks: BENCH_QUIET_WAIT seconds (default 300), and
    BENCH_ALLOW_NOISY=1 to measure anyway (figures marked NOT QUIET). For the modules run by `make bench`."""
    return wait_until_quiet(
        max_wait=float(os.environ.get("BENCH_QUIET_WAIT", "300")),
        say=say,
        allow_noisy=os.environ.get("BENCH_ALLOW_NOISY") == "1",
    )


def _read_processes() -> dict[int, tuple[int, str, int, int]]:
    """pid → (parent pid, name, CPU ticks, CPU ticks of the children it waited for), from /proc."""
    processes = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue  # the process ended while we looked
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        # After the name: state ppid … utime (12th) stime (13th) cutime (14th) cstime (15th).
        processes[int(entry.name)] = (
            int(fields[1]),
            name,
            int(fields[11]) + int(fields[12]),
            int(fields[13]) + int(fields[14]),
        )
    return processes


def benchmark_pids(processes: dict[int, tuple[int, str, int, int]] | None = None) -> set[int]:
    """This process, its descendants (gunicorn, wrk), and the database and cache servers' processes."""
    processes = _read_processes() if processes is None else processes
    own = os.getpid()

    def belongs(pid: int) -> bool:
        for _step in range(64):
            if pid <= 1 or pid not in processes:
                return False
            if pid == own or processes[pid][1].startswith(BENCHMARK_PROGRAMS):
                return True
            pid = processes[pid][0]
        return False

    return {pid for pid in processes if belongs(pid)}


def _process_times() -> tuple[int, int]:
    """(CPU ticks of the benchmark's processes, CPU ticks of the whole machine) since boot."""
    processes = _read_processes()
    benchmark = sum(processes[pid][2] + processes[pid][3] for pid in benchmark_pids(processes))
    return benchmark, _busy_ticks()


def _busy_ticks() -> int:
    with open("/proc/stat") as stat:
        fields = stat.readline().split()[1:]
    values = [int(value) for value in fields]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle and iowait
    steal = values[7] if len(values) > 7 else 0
    return sum(values[:8]) - idle - steal


@dataclass
class Quietness:
    load: float  # 1-minute load average at the end of the figure
    foreign_cores: float  # mean cores used by other programs during the figure
    quiet_start: bool  # the run started on a quiet machine

    @property
    def quiet(self) -> bool:
        return self.quiet_start and self.foreign_cores <= FOREIGN_CPU_LIMIT

    def __str__(self) -> str:
        mark = "" if self.quiet else " NOT QUIET"
        return f"load {self.load:.2f}, others {self.foreign_cores:.2f} cores{mark}"


class ForeignCpu:
    """Measures, between `start()` and `stop()`, the CPU other programs took (see the module's doc)."""

    def __init__(self, *, quiet_start: bool) -> None:
        self.quiet_start = quiet_start
        self._started = (0.0, 0, 0)

    def start(self) -> None:
        benchmark, busy = _process_times()
        self._started = (time.monotonic(), benchmark, busy)

    def stop(self) -> Quietness:
        benchmark, busy = _process_times()
        began, benchmark_before, busy_before = self._started
        seconds = max(time.monotonic() - began, 1e-6)
        foreign_ticks = max(0, (busy - busy_before) - (benchmark - benchmark_before))
        return Quietness(
            load=load_average(),
            foreign_cores=foreign_ticks / CLOCK_TICKS / seconds,
            quiet_start=self.quiet_start,
        )
