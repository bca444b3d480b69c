"""The OData subset of OSDI's `filter` parameter, parsed into a Q object.

    modified_date gt '2026-01-01' and (email_address eq 'a@b.c' or postal_code eq 'H2X 1Y4')

Comparisons `eq ne gt ge lt le`, joined by `and`/`or` (and binds tighter), parentheses optional.
Values are quoted with single quotes ('' for a quote inside) or bare (numbers, dates). Each resource
says which fields it filters on and what each becomes (`FilterField`); anything else is a
`FilterError` carrying a reason, answered as a 400.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, Literal

from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from quartier.api.errors import ApiError

OPERATORS = {"eq", "ne", "gt", "ge", "lt", "le"}
LOOKUPS = {"gt": "gt", "ge": "gte", "lt": "lt", "le": "lte"}
MAX_FILTER_LENGTH = 2000
MAX_COMPARISONS = 50
MAX_DEPTH = 20

# One token: a parenthesis, a quoted string ('' inside is a quote) or a word. Written on one line, not
# in VERBOSE mode, so that every reading of it (the regex-safety test compiles it flagless) is the same.
_TOKEN = re.compile(r"""\s*(?:(?P<open>\()|(?P<close>\))|'(?P<quoted>(?:[^']|'')*)'|(?P<word>[^\s()']+))""")


class FilterError(ValueError):
    """The filter cannot be understood; its message is the reason given to the client."""


@dataclass(frozen=True)
class FilterField:
    """A filterable OSDI field: the ORM path it compares and how its values are read."""

    path: str
    kind: Literal["datetime", "text", "email", "integer"] = "text"
    # When `path` is the latest of several dates (an annotation no index serves), the columns it takes
    # the latest of, the first never null: `gt`/`ge`/`lt`/`le` are then asked of each column, so that
    # each column's index serves the comparison.
    latest_of: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Token:
    kind: Literal["open", "close", "quoted", "word"]
    text: str


def tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise FilterError(_("The filter cannot be read near: %(rest)s") % {"rest": text[position:][:40]})
        kind = match.lastgroup
        assert kind is not None
        value = match.group(kind)
        tokens.append(_Token(kind, value.replace("''", "'") if kind == "quoted" else value))  # type: ignore[arg-type]
        position = match.end()
        while position < len(text) and text[position].isspace():
            position += 1
    return tokens


class _Parser:
    def __init__(self, tokens: list[_Token], fields: dict[str, FilterField]) -> None:
        self.tokens = tokens
        self.position = 0
        self.fields = fields
        self.comparisons = 0
        self.depth = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise FilterError(_("The filter ends too early."))
        self.position += 1
        return token

    def is_word(self, word: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "word" and token.text.lower() == word

    def expression(self) -> Q:
        result = self.term()
        while self.is_word("or"):
            self.take()
            result = result | self.term()
        return result

    def term(self) -> Q:
        result = self.factor()
        while self.is_word("and"):
            self.take()
            result = result & self.factor()
        return result

    def factor(self) -> Q:
        token = self.peek()
        if token is not None and token.kind == "open":
            self.take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise FilterError(_("The filter has too many parentheses."))
            inner = self.expression()
            self.depth -= 1
            closing = self.take()
            if closing.kind != "close":
                raise FilterError(_("A parenthesis is not closed."))
            return inner
        return self.comparison()

    def comparison(self) -> Q:
        name_token = self.take()
        if name_token.kind != "word":
            raise FilterError(_("A field name was expected, not %(text)s.") % {"text": name_token.text})
        field = self.fields.get(name_token.text)
        if field is None:
            raise FilterError(
                _("Cannot filter on %(name)s; the fields are: %(fields)s.")
                % {"name": name_token.text, "fields": ", ".join(sorted(self.fields))}
            )
        operator_token = self.take()
        operator = operator_token.text.lower()
        if operator_token.kind != "word" or operator not in OPERATORS:
            raise FilterError(
                _("Unknown operator %(text)s: use eq, ne, gt, ge, lt or le.") % {"text": operator_token.text}
            )
        value_token = self.take()
        if value_token.kind not in {"quoted", "word"}:
            raise FilterError(_("A value was expected after %(name)s %(operator)s.") % {
                "name": name_token.text, "operator": operator,
            })  # fmt: skip
        self.comparisons += 1
        if self.comparisons > MAX_COMPARISONS:
            raise FilterError(_("The filter has too many comparisons."))
        return _compare(name_token.text, field, operator, value_token.text)


def _value(name: str, field: FilterField, raw: str) -> object:
    if field.kind == "datetime":
        try:  # Django raises ValueError for a well-formed but impossible moment (hour 25, offset +99:00)
            moment = parse_datetime(raw) if "T" in raw or " " in raw else None
        except ValueError:
            moment = None
        if moment is None:
            day: date | None = None
            try:
                day = parse_date(raw)
            except ValueError:
                day = None
            if day is None:
                raise FilterError(
                    _("%(name)s needs a date such as 2026-01-31 or 2026-01-31T12:00:00Z, not %(value)s.")
                    % {"name": name, "value": raw[:40]}
                )
            moment = datetime.combine(day, time.min)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if field.kind == "integer":
        if not raw.lstrip("-").isdigit() or len(raw) > 18:
            raise FilterError(
                _("%(name)s needs a whole number, not %(value)s.") % {"name": name, "value": raw[:40]}
            )
        return int(raw)
    if len(raw) > 254:
        raise FilterError(_("The value for %(name)s is too long.") % {"name": name})
    return raw.strip().lower() if field.kind == "email" else raw.strip()


def _compare(name: str, field: FilterField, operator: str, raw: str) -> Q:
    value = _value(name, field, raw)
    if operator in {"eq", "ne"}:
        lookup = "iexact" if field.kind in {"email", "text"} else "exact"
        condition = Q(**{f"{field.path}__{lookup}": value})
        return ~condition if operator == "ne" else condition
    lookup = LOOKUPS[operator]
    if field.latest_of:
        first, *others = field.latest_of
        if operator in {"gt", "ge"}:  # the latest is after X when any of them is
            condition = Q(**{f"{first}__{lookup}": value})
            for path in others:
                condition |= Q(**{f"{path}__{lookup}": value})
            return condition
        condition = Q(**{f"{first}__{lookup}": value})  # before X when every one present is
        for path in others:
            condition &= Q(**{f"{path}__{lookup}": value}) | Q(**{f"{path}__isnull": True})
        return condition
    return Q(**{f"{field.path}__{lookup}": value})


def parse_filter(text: str | None, fields: dict[str, FilterField]) -> Q:
    """The Q object `text` means over `fields` (an empty filter keeps everything)."""
    if text is None or not text.strip():
        return Q()
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterError(_("The filter is too long."))
    parser = _Parser(tokenize(text), fields)
    result = parser.expression()
    if parser.peek() is not None:
        raise FilterError(_("The filter cannot be read near: %(rest)s") % {"rest": parser.peek().text[:40]})  # type: ignore[union-attr]
    return result


def filtered(queryset: QuerySet[Any], text: str | None, fields: dict[str, FilterField]) -> QuerySet[Any]:
    """`queryset` narrowed by the client's filter; a filter that cannot be read is a 400 with its reason."""
    try:
        return queryset.filter(parse_filter(text, fields))
    except FilterError as error:
        raise ApiError(400, str(error), code="bad_filter") from None
