# TEMPORARY local stub until the lead's journal is merged (not committed).
from __future__ import annotations

RECORDED: list = []


def record_activity(kind, *, supporter, key, occurred_at=None, count=1, amount=0, currency="", credited_to=None, group_id=None, detail=None):
    RECORDED.append((kind, key))
