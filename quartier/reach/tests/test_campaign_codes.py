"""Each staff email's links carry a campaign code that reach draws (registered with outreach in
`ReachConfig.ready()`): never a supporter's referral code, one per message."""

from __future__ import annotations

from quartier.outreach.actions import drafts as drafts_actions
from quartier.outreach.models import CAMPAIGN_NEWS
from quartier.reach.models import CampaignCode, ReferralCode


def test_a_new_staff_draft_gets_a_fresh_campaign_code_labelled_with_its_subject(staff):
    draft = drafts_actions.Draft(subject="Spring  canvass", body="Come", segment={"topic": CAMPAIGN_NEWS})

    first = drafts_actions.save_draft(author=staff, draft=draft)
    second = drafts_actions.save_draft(author=staff, draft=draft)
    again = drafts_actions.save_draft(author=staff, draft=draft, message=first)

    assert first.refcode.startswith("m") and first.refcode != second.refcode
    assert again.refcode == first.refcode  # editing a draft keeps its code
    assert CampaignCode.objects.get(code=first.refcode).label == "Spring canvass"
    assert CampaignCode.objects.count() == 2
    assert not ReferralCode.objects.filter(code__in=[first.refcode, second.refcode]).exists()
