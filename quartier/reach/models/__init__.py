"""Word of mouth's models, one module per subject: `codes` (referral and campaign codes),
`attribution` (cascade nodes, conversions, the metrics' snapshot), `spread` (runs of whom to ask first)."""

from quartier.reach.models.attribution import AttributionCursor, CascadeNode, CascadeSnapshot, Conversion
from quartier.reach.models.codes import CampaignCode, ReferralCode
from quartier.reach.models.spread import SpreadRun

__all__ = [
    "AttributionCursor",
    "CampaignCode",
    "CascadeNode",
    "CascadeSnapshot",
    "Conversion",
    "ReferralCode",
    "SpreadRun",
]
