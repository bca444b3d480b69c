"""Plain-text mail writes "label: value" as each language does: a non-breaking space before the
colon in French, never a colon typed after a translated label."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

from django.template.loader import render_to_string
from django.utils import translation

ROOT = Path(__file__).resolve().parents[1]
# A colon typed in the template right after a tag or a variable: `{% translate "X" %}: {{ url }}`.
TYPED_COLON = re.compile(r"(%\}|\}\}) ?:(?=\s)")


def test_no_plain_text_mail_template_types_a_colon_after_a_label():
    offenders = []
    for path in sorted(ROOT.glob("*/templates/**/*.txt")) + sorted(ROOT.glob("templates/**/*.txt")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            outside_blocks = re.sub(r"\{% blocktranslate.*?\{% endblocktranslate %\}", "", line)
            if TYPED_COLON.search(outside_blocks):
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []


def test_a_french_receipt_puts_a_non_breaking_space_before_each_colon():
    donation = SimpleNamespace(
        pk=42, first_name="Benoît", last_name="Roy", currency="CAD", address_line="", payment_reference="pi_1",
        recurring_id=None, succeeded_at=None, page=SimpleNamespace(title="Plateau"),
    )  # fmt: skip
    context = {
        "donation": donation, "amount": "25,00 $", "site_name": "Quartier", "site_url": "https://example.org",
        "page_url": "https://example.org/p/1/", "history_url": "https://example.org/gifts/", "rules": None,
    }  # fmt: skip
    with translation.override("fr"):
        text = render_to_string("donations/email/receipt_message.txt", context)
        stopped = render_to_string(
            "donations/email/monthly_cancelled_message.txt",
            {**context, "first_name": "Benoît", "donate_url": "https://example.org/donate/"},
        )
        topics = render_to_string(
            "outreach/email/confirm_topics.txt", {"links": [("Actualités", "https://example.org/c/1/")]}
        )

    assert "Numéro\u00a0: 42" in text
    assert "Vos dons\u00a0: https://example.org/gifts/" in text
    assert "Plateau\u00a0: https://example.org/p/1/" in text
    assert "Donner de nouveau\u00a0: https://example.org/donate/" in stopped
    assert "- Actualités\u00a0: https://example.org/c/1/" in topics
    assert not re.search(r"[^\u00a0]:", text.replace("https:", ""))
