"""User-written text: Markdown rendered to HTML, then sanitised so that nothing executes."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    "strikethrough"
)

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "s", "a", "ul", "ol", "li", "blockquote", "code", "pre", "h3", "h4",
    "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render_markdown(source: str) -> str:
    """Safe HTML for a user's Markdown: raw HTML is escaped, links may only be http(s) or mailto."""
    html = _markdown.render(source or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener noreferrer",
    )
