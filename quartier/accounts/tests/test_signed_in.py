"""Who is signed in comes from the cache (`signed_in.py`): no query for the supporter's row once it is
cached, and every write to the row (deactivation, staff removal, erasure, a new password, a bulk
update) takes effect on that person's next request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quartier.accounts import actions, signed_in
from quartier.accounts.models import Supporter
from quartier.testing import PASSWORD, client_for

pytestmark = pytest.mark.django_db

PRIVACY = reverse("accounts:settings_privacy")
BRANDING = reverse("accounts:staff_branding")


def row_reads(captured: CaptureQueriesContext) -> list[str]:
    """The reads of a supporter's row by its id: what Django's `get_user` does on every request."""
    return [
        query["sql"]
        for query in captured.captured_queries
        if 'FROM "accounts_supporter"' in query["sql"] and '"accounts_supporter"."id" =' in query["sql"]
    ]


def get(client, path: str):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    return response, captured


def test_the_second_request_reads_no_supporter_row(supporter):
    client = client_for(supporter)
    first, captured = get(client, PRIVACY)
    assert first.status_code == 200
    assert len(row_reads(captured)) == 1
    again, captured_again = get(client, PRIVACY)
    assert again.status_code == 200
    assert row_reads(captured_again) == []
    # The one query left is the session (the tests keep sessions in the database; production reads them
    # from Redis, `cached_db`): none for who is signed in.
    assert [
        query["sql"] for query in captured_again.captured_queries if "django_session" not in query["sql"]
    ] == []
    assert again.wsgi_request.user.pk == supporter.pk


def test_the_cached_supporter_holds_no_password_hash_and_still_checks_one(supporter):
    client = client_for(supporter)
    client.get(PRIVACY)
    user = client.get(PRIVACY).wsgi_request.user
    assert "password" in user.get_deferred_fields()
    entry = signed_in.cache.get(f"{signed_in.ROW_PREFIX}{supporter.pk}")
    assert "password" not in entry["fields"]
    assert supporter.password not in repr(entry)
    assert user.check_password(PASSWORD)  # read from the database when asked


def signed_in_and_cached(person):
    client = client_for(person)
    client.get(PRIVACY)
    assert client.get(PRIVACY).wsgi_request.user.is_authenticated
    return client


def test_deactivation_signs_out_on_the_next_request(supporter):
    client = signed_in_and_cached(supporter)
    supporter.is_active = False
    supporter.save(update_fields=["is_active"])
    response = client.get(PRIVACY)
    assert response.status_code == 302
    assert not response.wsgi_request.user.is_authenticated


def test_a_bulk_update_is_seen_on_the_next_request(supporter):
    client = signed_in_and_cached(supporter)
    Supporter.objects.filter(pk=supporter.pk).update(is_active=False)
    assert not client.get(PRIVACY).wsgi_request.user.is_authenticated


def test_staff_removal_takes_effect_on_the_next_request(staff):
    client = client_for(staff)
    assert client.get(BRANDING).status_code == 200
    assert client.get(BRANDING).status_code == 200  # from the cache
    staff.is_staff = False
    staff.save()
    response = client.get(BRANDING)
    assert response.status_code == 404
    assert response.wsgi_request.user.is_staff is False


def test_erasure_signs_out_on_the_next_request(supporter, django_capture_on_commit_callbacks):
    client = signed_in_and_cached(supporter)
    with django_capture_on_commit_callbacks(execute=True):
        actions.delete_account(supporter=supporter)
    assert not client.get(PRIVACY).wsgi_request.user.is_authenticated


def test_a_new_password_ends_other_sessions(supporter):
    client = signed_in_and_cached(supporter)
    supporter.set_password("another long passphrase 42")
    supporter.save()
    assert not client.get(PRIVACY).wsgi_request.user.is_authenticated


def test_a_deleted_row_signs_out(supporter):
    client = signed_in_and_cached(supporter)
    Supporter.objects.filter(pk=supporter.pk).delete()
    assert not client.get(PRIVACY).wsgi_request.user.is_authenticated


def test_a_row_read_before_a_commit_is_not_kept(supporter, django_capture_on_commit_callbacks):
    """The stamp is replaced again after the commit: an entry stored with the stamp of the moment of the
    write (by a request that read the row while the transaction was open) is never served."""
    client = signed_in_and_cached(supporter)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        supporter.is_staff = True
        supporter.save(update_fields=["is_staff"])
        signed_in.supporter_by_id(supporter.pk)  # stored with the stamp of the moment of the write
    stored = signed_in.cache.get(f"{signed_in.ROW_PREFIX}{supporter.pk}")
    assert stored is not None
    for callback in callbacks:
        callback()
    assert signed_in.cache.get(signed_in.stamp_key(supporter.pk)) != stored["stamp"]
    assert client.get(PRIVACY).wsgi_request.user.is_staff is True


def test_a_session_with_another_hash_takes_djangos_path(supporter):
    client = signed_in_and_cached(supporter)
    session = client.session
    session["_auth_user_hash"] = "0" * 64
    session.save()
    assert not client.get(PRIVACY).wsgi_request.user.is_authenticated
