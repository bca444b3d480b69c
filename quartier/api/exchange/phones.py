"""The index of people's phone numbers (`SupporterPhone`, E.164) that imports match people by: filled by
imports and by OSDI writes (`api.actions.people.apply_details`), whatever form a client sent."""

from __future__ import annotations

from quartier.accounts.models import Supporter
from quartier.api.models import SupporterPhone
from quartier.lib import contacts


def remember_phones(supporter: Supporter, numbers: list[str]) -> None:
    """Index the valid numbers among `numbers` (read in the person's country); the others are skipped."""
    found = {
        parsed.e164 for raw in numbers if (parsed := contacts.parse_phone(str(raw or ""), supporter.country))
    }
    SupporterPhone.objects.bulk_create(
        [SupporterPhone(supporter=supporter, number=number) for number in sorted(found)],
        ignore_conflicts=True,
    )
