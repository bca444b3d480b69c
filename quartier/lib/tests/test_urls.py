from __future__ import annotations

import pytest

from quartier.lib.urls import absolute_url, calendar_uid


def test_absolute_urls_start_with_the_site_url(settings):
    settings.SITE_URL = "https://quartier.example.org"
    assert absolute_url("/events/3/") == "https://quartier.example.org/events/3/"
    with pytest.raises(ValueError):
        absolute_url("events/3/")


def test_calendar_uids_do_not_depend_on_the_port_or_scheme(settings):
    settings.SITE_URL = "http://127.0.0.1:18801"
    on_a_port = calendar_uid("shift", 12)
    settings.SITE_URL = "https://127.0.0.1"
    assert calendar_uid("shift", 12) == on_a_port == "shift-12@127.0.0.1"
