"""The path and query parameters every OSDI route shares, typed with the rules the code enforces, so that
the OpenAPI document says exactly what the API accepts (schemathesis checks both ways).

- a resource id in a URL: `12` or `quartier:12` (anything else is a 404: no such resource);
- `page` from 1 to `MAX_PAGE`, `per_page` from 1 (larger sizes are capped at `max_pagesize`, not refused);
- `filter`: its document pattern describes the OData subset every resource reads, built from the fields
  that resource filters on (`filter_param`). The parser (`filters.py`) also reads parentheses and
  upper-case operators; the pattern is the plain form, which it always accepts.
"""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Path, Query
from pydantic import WithJsonSchema

from quartier.api.osdi.filters import MAX_COMPARISONS, MAX_FILTER_LENGTH, FilterField

MAX_PAGE = 10_000_000
MAX_PER_PAGE_ASKED = 2**31 - 1
ID_PATTERN = r"^(quartier:)?[0-9]{1,18}$"

# Documented with its pattern; an id outside it is a 404 (`hal.parse_id`, which reads exactly this form).
ResourceId = Annotated[
    str,
    Path(),
    WithJsonSchema({
        "type": "string",
        "pattern": ID_PATTERN,
        "description": "The resource's id: `12` or its identifier `quartier:12` (anything else: 404).",
    }),
]  # fmt: skip
Page = Annotated[int | None, Query(ge=1, le=MAX_PAGE, description="The page, from 1.")]
PerPage = Annotated[
    int | None,
    Query(
        ge=1, le=MAX_PER_PAGE_ASKED, description="Records per page (25 by default; capped at max_pagesize)."
    ),
]

# A date the filter parser always reads (no 29th-31st: every month has them up to the 28th).
_DATE = r"[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z?)?"
_OPERATOR = r"(eq|ne|gt|ge|lt|le)"
_TEXT = r"'([^'\x00-\x1f]|''){0,60}'"


def filter_pattern(fields: dict[str, FilterField]) -> str:
    """The regular expression of the filters the parser reads over `fields` (plain form, no parentheses)."""
    dates = "|".join(name for name, field in sorted(fields.items()) if field.kind == "datetime")
    texts = "|".join(name for name, field in sorted(fields.items()) if field.kind in {"text", "email"})
    choices = []
    if dates:
        choices.append(rf"({dates}) +{_OPERATOR} +('{_DATE}'|{_DATE})")
    if texts:
        choices.append(rf"({texts}) +{_OPERATOR} +{_TEXT}")
    comparison = "(" + "|".join(choices) + ")"
    return rf"^ *({comparison}( +(and|or) +{comparison}){{0,{min(MAX_COMPARISONS, 10) - 1}}})? *$"


def filter_param(fields: dict[str, FilterField]) -> Any:
    """The `filter` query parameter of a collection filtering on `fields` (validated by the parser)."""
    names = ", ".join(sorted(fields))
    description = (
        f"OData subset: comparisons `eq ne gt ge lt le` joined by `and`/`or`, over {names}; dates as "
        "2026-01-31 or 2026-01-31T12:00:00Z, text in single quotes ('' for a quote). Parentheses are read "
        "too. An unreadable filter is a 400 with its reason."
    )
    document = {
        "type": "string",
        "maxLength": MAX_FILTER_LENGTH,
        "pattern": filter_pattern(fields),
        "description": description,
    }
    return Annotated[str | None, Query(max_length=MAX_FILTER_LENGTH), WithJsonSchema(document)]
