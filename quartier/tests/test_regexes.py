"""Every regular expression of the code base against its worst inputs: none may backtrack for ever.

Python's `re` has no timeout, so the patterns run in a child process that reports after each one; a
pattern that does not answer within `PATTERN_BUDGET_SECONDS` on inputs of `ATTACK_LENGTH` characters is
catastrophic (the old coordinates pattern took about 30 s for 400 spaces; on these inputs it never
returns). The budget is a hang detector, not a timing assertion: a linear pattern answers in
milliseconds.
"""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

import quartier

ROOT = Path(quartier.__file__).resolve().parent
SOURCES = [ROOT, ROOT.parent / "bench"]
ATTACK_LENGTH = 2000
PATTERN_BUDGET_SECONDS = 10
# Characters that the patterns of a web form accept or separate on; each attack repeats one of them
# (or a pair) after a short prefix, then ends with a character that makes the match fail.
ATTACK_CHARACTERS = ["0", "1", "a", "N", "x", " ", "\t", ".", ",", "-", "/", ":", "°", "é"]
RE_FUNCTIONS = {"compile", "match", "search", "fullmatch", "sub", "subn", "split", "findall", "finditer"}

_CHILD = r"""
import itertools, json, re, sys
patterns = json.loads(sys.stdin.read())
chars = json.loads(sys.argv[1])
length = int(sys.argv[2])
attacks = []
for prefix in ["", *chars]:
    for repeated in chars:
        attacks.append(prefix + repeated * length + "\x00")
for first, second in itertools.product(chars, chars):
    attacks.append((first + second) * (length // 2) + "\x00")
for index, (source, flags) in enumerate(patterns):
    compiled = re.compile(source, flags)
    for attack in attacks:
        compiled.search(attack)
    print(index, flush=True)
"""


def _literal_patterns() -> set[tuple[str, int]]:
    """Literal patterns passed to `re.*`, `re_path` or `RegexValidator` anywhere in the sources."""
    found: set[tuple[str, int]] = set()
    for source_dir in SOURCES:
        for path in source_dir.rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                function = node.func
                name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
                is_re = isinstance(function, ast.Attribute) and getattr(function.value, "id", "") == "re"
                if not ((is_re and name in RE_FUNCTIONS) or name in {"re_path", "RegexValidator"}):
                    continue
                arguments = [
                    *node.args[:1],
                    *(k.value for k in node.keywords if k.arg in {"pattern", "regex"}),
                ]
                for argument in arguments:
                    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                        found.add((argument.value, 0))
    return found


def _module_patterns() -> set[tuple[str, int]]:
    """Compiled patterns held by our modules (also those built from pieces, like the coordinates one)."""
    found: set[tuple[str, int]] = set()
    for module_info in pkgutil.walk_packages([str(ROOT)], prefix="quartier."):
        name = module_info.name
        if ".tests" in name or ".migrations" in name or name in {"quartier.wsgi", "quartier.__main__"}:
            continue
        module = importlib.import_module(name)
        for value in vars(module).values():
            values = value.values() if isinstance(value, dict) else [value]
            for item in values:
                if isinstance(item, re.Pattern) and isinstance(item.pattern, str):
                    found.add((item.pattern, item.flags & ~re.UNICODE))
    return found


def _url_patterns() -> set[tuple[str, int]]:
    found: set[tuple[str, int]] = set()

    def walk(patterns) -> None:
        for entry in patterns:
            found.add((entry.pattern.regex.pattern, entry.pattern.regex.flags & ~re.UNICODE))
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns)
            else:
                assert isinstance(entry, URLPattern)

    walk(get_resolver().url_patterns)
    return found


def every_pattern() -> list[tuple[str, int]]:
    return sorted(_literal_patterns() | _module_patterns() | _url_patterns())


def test_the_collection_finds_the_patterns_of_forms_and_urls():
    patterns = {source for source, _flags in every_pattern()}
    from quartier.lib.geo import _COORDINATES
    from quartier.lib.ids import HANDLE_PATTERN

    assert _COORDINATES.pattern in patterns
    assert HANDLE_PATTERN.pattern in patterns
    assert r"\s+" in patterns  # a literal inside a function (postal codes)
    assert any("people/" in source for source in patterns)  # the URL patterns


def test_no_pattern_backtracks_catastrophically_on_its_worst_input():
    patterns = every_pattern()
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, json.dumps(ATTACK_CHARACTERS), str(ATTACK_LENGTH)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(json.dumps(patterns))
    child.stdin.close()
    try:
        for index, (source, _flags) in enumerate(patterns):
            ready, _, _ = select.select([child.stdout], [], [], PATTERN_BUDGET_SECONDS)
            if not ready:
                pytest.fail(f"the pattern {source!r} backtracks catastrophically")
            assert child.stdout.readline().strip() == str(index)
    finally:
        child.kill()
        child.wait()


def test_coordinates_longer_than_the_field_are_refused_before_parsing():
    from quartier.organizing.forms.groups import GroupForm

    form = GroupForm(data={"coordinates": "1" + " " * 400 + "x"})

    assert not form.is_valid()
    assert form.errors["coordinates"] == ["Ensure this value has at most 60 characters (it has 402)."]
