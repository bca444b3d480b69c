"""What organizing lends outreach (`organizing/outreach_providers.py`, registered in `apps.py`): the
segment filters on a group's members and on event attendance, and the `{{ group }}` and
`{{ next_event }}` merge fields, seen through outreach's own segment builder and renderer."""

from __future__ import annotations

from quartier.accounts.models import Supporter
from quartier.organizing.actions import groups as groups_actions
from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.tests.conftest import MONTREAL
from quartier.outreach import emails, merge_events, registry, segments
from quartier.outreach.models import Message


def names(people) -> set[str]:
    return set(people.values_list("display_name", flat=True))


def renderer_for(subject: str, body: str) -> emails.Renderer:
    return emails.Renderer(Message(subject=subject, body=body, versions={}))


def test_every_filter_and_merge_field_outreach_leaves_to_other_apps_is_registered():
    for name in segments.PROVIDED_FILTERS:
        assert callable(registry.segment_filter(name))
    for name in emails.PROVIDED_FIELDS:
        assert callable(registry.merge_field(name))


def test_a_segment_on_a_group_selects_its_active_members_only(group, leader, member, make_supporter):
    left = make_supporter("Lou Left")
    groups_actions.join_group(
        supporter=left,
        group=group,
        accepts_messages=False,
        consent_wording="",
        language="en",
        ip_address=None,
    )
    groups_actions.leave_group(supporter=left, group=group)
    make_supporter("Nina Nobody")

    assert names(segments.supporters_in(segments.Segment(group_id=group.pk))) == {
        leader.display_name,
        member.display_name,
    }
    assert names(segments.supporters_in(segments.Segment(group_id=group.pk + 1000))) == set()


def test_a_segment_on_attendance_selects_who_was_marked_present(make_event, host, member, outsider):
    event = make_event(host)
    present = rsvps_actions.rsvp(supporter=member, shift=event.shifts.get())
    absent = rsvps_actions.rsvp(supporter=outsider, shift=event.shifts.get())
    rsvps_actions.check_in(rsvp_record=present, attended=True)
    rsvps_actions.check_in(rsvp_record=absent, attended=False)
    everyone = names(Supporter.objects.all())

    assert names(segments.supporters_in(segments.Segment(attended=segments.YES))) == {member.display_name}
    assert names(segments.supporters_in(segments.Segment(attended=segments.NO))) == everyone - {
        member.display_name
    }
    assert names(segments.supporters_in(segments.Segment(attended=segments.ANY))) == everyone


def test_the_group_merge_field_is_each_readers_group_in_one_query_per_batch(
    group, leader, member, outsider, django_assert_num_queries
):
    renderer = renderer_for("News from {{ group }}", "Hi")

    with django_assert_num_queries(1):
        renderer.prepare([leader, member, outsider])

    assert renderer.values_for(member)["group"] == group.name
    assert renderer.values_for(outsider)["group"] == ""
    assert "next_event" not in renderer.values_for(member)


def test_the_next_event_merge_field_is_the_nearest_upcoming_event(make_event, host, member, outsider):
    merge_events.forget()
    make_event(host, title="Mile End canvass")
    Supporter.objects.filter(pk=member.pk).update(latitude=MONTREAL[0], longitude=MONTREAL[1])
    Supporter.objects.filter(pk=outsider.pk).update(latitude=43.65, longitude=-79.38)  # Toronto
    member.refresh_from_db()
    outsider.refresh_from_db()
    renderer = renderer_for("Hi", "Join us at {{ next_event }}")

    renderer.prepare([member, outsider])

    assert renderer.values_for(member)["next_event"] == "Mile End canvass"
    assert renderer.values_for(outsider)["next_event"] == ""
    merge_events.forget()
