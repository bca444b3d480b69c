"""Every test has a time limit (pytest-timeout): a hang is a failure with the test's name."""

from __future__ import annotations

import subprocess
import sys


def test_the_suite_sets_a_time_limit_generous_enough_for_the_browser_tests(request):
    assert request.config.pluginmanager.hasplugin("timeout")
    assert 120 <= float(request.config.getini("timeout")) <= 600


def test_a_test_that_hangs_fails_by_name_instead_of_stalling_the_run(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\ntimeout = 1\n")
    (tmp_path / "test_hang.py").write_text("import time\n\ndef test_hangs_forever():\n    time.sleep(60)\n")

    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:django", "-p", "no:cacheprovider", "-q", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=50, check=False,
    )  # fmt: skip

    assert run.returncode == 1, run.stdout
    assert "Timeout" in run.stdout and "test_hangs_forever" in run.stdout
