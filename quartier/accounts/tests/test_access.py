from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from quartier.accounts.access import (
    get_supporter_for_staff,
    get_visible_supporter,
    verified_supporter_required,
)


@verified_supporter_required
def public_action(request):
    return HttpResponse("done")


def request_from(user):
    request = RequestFactory().post("/somewhere/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "outcome"),
    [("anonymous", "login"), ("unverified", "confirm"), ("supporter", "done"), ("other_supporter", "done"),
     ("staff", "done")],
)  # fmt: skip
def test_public_actions_wait_for_a_verified_email(request, who, outcome):
    user = request.getfixturevalue(who) or AnonymousUser()

    response = public_action(request_from(user))

    if outcome == "done":
        assert response.content == b"done"
    elif outcome == "login":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == 302 and response["Location"] == "/accounts/email/"


@pytest.mark.django_db
def test_a_deleted_supporter_has_no_page_even_for_staff(supporter, staff):
    from quartier.accounts import actions

    handle = supporter.handle
    actions.delete_account(supporter=supporter)

    with pytest.raises(Http404):
        get_visible_supporter(staff, handle)
    with pytest.raises(Http404):
        get_visible_supporter(AnonymousUser(), supporter.handle)


@pytest.mark.django_db
def test_only_staff_load_supporters_for_staff_actions(supporter, other_supporter, staff):
    assert get_supporter_for_staff(staff, supporter.handle) == supporter
    for viewer in (AnonymousUser(), supporter, other_supporter):
        with pytest.raises(Http404):
            get_supporter_for_staff(viewer, supporter.handle)
