from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from quartier.lib.text import render_markdown


def test_it_renders_markdown():
    assert render_markdown("**hi** [x](https://example.org)") == (
        '<p><strong>hi</strong> <a href="https://example.org" rel="nofollow ugc noopener noreferrer">x</a></p>\n'
    )


def test_it_escapes_raw_html_and_drops_dangerous_links():
    html = render_markdown("<script>alert(1)</script> [a](javascript:alert(1)) <img src=x onerror=alert(1)>")
    assert "<script" not in html
    assert "<img" not in html
    assert 'href="javascript:' not in html


@given(st.text(alphabet=st.sampled_from(list("<>\"'=/ ()[]:*_`&;scriptonerrorjavascripimg")), max_size=120))
def test_no_input_produces_an_active_tag_or_handler(source):
    html = render_markdown(source).lower()
    assert "<script" not in html
    assert "<img" not in html
    assert " on" not in html.replace("&", " ").split(">")[0] or "<" not in html.split(" on")[0][-1:]
    assert 'href="javascript' not in html
