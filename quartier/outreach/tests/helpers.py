"""Plain helpers shared by the outreach tests."""

from __future__ import annotations

from quartier.accounts import actions as accounts_actions
from quartier.accounts.models import ConsentRecord, Supporter
from quartier.outreach.actions import campaign_send as campaign_send_actions
from quartier.outreach.models import Message

GROUP = "group:12"
GROUP_LABEL = "Plateau Mont-Royal volunteers"


def consent(supporter: Supporter, audience: str = GROUP, *, granted: bool = True) -> ConsentRecord:
    return accounts_actions.record_consent(
        supporter=supporter,
        audience=audience,
        granted=granted,
        wording="Yes, the group's leaders may email me." if granted else "No thanks.",
        language=supporter.language,
        source=ConsentRecord.Source.JOIN,
        ip_address="192.0.2.7",
    )


def send(sender: Supporter | None, recipients, **fields: object) -> Message:
    values: dict[str, object] = {
        "audience": GROUP,
        "audience_label": GROUP_LABEL,
        "subject": "Door-knocking on Saturday",
        "body": "Meet at **10:00** at the park.",
    }
    values.update(fields)
    return campaign_send_actions.send_message(sender=sender, recipients=recipients, **values)
