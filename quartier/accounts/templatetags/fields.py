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
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

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


# --- a filled-in form, written in Python ---------------------------------------------------------------
# A search form is always bound (its fields come from the address), so `unbound_fields` cannot keep
# it. `{% field_row field %}` writes what `accounts/_field.html` with Django's widget templates writes,
# for the plain widgets (inputs, check boxes, selects without groups); any other widget, or a form
# with a custom renderer, goes through the templates. `tests/test_field_row.py` compares both.
PLAIN_WIDGETS = frozenset({
    "django/forms/widgets/text.html", "django/forms/widgets/number.html", "django/forms/widgets/date.html",
    "django/forms/widgets/email.html", "django/forms/widgets/search.html", "django/forms/widgets/checkbox.html",
    "django/forms/widgets/select.html",
})  # fmt: skip


# Django's own msgid (its catalogue translates it), passed as a name so that makemessages does not
# copy it into Quartier's.
LABEL_PUNCTUATION = ":?.!"


def _attrs(attrs: dict[str, object]) -> str:
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _widget_html(field: forms.BoundField) -> str | None:
    widget = field.field.widget
    if widget.template_name not in PLAIN_WIDGETS or field.field.show_hidden_initial or field.field.localize:
        return None
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    if widget.template_name != "django/forms/widgets/select.html":
        value = "" if context["value"] is None else f' value="{conditional_escape(context["value"])}"'
        return f'<input type="{conditional_escape(context["type"])}" name="{conditional_escape(context["name"])}"{value}{_attrs(context["attrs"])}>'
    options = []
    for group_name, group_choices, _index in context["optgroups"]:
        if group_name:
            return None
        options.extend(
            f'\n  <option value="{conditional_escape(option["value"])}"{_attrs(option["attrs"])}>{conditional_escape(option["label"])}</option>\n'
            for option in group_choices
        )
    return f'<select name="{conditional_escape(context["name"])}"{_attrs(context["attrs"])}>{"".join(options)}\n</select>'


def _label_html(field: forms.BoundField) -> str | None:
    form = field.form
    if hasattr(form, "required_css_class") or field.field.widget.attrs.get("id"):
        return None
    contents = field.label
    suffix = field.field.label_suffix if field.field.label_suffix is not None else form.label_suffix
    if suffix and contents and contents[-1] not in gettext(LABEL_PUNCTUATION):
        contents = format_html("{}{}", contents, suffix)
    if not field.auto_id:
        return conditional_escape(contents)
    id_for_label = field.field.widget.id_for_label(field.auto_id)
    return f"<label{_attrs({'for': id_for_label}) if id_for_label else ''}>{conditional_escape(contents)}</label>"


@register.simple_tag
def field_row(field: forms.BoundField) -> SafeString:
    """One field as `accounts/_field.html` renders it, without a template per part when it can."""
    plain = field.form.template_name_label == forms.Form.template_name_label
    widget = _widget_html(field) if plain else None
    label = _label_html(field) if widget is not None else None
    if widget is None or label is None:
        return render_to_string("accounts/_field.html", {"field": field})
    errors = field.errors
    help_text = (
        f'<div class="help" id="{conditional_escape(field.auto_id)}_helptext">{conditional_escape(field.help_text)}</div>'
        if field.help_text
        else ""
    )
    error_html = "".join(f'<p class="error" role="alert">{conditional_escape(error)}</p>' for error in errors)
    return mark_safe(  # noqa: S308 - every piece of text is escaped above
        f'<div class="field{" has-error" if errors else ""}">\n  {label}\n  {widget}\n  {help_text}\n'
        f"  {error_html}\n</div>\n"
    )


@register.simple_tag
def field_widget(field: forms.BoundField) -> SafeString:
    """`{{ field }}` (the widget alone), written in Python for the plain widgets."""
    html = _widget_html(field)
    return str(field) if html is None else mark_safe(html)  # noqa: S308 - escaped in _widget_html
