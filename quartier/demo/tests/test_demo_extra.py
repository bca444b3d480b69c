"""Faker is the demo's optional dependency: the product installs and runs without it, the demo says
what is missing."""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

import pytest

import quartier
from quartier import __main__ as cli

ROOT = Path(quartier.__file__).resolve().parent
DEMO = ROOT / "demo"


def _imports_faker(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import) and any(alias.name.split(".")[0] == "faker" for alias in node.names):
            return True
        if (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and (node.module or "").split(".")[0] == "faker"
        ):
            return True
    return False


def test_faker_is_the_demo_s_extra_and_not_a_dependency_of_the_product():
    project = tomllib.loads((ROOT.parent / "pyproject.toml").read_text())["project"]

    def names(requirements: list[str]) -> set[str]:
        return {
            requirement.split(">")[0].split("[")[0].split("=")[0].strip().lower()
            for requirement in requirements
        }

    assert "faker" not in names(project["dependencies"])
    assert "faker" in names(project["optional-dependencies"]["demo"])
    assert "faker" in names(project["optional-dependencies"]["test"])  # the tests run the generator
    assert "twilio" not in names(
        project["dependencies"]
    )  # its webhook signature is checked by outreach/sms.py


def test_only_the_demo_imports_faker_and_the_demo_command_checks_it_is_there():
    importers = {path.relative_to(ROOT).as_posix() for path in ROOT.rglob("*.py") if _imports_faker(path)}

    assert importers == {"demo/faker_extra.py", "__main__.py"}


def test_quartier_demo_without_faker_says_how_to_install_it_and_migrates_nothing(monkeypatch):
    ran: list[list[str]] = []
    monkeypatch.setattr(cli, "_manage", ran.append)
    monkeypatch.setattr(cli, "serve", lambda args: ran.append(["serve", *args]))
    monkeypatch.setitem(sys.modules, "faker", None)  # as if Faker were not installed

    with pytest.raises(SystemExit) as exit_:
        cli.main(["demo"])

    assert "make demo" in str(exit_.value.code) and "'.[demo]'" in str(exit_.value.code)
    assert ran == []


def test_the_demo_s_modules_without_faker_say_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "faker", None)  # as if Faker were not installed
    monkeypatch.delitem(sys.modules, "quartier.demo.faker_extra", raising=False)

    with pytest.raises(ModuleNotFoundError, match=r"make demo.*'\.\[demo\]'"):
        import quartier.demo.faker_extra  # noqa: F401
