"""`{% layout_part "nav" %}`: the layout's head links, navigation and footer, rendered once per process, language and role.

The layout's parts are the same on every page for one language and one kind of viewer (anonymous, a
supporter, staff), but rendering them cost a dozen `reverse()` calls, translations and template nodes
on every page. Each part is rendered once into a string with marks for what differs per page, kept in
the process, and filled in per page: `<%current URL%>` becomes `aria-current="page"` on the link to
the current page (and nothing elsewhere), `<%pending%>` the count of events awaiting staff review,
`<%nonce%>` the page's CSP nonce, `<%csrf%>` the page's CSRF token and `<%next%>` the page's own address. The marks cannot come from text
(escaped text never has `<%`). The key holds everything a part is made of besides the code: the part,
the language, the role and the version of the campaign's branding (its name, logo and colours).
"""

from __future__ import annotations

import re

from django import template
from django.conf import settings
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from quartier.accounts import branding
from quartier.accounts.context_processors import NAVIGATION_ITEMS

register = template.Library()

PARTS = {
    "head": "layout/head.html",
    "nav": "layout/nav.html",
    "footer": "layout/footer.html",
    "account": "layout/account_anonymous.html",
}
CURRENT = re.compile(r"<%current ([^%<>]*)%>")
_rendered: dict[
    tuple[str, str, str, str], str
] = {}  # grows by one entry per part, language, role and branding version


def role_of(user) -> str:
    if user is None or not user.is_authenticated:
        return "anonymous"
    return "staff" if user.is_staff else "supporter"


def _part(name: str, language: str, role: str) -> str:
    brand = branding.current()
    key = (name, language, role, brand.version)
    html = _rendered.get(key)
    if html is None:
        html = get_template(PARTS[name]).render(
            {
                "BRAND": brand,
                "SITE_NAME": brand.name,
                "LANGUAGE_CODE": language,
                "role": role,
                "NAVIGATION": [
                    {"label": label, "url": reverse(url_name) if url_name else None}
                    for label, url_name in NAVIGATION_ITEMS
                ],
            }
        )
        _rendered[key] = html
    return html


@register.simple_tag(takes_context=True)
def layout_part(context, name: str, pending: int = 0) -> SafeString:
    request = context.get("request")
    user = context.get("user")
    role = role_of(user)
    html = _part(name, get_language() or settings.LANGUAGE_CODE, role)
    if name == "nav":
        path = request.path if request is not None else ""
        html = CURRENT.sub(lambda mark: ' aria-current="page"' if mark.group(1) == path else "", html)
        if role == "staff":
            html = html.replace("<%pending%>", f" ({pending})" if pending else "")
    elif name == "head":
        html = html.replace("<%nonce%>", str(request.csp_nonce) if request is not None else "")
    elif name == "footer":
        token = get_token(request) if request is not None else ""
        next_path = escape(request.get_full_path()) if request is not None else ""
        html = html.replace("<%csrf%>", token).replace("<%next%>", next_path)
    return mark_safe(html)  # noqa: S308 — rendered by the template engine (escaped), marks filled with escaped text
