"""The declared graph of apps (`docs/architecture.md`), checked on the source with `ast`.

Every import of every module under `quartier/` — at the top, inside functions, `from quartier import
x`, relative, `importlib.import_module("quartier.…")` and `include("quartier.….urls")` — is an edge
from the package it is in to the package it names. Each edge must be declared in the document
(`dependencies` for the product, `test-dependencies` for what tests may use on top), each declared
edge must be used, the declared graph has no cycle, and the base rules of the document hold in it
(accounts and lib at the bottom, outreach knowing no other domain app, nothing importing the demo,
the dashboards, the API or the benchmarks). Nothing is imported to check this.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1]
ROOT = PACKAGE.parent
ARCHITECTURE = ROOT / "docs" / "architecture.md"

# `quartier/*.py` (settings, urls, views, celery, wsgi, the command) is the project that assembles the
# apps; `quartier/testing.py` and `quartier/tests/` are the shared test helpers and site-wide tests.
PROJECT, TESTS = "project", "tests"
# Declared before they exist: a package of that name is then held to its line.
NOT_YET_PRESENT: set[str] = set()
# Calls whose first argument names a module to import.
IMPORTING_CALLS = {"import_module", "include", "__import__"}
BLOCK = re.compile(r"^```(?P<name>[\w-]+)\n(?P<body>.*?)^```", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Import:
    where: str  # path:line
    source: str  # the package the importing module is in
    target: str  # the package it imports
    module: str  # the module named
    in_tests: bool


# The declared graph -------------------------------------------------------------------------------


def parse_graph(text: str, block: str) -> dict[str, set[str]]:
    """`{app: {apps it may import}}` from the fenced block named `block` (lines `a -> b, c`; `#` comments)."""
    bodies = [match["body"] for match in BLOCK.finditer(text) if match["name"] == block]
    assert len(bodies) == 1, f"docs/architecture.md must hold exactly one ```{block} block"
    graph: dict[str, set[str]] = {}
    for number, raw in enumerate(bodies[0].splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        source, arrow, targets = line.partition("->")
        assert arrow, f"```{block} line {number} is not `app -> other, other`: {raw!r}"
        source = source.strip()
        assert source not in graph, f"```{block}: {source} has two lines"
        graph[source] = {target.strip() for target in targets.split(",") if target.strip()}
    return graph


def declared() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    return parse_graph(text, "dependencies"), parse_graph(text, "test-dependencies")


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each cycle of the graph once, as the path that closes it (`[a, b, a]`)."""
    found: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            loop = [*path[path.index(node) :], node]
            if frozenset(loop) not in seen:
                seen.add(frozenset(loop))
                found.append(loop)
            return
        if node in done:
            return
        for target in sorted(graph.get(node, ())):
            visit(target, [*path, node])
        done.add(node)

    for node in sorted(graph):
        visit(node, [])
    return found


# The imports found in the source ------------------------------------------------------------------


def packages() -> set[str]:
    """The packages of `quartier/` that hold Python code (apps, lib, demo), and the project and tests."""
    found = {path.parent.relative_to(PACKAGE).parts[0] for path in PACKAGE.glob("*/**/*.py")}
    return (found - {TESTS}) | {PROJECT, TESTS}


def node_of_module(module: str) -> str | None:
    """The package a module belongs to; None outside Quartier (Django, the standard library…)."""
    parts = module.split(".")
    if parts[0] == "bench":
        return "bench"
    if parts[0] != "quartier":
        return None
    if len(parts) == 1:
        return PROJECT
    if parts[1] in {"testing", TESTS}:
        return TESTS
    if (PACKAGE / parts[1]).is_dir():
        return parts[1]
    return PROJECT


