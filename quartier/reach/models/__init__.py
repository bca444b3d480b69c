"""Word of mouth's models, one module per subject: `codes` (referral and campaign codes),
`attribution` (cascade nodes, conversions, the metrics' snapshot), `spread` (runs of whom to ask first),
`lending` (lend your status: consents, connected accounts, messages, lent statuses and where they went)."""

from quartier.reach.models.attribution import AttributionCursor, CascadeNode, CascadeSnapshot, Conversion
from quartier.reach.models.codes import CampaignCode, ReferralCode
from quartier.reach.models.lending import (
    ConnectedAccount,
    LendingConsent,
    LendingMessage,
    LentPublication,
    LentStatus,
    MastodonApp,
)
from quartier.reach.models.spread import SpreadRun

__all__ = [
    "AttributionCursor",
    "CampaignCode",
    "CascadeNode",
    "CascadeSnapshot",
    "ConnectedAccount",
    "Conversion",
    "LendingConsent",
    "LendingMessage",
    "LentPublication",
    "LentStatus",
    "MastodonApp",
    "ReferralCode",
    "SpreadRun",
]
