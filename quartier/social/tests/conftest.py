"""The cast of the social tests: an author and the people around them.

`author` writes; `friend` and the author follow each other; `follower` follows the author; `member`
is in the author's local group (`group`); `stranger` has no tie; `blocked` was blocked by the author;
`moderator` is staff. `people` maps each persona name to its supporter (None for anonymous).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from quartier.accounts.models import Supporter
from quartier.organizing.actions import groups as organizing_groups
from quartier.organizing.models import Group
from quartier.social.actions import connections as connections_actions
from quartier.social.actions import posts as posts_actions
from quartier.social.models import Post

PERSONAS = ["author", "friend", "follower", "member", "stranger", "blocked", "moderator", "anonymous"]


@pytest.fixture
def author(make_supporter) -> Supporter:
    return make_supporter("Alice Author")


@pytest.fixture
def friend(make_supporter, author) -> Supporter:
    person = make_supporter("Fatou Friend")
    connections_actions.follow(follower=person, followed=author)
    connections_actions.follow(follower=author, followed=person)
    return person


@pytest.fixture
def follower(make_supporter, author) -> Supporter:
    person = make_supporter("Felix Follower")
    connections_actions.follow(follower=person, followed=author)
    return person


@pytest.fixture
def group(db, author) -> Group:
    draft = organizing_groups.GroupDraft(
        name="Plateau for Climate", description="", area="Plateau", country="CA", postal_code="H2X 1Y4",
        latitude=45.52, longitude=-73.58, town="Montréal", join_policy=Group.JoinPolicy.OPEN,
    )  # fmt: skip
    return organizing_groups.create_group(creator=author, draft=draft)


def join(supporter: Supporter, group: Group) -> None:
    organizing_groups.join_group(
        supporter=supporter,
        group=group,
        accepts_messages=False,
        consent_wording="",
        language="en",
        ip_address=None,
    )


@pytest.fixture
def member(make_supporter, group) -> Supporter:
    person = make_supporter("Mona Member")
    join(person, group)
    return person


@pytest.fixture
def stranger(make_supporter) -> Supporter:
    return make_supporter("Stan Stranger")


@pytest.fixture
def blocked(make_supporter, author) -> Supporter:
    person = make_supporter("Boris Blocked")
    connections_actions.follow(follower=person, followed=author)
    connections_actions.block(blocker=author, blocked=person)
    return person


@pytest.fixture
def moderator(staff) -> Supporter:
    return staff


@pytest.fixture
def people(author, friend, follower, member, stranger, blocked, moderator) -> dict[str, Supporter | None]:
    return {
        "author": author, "friend": friend, "follower": follower, "member": member, "stranger": stranger,
        "blocked": blocked, "moderator": moderator, "anonymous": None,
    }  # fmt: skip


@pytest.fixture
def make_post(db) -> Callable[..., Post]:
    def make(author: Supporter, title: str = "Why I knock on doors", *, body: str = "Because **it works**.",
             visibility: str = Post.Visibility.PUBLIC, group: Group | None = None, publish: bool = True,
             for_campaign: bool = False) -> Post:  # fmt: skip
        draft = posts_actions.PostDraft(
            title=title, body=body, visibility=visibility, group=group, for_campaign=for_campaign
        )
        return posts_actions.create_post(author=author, draft=draft, publish=publish)

    return make
