"""Outreach knows no other domain app: what it needs from them is registered in `registry`, and a
provider that is asked for and missing is an error, never a silent "everyone" or an empty value."""

from __future__ import annotations

import pytest

from quartier.outreach import emails, registry, segments
from quartier.outreach.actions import drafts as drafts_actions
from quartier.outreach.models import CAMPAIGN_NEWS, Message


@pytest.fixture
def nothing_registered(monkeypatch):
    monkeypatch.setattr(registry, "_SEGMENT_FILTERS", {})
    monkeypatch.setattr(registry, "_MERGE_FIELDS", {})
    monkeypatch.setattr(registry, "_CAMPAIGN_CODES", {})


def test_a_segment_on_a_field_nobody_provides_fails_instead_of_selecting_everyone(nothing_registered, db):
    with pytest.raises(LookupError, match="segment filter 'group_id'"):
        segments.supporters_in(segments.Segment(group_id=3))
    with pytest.raises(LookupError, match="segment filter 'attended'"):
        segments.supporters_in(segments.Segment(attended=segments.YES))
    # Fields left unset need no provider.
    assert list(segments.supporters_in(segments.Segment())) == []


def test_a_merge_field_nobody_provides_fails_before_anything_is_rendered(nothing_registered, db):
    # (`db`: a renderer reads the campaign's branding, its sender.)
    with pytest.raises(LookupError, match="merge field 'next_event'"):
        emails.Renderer(Message(subject="Hi", body="See you at {{ next_event }}", versions={}))

    renderer = emails.Renderer(Message(subject="Hi {{ first_name }}", body="From {{ town }}", versions={}))
    assert renderer.fields == {"first_name", "town"}


def test_a_staff_draft_without_a_campaign_code_maker_is_not_saved(nothing_registered, staff):
    draft = drafts_actions.Draft(subject="Spring", body="Come", segment={"topic": CAMPAIGN_NEWS})

    with pytest.raises(LookupError, match="campaign code maker"):
        drafts_actions.save_draft(author=staff, draft=draft)
    assert not Message.objects.exists()


def test_registered_providers_are_the_ones_used(monkeypatch, db):
    monkeypatch.setattr(registry, "_CAMPAIGN_CODES", {})
    registry.register_campaign_code(lambda label: f"m{len(label)}")

    assert registry.new_campaign_code("Spring") == "m6"
