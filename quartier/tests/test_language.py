"""One way to write dates per language, unambiguous; "just now"; plural forms; the French catalogue
says "courriel" and puts a non-breaking space before : ; ? ! (checked on the compiled catalogue the
pages use, which includes our French for django-allauth's account pages)."""

from __future__ import annotations

import ast
import gettext
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import timezone, translation
from django.utils.formats import date_format

MO = Path(__file__).resolve().parents[1] / "locale" / "fr" / "LC_MESSAGES" / "django.mo"


def french_strings() -> list[tuple[str, str]]:
    with MO.open("rb") as file:
        catalogue = gettext.GNUTranslations(file)._catalog  # every msgid and msgstr
    return [(str(msgid), msgstr) for msgid, msgstr in catalogue.items() if msgid]


def test_the_french_catalogue_says_courriel_never_email():
    word = re.compile(r"(?<![%({\w-])e-?mails?(?![)}\w])", re.I)  # not %(email)s nor {email}
    found = [msgstr for _msgid, msgstr in french_strings() if word.search(msgstr)]
    assert found == []


def test_the_french_catalogue_puts_a_non_breaking_space_before_double_punctuation():
    found = [msgstr for _msgid, msgstr in french_strings() if re.search(r" [:;?!»]|« ", msgstr)]
    assert found == []


def test_the_allauth_account_pages_say_courriel_in_french():
    with translation.override("fr"):
        assert translation.gettext("Email Addresses") == "Adresses courriel"
        assert "courriel" in translation.gettext("Forgotten your password? Enter your email address below, and we'll send you an email allowing you to reset it.")  # fmt: skip


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["12 June 2026", "12 June 2026", "12 June 2026, 14:30", "12 June 2026, 14:30"]),
        ("en-ca", ["12 June 2026", "12 June 2026", "12 June 2026, 14:30", "12 June 2026, 14:30"]),
        ("fr", ["12 juin 2026", "12 juin 2026", "12 juin 2026, 14:30", "12 juin 2026, 14:30"]),
        ("fr-ca", ["12 juin 2026", "12 juin 2026", "12 juin 2026, 14:30", "12 juin 2026, 14:30"]),
    ],
)
def test_dates_name_the_month_in_every_language(language, expected):
    moment = datetime(2026, 6, 12, 14, 30, tzinfo=UTC)
    names = ["DATE_FORMAT", "SHORT_DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATETIME_FORMAT"]
    with translation.override(language):
        assert [date_format(moment, name) for name in names] == expected
        assert "/" not in date_format(date(2026, 12, 6), "SHORT_DATE_FORMAT")


def test_a_very_recent_moment_reads_just_now_then_how_long_ago():
    template = Template("{% load moments %}{{ moment|ago }}")
    with translation.override("en"):
        assert template.render(Context({"moment": timezone.now() - timedelta(seconds=5)})) == "just now"
        assert (
            template.render(Context({"moment": timezone.now() - timedelta(hours=3, minutes=5)}))
            == "3\xa0hours ago"
        )
    with translation.override("fr"):
        assert template.render(Context({"moment": timezone.now()})) == "à l’instant"
        assert template.render(Context({"moment": timezone.now() - timedelta(days=2)})) == "il y a 2\xa0jours"


@pytest.mark.parametrize(
    ("count", "english", "french"), [(1, "1 person", "1 personne"), (2, "2 people", "2 personnes")]
)
def test_a_count_of_people_takes_the_plural_it_needs(count, english, french):
    message = (
        "Your message is on its way to %(count)s person.",
        "Your message is on its way to %(count)s people.",
    )
    with translation.override("en"):
        assert english in translation.ngettext(*message, count) % {"count": count}
    with translation.override("fr"):
        assert french in translation.ngettext(*message, count) % {"count": count}


def eager_translations_at_import() -> list[str]:
    """Calls of gettext (not gettext_lazy) in a module's or a class's body: they run once, at import, in
    whatever language is active then, and every later request reads that language."""
    eager_names = {"gettext", "ngettext", "pgettext", "npgettext"}
    found = []
    for path in sorted((Path(__file__).resolve().parents[1]).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
            for alias in node.names
            if alias.name in eager_names
        }
        if not names:
            continue
        bodies = [tree.body] + [node.body for node in tree.body if isinstance(node, ast.ClassDef)]
        pending = [
            stmt
            for body in bodies
            for stmt in body
            if not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        ]
        while pending:
            node = pending.pop()
            if isinstance(node, ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef):
                continue  # runs later, per request
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names:
                found.append(f"{path.name}:{node.lineno}")
            pending.extend(ast.iter_child_nodes(node))
    return found


def test_no_string_is_translated_once_at_import():
    assert eager_translations_at_import() == []
