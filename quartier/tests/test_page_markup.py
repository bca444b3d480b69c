"""Markup rules every page template keeps, checked on the template files (the browser tests check the
rendered pages with axe-core and fail on any console error)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Mail is read in mail clients, which need inline styles; no Content Security Policy applies there.
PAGE_TEMPLATES = sorted(
    path for path in ROOT.rglob("templates/**/*.html") if "email" not in path.relative_to(ROOT).parts
)
STYLE_ATTRIBUTE = re.compile(r"""<[^>]*\sstyle\s*=""", re.I)


def test_the_page_templates_are_found():
    assert len(PAGE_TEMPLATES) > 50


@pytest.mark.parametrize("path", PAGE_TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_page_template_has_an_inline_style(path):
    """The Content Security Policy allows styles from the stylesheet only (style-src 'self' plus a
    nonce): an inline style attribute is refused by the browser and logs a console error."""
    assert not STYLE_ATTRIBUTE.search(path.read_text()), "use a class in quartier.css instead"
