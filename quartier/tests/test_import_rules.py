"""The layering of the code, checked on the source (with `ast`, nothing is imported).

`accounts` is the base every domain app stands on: it imports no other domain app. The demo campaign
(`quartier.demo`) may import every domain app, and none imports it. The product never imports the
benchmarks (`bench/`), which load their data with the demo's generator.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
# Packages of `quartier/` that are not domain apps: helpers, the demo, the project's own tests.
NOT_DOMAIN_APPS = {"lib", "demo", "tests", "templates", "static", "locale"}


def domain_apps() -> list[str]:
    return sorted(
        path.name
        for path in PACKAGE.iterdir()
        if path.is_dir() and (path / "apps.py").exists() and path.name not in NOT_DOMAIN_APPS
    )


def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) of every import in the file, including those inside functions."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
            for alias in node.names:  # `from quartier import organizing` imports the app too
                yield node.lineno, f"{node.module}.{alias.name}"


def imports_under(directory: Path, *, exclude: Path | None = None) -> Iterator[tuple[str, str]]:
    for path in sorted(directory.rglob("*.py")):
        if "migrations" in path.parts or (exclude is not None and path.is_relative_to(exclude)):
            continue
        for line, module in imported_modules(path):
            yield f"{path.relative_to(PACKAGE.parent)}:{line}", module


def is_within(module: str, package: str) -> bool:
    return module == package or module.startswith(f"{package}.")


def test_the_domain_apps_are_found():
    assert {"accounts", "organizing", "outreach", "reach"} <= set(domain_apps())
    assert "demo" not in domain_apps()


def test_accounts_imports_no_other_domain_app():
    others = [f"quartier.{app}" for app in domain_apps() if app != "accounts"] + ["quartier.demo"]
    found = [
        f"{where} imports {module}"
        for where, module in imports_under(PACKAGE / "accounts")
        if any(is_within(module, other) for other in others)
    ]
    assert found == []


def test_nothing_in_the_product_imports_the_benchmarks():
    found = [
        f"{where} imports {module}" for where, module in imports_under(PACKAGE) if is_within(module, "bench")
    ]
    assert found == []


def test_no_domain_app_imports_the_demo():
    found = [
        f"{where} imports {module}"
        for where, module in imports_under(PACKAGE, exclude=PACKAGE / "demo")
        if is_within(module, "quartier.demo")
    ]
    assert found == []


def test_the_product_serves_no_benchmark_page(client):
    # The trivial page exists only under `bench.settings` (bench/urls.py), never on a real server.
    assert client.get("/bench/trivial/").status_code == 404


def test_no_app_imports_the_dashboards():
    # The dashboards read every app (their `queries`, and the journal); none depends on them.
    found = [
        f"{where} imports {module}"
        for where, module in imports_under(PACKAGE, exclude=PACKAGE / "dashboard")
        if is_within(module, "quartier.dashboard") and "/tests/" not in where and "demo/" not in where
    ]
    assert found == []
