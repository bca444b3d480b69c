"""What each journal row adds to the summary tables: one pure function the rollups and the rebuild share.

Metrics are journal kinds, plus a few derived ones the organiser dashboard shows:

- `donations.gift_under_50`, `donations.gift_under_200`: gifts below $50 and $200 (5,000 and 20,000 minor
  units, whatever the currency), counted to give the share of small gifts;
- `fieldwork.door_reached`, `fieldwork.call_reached`: doors and calls where someone was reached;
- `fieldwork.answer`: one per survey answer, labelled `question` + `ANSWER_SEPARATOR` + `answer`;
- `*`: every positive action (for the map of activity by region).

Money figures are kept per currency in the label of the kind's own metric (`donations.gift` with
label `CAD`), so that no figure ever adds dollars to euros.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings

from quartier.lib.areas import area_of

ANSWER_SEPARATOR = "\u241f"  # ␟, a character no question or answer contains
SMALL_GIFT = 5_000
MEDIUM_GIFT = 20_000
REGION_LEVELS = (1, 2, 3)
CREDITED = "credited:"
EVERY_ACTION = "*"
EVERY_REGION = "*"


@dataclass(frozen=True)
class Entry:
    """The parts of a journal row the rollups use."""

    id: int
    kind: str
    supporter_id: int | None
    credited_to_id: int | None
    occurred_at: datetime
    count: int
    amount: int
    currency: str
    group_id: int | None
    region: str
    detail: dict


FIELDS = [
    "id", "kind", "supporter_id", "credited_to_id", "occurred_at", "count", "amount", "currency",
    "group_id", "region", "detail",
]  # fmt: skip


def local_day(moment: datetime) -> date:
    """The campaign's calendar day of a moment (settings.TIME_ZONE): a gift at 23:30 counts that day."""
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


@lru_cache(maxsize=100_000)
def region_keys(region: str) -> tuple[str, ...]:
    """The region rows a journal row counts in: everyone, its country, its province, state or French
    region (`CA-QC`), then its postal prefix at each length it has (`CA:H`, `CA:H2`, `CA:H2X`).

    `region` is the journal's `COUNTRY:PREFIX` (`accounts.activity.region_of`); a row without one (no
    postal code, or an erased account) counts for everyone only.
    """
    country, separator, prefix = region.partition(":")
    if not separator or not country:
        return (EVERY_REGION,)
    keys = [EVERY_REGION, country]
    area = area_of(country, prefix)
    if area:
        keys.append(area)
    keys.extend(f"{country}:{prefix[:length]}" for length in REGION_LEVELS if len(prefix) >= length)
    return tuple(keys)


def campaign_metrics(entry: Entry) -> list[tuple[str, str, int, int]]:
    """(metric, label, count, amount) this row adds to the campaign's figures."""
    label = entry.currency if entry.amount else ""
    found = [(entry.kind, label, entry.count, entry.amount)]
    if entry.count > 0:
        found.append((EVERY_ACTION, "", entry.count, 0))
    if entry.kind == "donations.gift" and entry.count > 0:
        if entry.amount < SMALL_GIFT:
            found.append(("donations.gift_under_50", "", entry.count, entry.amount))
        if entry.amount < MEDIUM_GIFT:
            found.append(("donations.gift_under_200", "", entry.count, entry.amount))
    if entry.kind in {"fieldwork.door", "fieldwork.call"}:
        detail = entry.detail if isinstance(entry.detail, dict) else {}
        if detail.get("reached"):
            found.append((f"{entry.kind}_reached", "", entry.count, 0))
        answers = detail.get("answers") or []
        for answer in answers if isinstance(answers, list) else []:
            if isinstance(answer, dict) and answer.get("question"):
                text = f"{answer['question']}"[:120] + ANSWER_SEPARATOR + f"{answer.get('answer', '')}"[:70]
                found.append(("fieldwork.answer", text, entry.count, 0))
    return found


def supporter_metrics(entry: Entry) -> list[tuple[int, str, int, int]]:
    """(supporter id, metric, count, amount) this row adds to personal figures."""
    found = []
    if entry.supporter_id is not None:
        found.append((entry.supporter_id, entry.kind, entry.count, entry.amount))
    if entry.credited_to_id is not None:
        found.append((entry.credited_to_id, CREDITED + entry.kind, entry.count, entry.amount))
    return found


def counts_as_active(entry: Entry) -> bool:
    return entry.supporter_id is not None and entry.count > 0
