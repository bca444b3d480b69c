"""The event and group cards, written in Python for speed, show exactly what their templates showed."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from quartier.lib.zones import TIME_ZONE_COOKIE
from quartier.organizing.models import Group

pytestmark = pytest.mark.django_db

# `organizing/_event_card.html` as it was before `{% event_card %}`.
TEMPLATE_CARD = """{% load i18n event_times %}<li class="result card">
  <p class="event-when">{% event_time event event.starts_at %}{% if event.is_virtual %} · {% event_zone_label event %}{% endif %}</p>
  <h3><a href="{{ event.get_absolute_url }}">{{ event.title }}</a></h3>
  <p class="muted">{{ event.get_event_type_display }} · {% if event.is_virtual %}{% translate "Online" %}{% else %}{{ event.town|default:_("In person") }}{% endif %}{% if distance is not None %} · {% blocktranslate with distance=distance|floatformat:1 %}{{ distance }} {{ unit }} away{% endblocktranslate %}{% endif %}</p>
  <p class="muted">{% translate "Hosted by" %} {% supporter_name event.host %}{% if event.group %} · {{ event.group.name }}{% endif %}</p>
</li>"""
TAG_CARD = "{% load cards %}{% event_card event distance %}"


def both(event, *, distance, unit="km", language="en", zone=""):
    request = RequestFactory().get("/events/")
    if zone:
        request.COOKIES[TIME_ZONE_COOKIE] = zone
    context = {"event": event, "distance": distance, "unit": unit, "request": request}
    with translation.override(language):
        return Template(TEMPLATE_CARD).render(Context(context)), Template(TAG_CARD).render(Context(context))


def test_an_in_person_card_with_its_distance_reads_as_before_in_each_language(make_event, make_group, host):
    event = make_event(
        host, title="Porte-à-porte <Plateau> & co", group=make_group(host, name="Plateau & Mile End")
    )

    for language in ("en", "fr"):
        from_template, from_tag = both(event, distance=3.24, language=language)
        assert from_tag == from_template
    assert "3.2 km away" in both(event, distance=3.24)[1]
    assert "&lt;Plateau&gt; &amp; co" in both(event, distance=None)[1]


def test_an_online_card_in_the_viewers_zone_and_one_with_no_town_read_as_before(make_event, host):
    online = make_event(host, is_virtual=True, latitude=None, longitude=None, address="", venue="", town="")
    nowhere = make_event(host, town="")

    assert (
        both(online, distance=None, zone="Europe/Paris")[1]
        == both(online, distance=None, zone="Europe/Paris")[0]
    )
    assert "Paris" in both(online, distance=None, zone="Europe/Paris")[1]
    assert (
        both(nowhere, distance=12.0, unit="mi", language="fr")[1]
        == both(nowhere, distance=12.0, unit="mi", language="fr")[0]
    )
    assert "In person" in both(nowhere, distance=None)[1]


# `organizing/_group_card.html` as it was before `{% group_card %}`.
TEMPLATE_GROUP_CARD = """{% load i18n %}<li class="result card">
  <h3><a href="{{ group.get_absolute_url }}">{{ group.name }}</a>{% if group.is_featured %} <span class="label label-featured">{% translate "Featured" %}</span>{% endif %}</h3>
  <p class="muted">{{ group.area }}{% if group.town %} · {{ group.town }}{% endif %}{% if distance is not None %} · {% blocktranslate with distance=distance|floatformat:1 %}{{ distance }} {{ unit }} away{% endblocktranslate %}{% endif %}</p>
  <p class="muted">{% blocktranslate count counter=group.member_count %}{{ counter }} member{% plural %}{{ counter }} members{% endblocktranslate %}{% if group.join_policy == "approval" %} · {% translate "leaders approve new members" %}{% endif %}</p>
</li>"""
TAG_GROUP_CARD = "{% load cards %}{% group_card group distance %}"


def test_group_cards_read_as_before_in_each_language(make_group, leader):
    plain = make_group(leader, name="Plateau <pour> le climat & co")
    featured = make_group(leader, name="Rosemont", town="", join_policy=Group.JoinPolicy.APPROVAL)
    Group.objects.filter(pk=featured.pk).update(is_featured=True, member_count=1234)
    featured.refresh_from_db()

    cards = []
    for group in (plain, featured):
        for language in ("en", "fr"):
            for distance, unit in ((None, ""), (2.26, "km"), (40.0, "mi")):
                context = Context({"group": group, "distance": distance, "unit": unit})
                with translation.override(language):
                    cards.append(
                        (
                            Template(TEMPLATE_GROUP_CARD).render(context),
                            Template(TAG_GROUP_CARD).render(context),
                        )
                    )

    assert [from_tag == from_template for from_template, from_tag in cards] == [True] * 12
    assert "&lt;pour&gt; le climat &amp; co" in cards[0][1]
    assert "1234 membres" in cards[9][1]
    assert "les responsables approuvent les nouveaux membres" in cards[9][1]
