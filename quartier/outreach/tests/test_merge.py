"""Merge fields: the syntax checked, values filled and escaped, the nearest event found."""

from __future__ import annotations

from quartier.outreach import merge
from quartier.outreach.merge_events import NearestEvents


def test_unknown_fields_and_stray_braces_are_reported():
    assert merge.unknown_fields("Hi {{ first_name }}, from {{ town }}") == []
    assert merge.unknown_fields("Hi {{ frist_name }}") == ["{{ frist_name }}"]
    assert merge.unknown_fields("Hi {{ first_name }", "ok") == ["{{ … }}"]


def test_values_are_filled_escaped_in_html_and_fall_back_when_missing():
    assert (
        merge.fill("Hi {{first_name}}!", {"first_name": "<b>Ana</b>"}, html=True)
        == "Hi &lt;b&gt;Ana&lt;/b&gt;!"
    )
    assert merge.fill("Hi {{ first_name }}!", {"first_name": "<b>Ana</b>"}, html=False) == "Hi <b>Ana</b>!"
    assert merge.fill("In {{ town }}", {}, html=False) == "In your area"


def test_the_nearest_event_is_the_nearest_within_50_km_and_none_beyond():
    events = NearestEvents(
        [
            (45.50, -73.57, "Downtown canvass", 1),
            (45.56, -73.70, "Laval phone bank", 2),
            (43.65, -79.38, "Toronto meeting", 3),
        ]
    )

    assert events.near(45.52, -73.58) == "Downtown canvass"
    assert events.near(45.57, -73.71) == "Laval phone bank"
    assert events.near(46.81, -71.21) == ""  # Québec City: nothing within 50 km
    assert events.near(None, None) == ""
