"""`{% field_row field %}` writes, in Python, the HTML `accounts/_field.html` and Django's widget
templates write: the search forms, filled in every way (and with errors), in both languages."""

from __future__ import annotations

import pytest
from django import forms
from django.template.loader import render_to_string
from django.utils import translation

from quartier.accounts.templatetags.fields import field_row, field_widget
from quartier.organizing.forms.search import EventSearchForm, SearchForm

pytestmark = pytest.mark.django_db

QUERIES = [
    {},
    {"near": "H2X 1Y4", "country": "CA", "within": "25"},
    {"near": '<script>"x"</script>', "country": "FR", "within": "10", "type": "canvass", "online": "yes",
     "sort": "date", "date_from": "2026-12-01", "date_to": "2026-12-24"},
    {"near": "75011", "within": "9999", "date_from": "not a date", "date_to": "2026-01-01", "country": "ZZ"},
]  # fmt: skip


class Described(forms.Form):
    required_text = forms.CharField(label="Name?", help_text="Your <b>name</b>", max_length=5)
    agreed = forms.BooleanField(label="I agree")
    kind = forms.ChoiceField(choices=[("Group", [("a", "A")])])  # groups: through the templates


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("data", QUERIES)
@pytest.mark.parametrize("form_class", [EventSearchForm, SearchForm, Described])
def test_a_field_row_is_the_template_s_html(form_class, data, language):
    with translation.override(language):
        for form in (form_class(data), form_class()):
            form.is_valid()
            for field in form:
                assert field_row(field) == render_to_string("accounts/_field.html", {"field": field}), (
                    field.name
                )
                assert field_widget(field) == str(field), field.name
