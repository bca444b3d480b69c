from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def quartier(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env["QUARTIER_VAR_DIR"] = str(tmp_path)
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "quartier", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_the_command_explains_itself(tmp_path):
    result = quartier("--help", tmp_path=tmp_path)
    assert result.returncode == 0
    for word in ("serve", "worker", "demo"):
        assert word in result.stdout


def test_the_command_passes_other_commands_to_django(tmp_path):
    migrate = quartier("migrate", "--noinput", "-v0", tmp_path=tmp_path)
    assert migrate.returncode == 0, migrate.stderr
    check = quartier("check", tmp_path=tmp_path)
    assert check.returncode == 0, check.stderr
    assert "no issues" in check.stdout
    assert (tmp_path / "quartier.sqlite3").exists()
