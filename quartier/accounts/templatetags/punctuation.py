"""`{% colon %}`: the colon between a label and its value as the active language writes it.

In French a colon takes a non-breaking space before it (`Vos dons : https://…`); a colon typed after
a translated label in a template (`{% translate "Your gifts" %}: {{ url }}`) would be English
typography in every language, so plain-text mail writes `{% translate "Your gifts" %}{% colon %}`.
"""

from __future__ import annotations

from django import template
from django.utils.translation import pgettext

register = template.Library()


@register.simple_tag
def colon() -> str:
    return pgettext("between a label and its value", ":")
