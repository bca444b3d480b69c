from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from quartier.testing import client_for

LOCALE = Path(__file__).resolve().parents[2] / "locale"


@pytest.mark.django_db
def test_it_speaks_the_browsers_language():
    page = Client().get(reverse("home"), HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9").content.decode()

    assert '<html lang="fr">' in page
    assert "Rejoindre la campagne" in page


@pytest.mark.django_db
def test_the_switcher_changes_the_language_and_remembers_it_on_the_account(supporter):
    client = client_for(supporter)

    client.post(reverse("set_language"), {"language": "fr", "next": "/"})

    supporter.refresh_from_db()
    assert supporter.language == "fr"
    assert '<html lang="fr">' in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_a_supporters_saved_language_wins_over_the_browsers(make_supporter):
    french = make_supporter("Léa Martin", language="fr", country="FR", postal_code="75011")

    page = client_for(french).get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<html lang="fr">' in page
    assert "Bienvenue, Léa Martin" in page


@pytest.mark.django_db
def test_the_profile_page_reads_in_french(supporter):
    page = (
        Client().get(reverse("accounts:profile", args=[supporter.handle]), HTTP_ACCEPT_LANGUAGE="fr").content
    )
    assert "Cette personne n’a encore rien partagé" in page.decode() or "rien partagé" in page.decode()


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext is not installed")
def test_the_french_catalogue_is_complete_and_compiled(tmp_path):
    for po in sorted(LOCALE.glob("fr/LC_MESSAGES/*.po")):
        result = subprocess.run(
            ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "out.mo"), str(po)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
        compiled = po.with_suffix(".mo")
        assert compiled.exists(), f"{compiled} is missing: run `make messages`"
        assert compiled.read_bytes() == (tmp_path / "out.mo").read_bytes(), (
            f"{compiled} is stale: run `make messages`"
        )


@pytest.mark.skipif(shutil.which("msgattrib") is None, reason="gettext is not installed")
def test_every_string_of_the_code_is_in_the_french_catalogue(tmp_path):
    """`make messages` run on a copy of the code finds nothing new to translate: a string written in a
    template or a module but never added to the catalogue would show in English on a French page."""
    source = LOCALE.parent
    copy = tmp_path / "quartier"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "tests"))
    shutil.copy(source.parent / "manage.py", tmp_path / "manage.py")
    extracted = subprocess.run(
        [sys.executable, "../manage.py", "makemessages", "-l", "fr", "--no-obsolete", "--add-location", "file",
         "--ignore", "tests/*", "--ignore", "*/tests/*"],
        cwd=copy, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert extracted.returncode == 0, extracted.stderr
    po = copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    missing = subprocess.run(
        ["msgattrib", "--no-wrap", "--no-obsolete", "--untranslated", str(po)],
        capture_output=True, text=True, check=True,
    ).stdout + subprocess.run(
        ["msgattrib", "--no-wrap", "--no-obsolete", "--only-fuzzy", str(po)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    found = [line for line in missing.splitlines() if line.startswith("msgid ") and line != 'msgid ""']
    assert found == [], (
        "not in the French catalogue (`make messages`, translate them in django.po, `make messages` again):\n"
        + "\n".join(found)
    )
