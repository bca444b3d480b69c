"""`{% unbound_fields form skip="guests" %}`: a form's visible fields, each through `accounts/_field.html`.

Rendering a field through Django's template-based widgets and labels costs about half a millisecond;
a hot page's form that nobody has filled in yet (no data, no errors) renders the same HTML for every
visitor in one language, so that HTML is rendered once per process and kept. The key holds everything
the HTML is made of: the form's class, prefix, ids and initial values, each field's label, help text,
initial value, widget attributes and choices, and the language. A bound form is rendered every time.
"""

from __future__ import annotations

from django import forms, template
from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()

MAX_KEPT = 512
_kept: dict[tuple[object, ...], SafeString] = {}


def field_key(field: forms.BoundField) -> tuple[object, ...]:
    definition = field.field
    choices = getattr(definition, "choices", None)
    return (
        field.name,
        type(definition).__qualname__,
        type(definition.widget).__qualname__,
        str(definition.label),
        str(definition.help_text),
        repr(definition.initial),
        definition.required,
        repr(sorted(definition.widget.attrs.items())),
        None if choices is None else tuple((value, str(label)) for value, label in choices),
    )


@register.simple_tag
def unbound_fields(form: forms.Form, skip: str = "") -> SafeString:
    skipped = {name for name in skip.split(",") if name}
    shown = [field for field in form.visible_fields() if field.name not in skipped]
    if form.is_bound:
        return render_fields(shown)
    key = (
        type(form).__module__,
        type(form).__qualname__,
        form.prefix,
        form.auto_id,
        repr(sorted(form.initial.items())),
        get_language(),
        *(field_key(field) for field in shown),
    )
    html = _kept.get(key)
    if html is None:
        if len(_kept) >= MAX_KEPT:
            _kept.clear()
        html = _kept[key] = render_fields(shown)
    return html


def render_fields(fields: list[forms.BoundField]) -> SafeString:
    return format_html_join(
        "", "{}", ((render_to_string("accounts/_field.html", {"field": field}),) for field in fields)
    )
