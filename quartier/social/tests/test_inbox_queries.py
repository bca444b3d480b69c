"""The inbox reads three narrow queries whatever the number of conversations, and only its owner's."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quartier.social.actions import conversations as social_conversations
from quartier.testing import client_for

pytestmark = pytest.mark.django_db

INBOX = reverse("social:inbox")


def inbox_queries(person) -> tuple[list[str], str]:
    client = client_for(person)
    client.get(INBOX)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(INBOX)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries], response.content.decode()


def test_the_inbox_reads_few_narrow_queries_whatever_its_length(supporter, other_supporter, make_supporter):
    writers = [make_supporter(f"Personne {number}") for number in range(6)]
    for writer in writers[:2]:
        social_conversations.start_conversation(
            sender=writer, recipients=[supporter], title=f"De {writer.display_name}", body="Bonjour"
        )
    few, body = inbox_queries(supporter)
    assert "De Personne 1" in body
    for writer in writers[2:]:
        social_conversations.start_conversation(
            sender=writer, recipients=[supporter], title=f"De {writer.display_name}", body="Bonjour"
        )
    many, body = inbox_queries(supporter)
    assert "De Personne 5" in body and "Personne 5" in body.split("De Personne 5", 1)[1]
    # The session, the conversations and the other participants (the user comes from the cache).
    assert len(many) == len(few) <= 4
    # No user row is read whole (the signed-in supporter's comes from the cache, `accounts/signed_in.py`);
    # the people named are read by their name's columns.
    assert sum('"password"' in sql for sql in many) == 0
    conversations = next(sql for sql in many if "social_participant" in sql and "last_text" in sql)
    assert '"description"' not in conversations and '"address"' not in conversations
    other_body = inbox_queries(other_supporter)[1]
    assert "De Personne" not in other_body
