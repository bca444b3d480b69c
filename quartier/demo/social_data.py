"""Social data for the demo and the benchmarks: follows with a power-law degree, posts, comments,
reactions and conversations, in French and English.

Two entry points:
- `create_social(context)`: the generator step (`generator.STEPS`), around the supporters the run
  added: a few follows each (the followed drawn with a power law: a few people have many followers),
  posts by a third of them, comments and reactions.
- `load_demo_social(stdout)`: the named demo accounts' social life (friends, posts on their blogs, a
  group's blog and the campaign's, comments with replies, conversations, a report waiting), called
  once by `load_demo`.

The benchmark's scale (tens of millions of follows) is generated inside PostgreSQL by `bench/social.py`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction

from quartier.accounts.models import Supporter
from quartier.demo.demo_people import DEMO_ACCOUNTS, ORGANISER_EMAIL
from quartier.demo.social_texts import COMMENTS, MESSAGES, POSTS
from quartier.lib.text import render_markdown
from quartier.organizing.models import Group
from quartier.social.actions import common as common_actions
from quartier.social.actions import connections as connections_actions
from quartier.social.actions import conversations as conversations_actions
from quartier.social.actions import moderation as moderation_actions
from quartier.social.actions import posts as posts_actions
from quartier.social.actions import timelines as timelines_actions
from quartier.social.models import Comment, Follow, Post, Reaction

# A power law for the followed side: rank = n * u ** FOLLOW_SKEW, so that P(rank <= r) = (r / n) ** (1 / skew).
FOLLOW_SKEW = 3.0
FOLLOWS_PER_SUPPORTER = 8
POSTING_SHARE = 3  # one supporter in three writes
COMMENTS_PER_POST = 2


def _power_law_index(rng: random.Random, n: int, skew: float = FOLLOW_SKEW) -> int:
    return min(n - 1, int(n * rng.random() ** skew))


# Above this many supporters in one run the step leaves the graph to `bench/social.py`, which
# generates it inside PostgreSQL (this step holds the run's rows in memory).
MAX_SUPPORTERS_IN_PYTHON = 50_000


def create_social(context) -> None:
    """The generator step: follows, posts, comments and reactions among the supporters this run added."""
    ids = list(context.supporter_ids)
    if len(ids) < 3:
        return
    if len(ids) > MAX_SUPPORTERS_IN_PYTHON:
        context.progress(
            f"  social: left to `python -m bench.social` above {MAX_SUPPORTERS_IN_PYTHON:,} supporters"
        )
        return
    from quartier.demo.generator import insert_rows

    rng, now, use_copy = context.random, context.now, context.use_copy
    popular = ids[:]
    rng.shuffle(popular)  # who is popular does not follow insertion order
    follow_rows: list[tuple[object, ...]] = []
    for follower in ids:
        wanted = {
            popular[_power_law_index(rng, len(popular))]
            for _edge in range(rng.randint(1, FOLLOWS_PER_SUPPORTER * 2))
        }
        wanted.discard(follower)
        follow_rows.extend(
            (follower, followed, now - timedelta(days=rng.randint(0, 300))) for followed in wanted
        )
    post_rows, comment_rows, reaction_rows = [], [], []
    languages = dict(Supporter.objects.filter(pk__in=ids).values_list("pk", "language"))
    writers = ids[::POSTING_SHARE]
    with transaction.atomic():
        insert_rows(Follow, ("follower_id", "followed_id", "created_at"), follow_rows, use_copy=use_copy)
        for writer in writers:
            language = "fr" if languages.get(writer, "en").startswith("fr") else "en"
            title, body = rng.choice(POSTS[language])
            published = now - timedelta(hours=rng.randint(1, 24 * 90))
            post_rows.append(
                (
                    writer,
                    title,
                    body,
                    render_markdown(body),
                    "public",
                    "published",
                    published,
                    published,
                    published,
                )
            )
        insert_rows(
            Post,
            (
                "author_id",
                "title",
                "body",
                "body_html",
                "visibility",
                "status",
                "created_at",
                "published_at",
                "updated_at",
            ),
            post_rows,
            use_copy=use_copy,
        )
        posts = list(
            Post.objects.filter(author_id__in=writers).values_list("pk", "published_at", "author_id")
        )
        counts: dict[int, tuple[int, int]] = {}
        for pk, published, author_id in posts:
            commenters = rng.sample(ids, min(COMMENTS_PER_POST, len(ids)))
            for commenter in commenters:
                language = "fr" if languages.get(commenter, "en").startswith("fr") else "en"
                body = rng.choice(COMMENTS[language])
                comment_rows.append(
                    (
                        pk,
                        commenter,
                        body,
                        render_markdown(body),
                        published + timedelta(minutes=rng.randint(1, 600)),
                    )
                )
            likers = {rng.choice(ids) for _like in range(rng.randint(0, 4))} - {author_id}
            reaction_rows.extend((pk, liker, "like", published) for liker in likers)
            counts[pk] = (len(commenters), len(likers))
        insert_rows(
            Comment,
            ("post_id", "author_id", "body", "body_html", "created_at"),
            comment_rows,
            use_copy=use_copy,
        )
        insert_rows(
            Reaction, ("post_id", "supporter_id", "kind", "created_at"), reaction_rows, use_copy=use_copy
        )
        for pk, (comment_count, reaction_count) in counts.items():
            Post.objects.filter(pk=pk).update(comment_count=comment_count, reaction_count=reaction_count)
    timelines_actions.rebuild()  # rows inserted in bulk bypass the actions that fill the feeds
    context.progress(
        f"  social: {len(follow_rows):,} follows, {len(post_rows):,} posts, {len(comment_rows):,} comments, "
        f"{len(reaction_rows):,} reactions"
    )


def load_demo_social(say: Callable[[str], None]) -> None:
    """The named accounts' social life, made once (nothing is added if the organiser has posted)."""
    organiser = Supporter.objects.get(email=ORGANISER_EMAIL)
    if Post.objects.filter(author=organiser).exists():
        return
    named = {
        account.email.split("@")[0]: Supporter.objects.get(email=account.email) for account in DEMO_ACCOUNTS
    }
    marie, sam, lea, alex, jordan = (named[key] for key in ("marie", "sam", "lea", "alex", "jordan"))
    everyone = list(named.values())
    for one in everyone:  # every named account follows every other: they are all friends
        for other in everyone:
            if one.pk != other.pk:
                connections_actions.follow(follower=one, followed=other)
    neighbours = list(
        Supporter.objects.filter(email__startswith="supporter-", email_verified_at__isnull=False).order_by(
            "pk"
        )[:30]
    )
    for number, neighbour in enumerate(neighbours):
        connections_actions.follow(follower=neighbour, followed=marie if number % 2 else sam)
        if number % 3 == 0:
            connections_actions.follow(follower=marie, followed=neighbour)

    def post(author, language: str, index: int, **extra):
        title, body = POSTS[language][index]
        draft = posts_actions.PostDraft(
            title=title, body=body, visibility=extra.pop("visibility", "public"), **extra
        )
        return posts_actions.create_post(author=author, draft=draft, publish=True)

    campaign = post(organiser, "fr", 3, for_campaign=True)
    group = Group.objects.filter(memberships__supporter=organiser).order_by("pk").first()
    posts = [
        campaign,
        post(marie, "fr", 0), post(sam, "en", 1), post(lea, "fr", 4), post(alex, "en", 4), post(jordan, "en", 0),
        post(sam, "en", 2, visibility="supporters"),
    ]  # fmt: skip
    if group is not None:
        posts.append(post(marie, "fr", 2, group=group, visibility="group"))
    draft = posts_actions.PostDraft(
        title="Brouillon : idées pour la fête de quartier", body="À compléter.", visibility="public"
    )
    posts_actions.create_post(author=marie, draft=draft, publish=False)
    posts_actions.set_featured(post=posts[1], featured=True)
    for number, target in enumerate(posts):
        first_writer, second_writer = (
            everyone[(number + 1) % len(everyone)],
            everyone[(number + 2) % len(everyone)],
        )
        if first_writer.pk == target.author_id:
            first_writer = everyone[(number + 3) % len(everyone)]
        language = "fr" if first_writer.language == "fr" else "en"
        try:
            first = posts_actions.add_comment(
                author=first_writer, post=target, body=COMMENTS[language][number % 5]
            )
            posts_actions.add_comment(
                author=target.author,
                post=target,
                body=COMMENTS[target.author.language if target.author.language in COMMENTS else "en"][
                    (number + 1) % 5
                ],
                parent=first,
            )
            posts_actions.react(supporter=second_writer, post=target, kind="support")
        except common_actions.SocialError:
            continue  # a group post the commenter may not read
    posts_actions.repost(
        supporter=sam, post=posts[1], comment="Worth reading, in French.", visibility="public"
    )
    private = conversations_actions.start_conversation(
        sender=marie, recipients=[sam], title="Samedi / Saturday", body=MESSAGES["fr"][0]
    )
    conversations_actions.send_message(sender=sam, conversation=private, body=MESSAGES["en"][1])
    conversations_actions.send_message(sender=marie, conversation=private, body=MESSAGES["fr"][2])
    if group is not None:
        group_conversation = conversations_actions.conversation_for_group(group)
        conversations_actions.send_message(
            sender=organiser, conversation=group_conversation, body=MESSAGES["fr"][0]
        )
        conversations_actions.send_message(
            sender=marie, conversation=group_conversation, body=MESSAGES["fr"][1]
        )
    if neighbours:
        spam = post(neighbours[0], "en", 5)
        moderation_actions.report(
            reporter=jordan, reason="spam", details="Looks copied from elsewhere.", post=spam
        )
    say(
        f"  social life of the demo accounts: {Post.objects.count():,} posts, {Follow.objects.count():,} follows"
    )
