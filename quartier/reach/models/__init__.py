"""Word of mouth's models, one module per subject: `codes` (referral and campaign codes), `lending`
(lend your status: consents, connected accounts, messages, lent statuses and where they went)."""

from quartier.reach.models.codes import CampaignCode, ReferralCode
from quartier.reach.models.lending import (
    ConnectedAccount,
    LendingConsent,
    LendingMessage,
    LentPublication,
    LentStatus,
    MastodonApp,
)

__all__ = [
    "CampaignCode",
    "ConnectedAccount",
    "LendingConsent",
    "LendingMessage",
    "LentPublication",
    "LentStatus",
    "MastodonApp",
    "ReferralCode",
]