def node_of_path(path: Path) -> tuple[str, bool]:
    """(package, whether the file is test code) of a file under `quartier/`."""
    parts = path.relative_to(PACKAGE).parts
    if parts[0] in {"testing.py", TESTS}:
        return TESTS, True
    if len(parts) == 1:
        return PROJECT, False
    in_tests = TESTS in parts[1:] or parts[-1].startswith("test_") or parts[-1] == "conftest.py"
    return parts[0], in_tests


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(
    source: str, *, module: str = "quartier", is_package: bool = False
) -> Iterator[tuple[int, str]]:
    """(line, module) of every import in `source` (the text of `module`), inside functions too."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: `from . import x`, `from ..models import y`
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            if base != "quartier":  # `from quartier import organizing` imports the app, not the project
                yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"
        elif isinstance(node, ast.Call) and node.args:
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            first = node.args[0]
            if name in IMPORTING_CALLS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield node.lineno, first.value


def imports(paths: Iterable[Path]) -> Iterator[Import]:
    for path in paths:
        source, in_tests = node_of_path(path)
        found = imported_modules(
            path.read_text(encoding="utf-8"), module=_module_name(path), is_package=path.name == "__init__.py"
        )
        for line, module in found:
            target = node_of_module(module)
            if target is not None and target != source:
                yield Import(f"{path.relative_to(ROOT)}:{line}", source, target, module, in_tests)


def all_imports() -> list[Import]:
    return list(imports(sorted(PACKAGE.rglob("*.py"))))


def undeclared(
    found: Iterable[Import], graph: dict[str, set[str]], test_graph: dict[str, set[str]]
) -> list[str]:
    """The imports that no declared edge allows. Test code of an app may import what the app may, the
    shared test helpers (`tests`), and its line of `test-dependencies`."""
    problems = []
    for each in found:
        allowed = set(graph.get(each.source, ()))
        if each.in_tests:
            allowed |= test_graph.get(each.source, set()) | {TESTS}
        if each.target not in allowed:
            kind = "test-dependencies" if each.in_tests else "dependencies"
            problems.append(
                f"{each.where}: {each.source} imports {each.module}, "
                f"but `{each.source} -> {each.target}` is not in the ```{kind} block of docs/architecture.md"
            )
    return problems


# The rules -----------------------------------------------------------------------------------------


def test_every_package_of_quartier_has_a_line_in_the_declared_graph():
    graph, test_graph = declared()
    known = packages() | NOT_YET_PRESENT
    assert sorted(packages() - {TESTS} - set(graph)) == []  # a new app declares what it imports
    assert sorted(set(graph) - known) == []
    assert sorted(set(test_graph) - known) == []
    named = {target for targets in (*graph.values(), *test_graph.values()) for target in targets}
    assert sorted(named - known) == []  # `bench` is no package of Quartier: nothing may name it


def test_every_import_in_quartier_is_a_declared_edge():
    graph, test_graph = declared()
    assert undeclared(all_imports(), graph, test_graph) == []


def test_every_declared_edge_is_used():
    # The map stays true: an edge nobody needs any more is struck from the document.
    graph, test_graph = declared()
    found = all_imports()
    used = {(each.source, each.target) for each in found if not each.in_tests}
    used_by_tests = {(each.source, each.target) for each in found if each.in_tests}
    present = packages()
    unused = [
        f"{source} -> {target}"
        for source, targets in graph.items()
        for target in sorted(targets)
        if source in present and (source, target) not in used
    ]
    unused_by_tests = [
        f"{source} -> {target} (test-dependencies)"
        for source, targets in test_graph.items()
        for target in sorted(targets)
        if (source, target) not in used_by_tests
    ]
    assert unused + unused_by_tests == []


def test_the_declared_graph_has_no_cycle():
    graph, _test_graph = declared()
    assert cycles(graph) == []


def test_the_base_rules_hold_in_the_declared_graph():
    graph, test_graph = declared()
    assert graph["lib"] == set()
    assert graph["accounts"] == {"lib"}
    # Outreach delivers: the apps that own people and events call it or register with it.
    assert graph["outreach"] == {"accounts", "lib"}

    def importers(app: str, among: dict[str, set[str]]) -> set[str]:
        return {source for source, targets in among.items() if app in targets}

    assert importers("demo", graph) == importers("demo", test_graph) == set()
    assert importers("dashboard", graph) <= {"demo", PROJECT}
    assert importers("api", graph) <= {PROJECT}
    assert importers(TESTS, graph) == set()  # the product never imports test helpers


@pytest.mark.django_db  # the 404 page shows the campaign's branding (read from the database)
def test_the_product_serves_no_benchmark_page(client):
    # The trivial page exists only under `bench.settings` (bench/urls.py), never on a real server.
    assert client.get("/bench/trivial/").status_code == 404


# The checker itself ---------------------------------------------------------------------------------

GRAPH = {
    "lib": set(),
    "accounts": {"lib"},
    "outreach": {"accounts", "lib"},
    "organizing": {"accounts", "outreach"},
}


def test_an_undeclared_edge_is_reported_however_it_is_imported(tmp_path):
    (tmp_path / "segments.py").write_text(
        "from quartier.accounts.models import Supporter\n"
        "def supporters_in():\n"
        "    from quartier.organizing.queries import groups\n"
        "from quartier import organizing\n"
        "import quartier.organizing.models\n"
        "importlib.import_module('quartier.organizing.actions.events')\n"
        "from quartier import settings\n"
        "import bench.data\n",
        encoding="utf-8",
    )
    found = [
        Import(f"outreach/segments.py:{line}", "outreach", target, module, in_tests=False)
        for line, module in imported_modules(
            (tmp_path / "segments.py").read_text(), module="quartier.outreach.segments"
        )
        if (target := node_of_module(module)) not in (None, "outreach")
    ]

    problems = undeclared(found, GRAPH, {})

    # Line 1 is declared; the import inside the function (line 3) names two modules.
    assert sorted(int(problem.split(":")[1]) for problem in problems) == [3, 3, 4, 5, 6, 7, 8]
    assert all(
        "is not in the ```dependencies block of docs/architecture.md" in problem for problem in problems
    )
    assert {problem.split("`")[1] for problem in problems} == {
        "outreach -> organizing",
        "outreach -> project",
        "outreach -> bench",
    }


def test_a_declared_edge_passes_and_test_code_may_use_its_own_extra_edges():
    edge = Import(
        "organizing/actions/groups.py:3", "organizing", "outreach", "quartier.outreach.actions", False
    )
    from_tests = Import(
        "outreach/tests/test_x.py:1", "outreach", "organizing", "quartier.organizing.models", True
    )
    helpers = Import("outreach/tests/test_x.py:2", "outreach", TESTS, "quartier.testing", True)

    assert undeclared([edge, helpers], GRAPH, {}) == []
    assert len(undeclared([from_tests], GRAPH, {})) == 1
    assert undeclared([from_tests], GRAPH, {"outreach": {"organizing"}}) == []
    # Product code never gets what tests get.
    assert (
        len(undeclared([Import("outreach/x.py:1", "outreach", TESTS, "quartier.testing", False)], GRAPH, {}))
        == 1
    )


def test_relative_imports_are_resolved_against_their_package():
    source = "from . import models\nfrom ..organizing import queries\nfrom .actions import consent\n"

    assert [module for _line, module in imported_modules(source, module="quartier.outreach.segments")] == [
        "quartier.outreach",
        "quartier.outreach.models",
        "quartier.organizing",
        "quartier.organizing.queries",
        "quartier.outreach.actions",
        "quartier.outreach.actions.consent",
    ]


def test_a_cycle_in_the_declared_graph_is_found():
    assert cycles(GRAPH) == []
    with_cycle = {**GRAPH, "outreach": {"accounts", "lib", "organizing"}}

    assert cycles(with_cycle) == [["organizing", "outreach", "organizing"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_the_graph_is_read_from_its_block():
    text = "intro\n```dependencies\nlib ->\naccounts -> lib  # the base\n\norganizing -> accounts, lib\n```\n"

    assert parse_graph(text, "dependencies") == {
        "lib": set(),
        "accounts": {"lib"},
        "organizing": {"accounts", "lib"},
    }
    with pytest.raises(AssertionError):
        parse_graph(text, "test-dependencies")
    with pytest.raises(AssertionError):
        parse_graph("```dependencies\naccounts lib\n```\n", "dependencies")
