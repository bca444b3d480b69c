"""`python -m bench.social`: the social graph at scale on a copy of the benchmark campaign, then the
feed, a post with 200 comments and the conversation list through the page harness (`bench/http.py`).

    python -m bench.social --database-url postgresql://postgres@127.0.0.1/quartier_bench_social \\
        --redis-url redis://127.0.0.1:6379/8 --follows-per-supporter 20

On a database that holds the supporters (`python -m bench --measure none` loads them), it adds inside
PostgreSQL, once: follows with a power-law degree on both sides (the followed drawn as
`rank = n * u ** 3`, a few accounts with hundreds of thousands of followers; each supporter's number of
follows from a Pareto law of mean `--follows-per-supporter`, capped at 5,000), deduplicated, with the
table's indexes and constraints dropped during the load and rebuilt after; `--posts` blog posts by
authors drawn with the same kind of law, in French and English, most public; comments on them. Then a
benchmark persona who follows 500 people who post and has 60 conversations, and a public post with
200 comments (a quarter top-level, the rest replies).

It measures, each as a ratio to a trivial view served by the same stack in the same run: the feed of
the persona (signed in), the post with 200 comments (anonymous and signed in), the conversation list
and one conversation (signed in), and a random blog (anonymous). It also publishes a post as the
account with the most followers, in-process, and reports its SQL queries and wall time.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER_VAR_DIR = ROOT / "var" / "bench-social-server"
PERSONA_EMAIL = "bench-social-persona@example.org"
FOLLOWED_BY_PERSONA = 500
PERSONA_CONVERSATIONS = 60
POPULAR_POST_COMMENTS = 200
OUT_DEGREE_CAP = 5000
SKEW = 3.0


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.social", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_SOCIAL_DATABASE_URL", ""), required=False
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_SOCIAL_REDIS_URL", ""))
    parser.add_argument("--follows-per-supporter", type=int, default=20, help="mean follows per supporter")
    parser.add_argument("--posts", type=int, default=400_000)
    parser.add_argument("--comments-per-post", type=float, default=2.0)
    parser.add_argument("--measure", choices=("pages", "none"), default="pages")
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--warm-up", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--markdown", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=2008)
    return parser.parse_args(argv)


def say(message: str) -> None:
    print(message, flush=True)


def run_sql(cursor, statement: str, label: str) -> float:
    started = time.perf_counter()
    cursor.execute(statement)
    seconds = time.perf_counter() - started
    say(f"  {label}: {seconds:,.1f} s")
    return seconds


def load_follows(follows_per_supporter: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM social_follow")
        if cursor.fetchone()[0] > 0:
            say("  follows already loaded")
            return
        cursor.execute(
            "SET maintenance_work_mem = '1GB'; SET work_mem = '256MB'; SET synchronous_commit = off"
        )
        cursor.execute("SET max_parallel_maintenance_workers = 2")
        run_sql(
            cursor,
            """
            DROP TABLE IF EXISTS bench_rank;
            CREATE UNLOGGED TABLE bench_rank AS
                SELECT (row_number() OVER (ORDER BY md5(id::text)))::int - 1 AS rank, id
                FROM accounts_supporter WHERE email_verified_at IS NOT NULL AND is_active AND deleted_at IS NULL;
            ALTER TABLE bench_rank ADD PRIMARY KEY (rank);
            ANALYZE bench_rank;
            """,
            "supporters ranked by popularity",
        )
        # Indexes and constraints off during the load, rebuilt after (their definitions kept).
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'social_follow'::regclass AND contype IN ('f', 'u', 'c')"
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'social_follow' AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = 'social_follow'::regclass)"
        )
        indexes = cursor.fetchall()
        for name, _definition in constraints:
            cursor.execute(f'ALTER TABLE social_follow DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SELECT count(*) FROM bench_rank")
        n = cursor.fetchone()[0]
        minimum = follows_per_supporter / 2  # Pareto with alpha 2: mean = 2 * minimum (before the cap)
        run_sql(
            cursor,
            f"""
            INSERT INTO social_follow (follower_id, followed_id, created_at)
            SELECT follower_id, followed_id, now() - random() * interval '300 days'
            FROM (
                SELECT DISTINCT e.follower_id, r.id AS followed_id
                FROM (
                    SELECT f.id AS follower_id, floor({n} * power(random(), {SKEW}))::int AS target_rank
                    FROM (SELECT id, least({OUT_DEGREE_CAP}, ceil({minimum} / sqrt(1 - random())))::int AS degree
                          FROM bench_rank) f,
                         generate_series(1, f.degree) AS edge
                ) e
                JOIN bench_rank r ON r.rank = e.target_rank
                WHERE r.id <> e.follower_id
            ) d
            """,
            "follows generated (power law, deduplicated)",
        )
        for _name, definition in indexes:
            run_sql(cursor, definition, f"index rebuilt: {_name}")
        for name, definition in constraints:
            run_sql(
                cursor,
                f'ALTER TABLE social_follow ADD CONSTRAINT "{name}" {definition}',
                f"constraint: {name}",
            )
        run_sql(cursor, "ANALYZE social_follow", "analyze")


TITLES = {
    "en": ["Why I knock on doors", "Our first phone bank", "Transit that works", "Meet your neighbours",
           "What I learned canvassing", "Childcare is an election issue", "Housing first", "A good week"],
    "fr": ["Pourquoi je fais du porte-à-porte", "Notre première soirée d'appels", "Un transport qui marche",
           "Rencontrer ses voisins", "Ce que m'a appris le terrain", "Les garderies", "Le logement d'abord",
           "Une bonne semaine"],
}  # fmt: skip


def load_posts(posts: int, comments_per_post: float) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM social_post")
        if cursor.fetchone()[0] >= posts:
            say("  posts already loaded")
            return
        cursor.execute("SET work_mem = '256MB'; SET synchronous_commit = off")
        cursor.execute("SELECT count(*) FROM bench_rank")
        n = cursor.fetchone()[0]
        en = "ARRAY[" + ",".join(f"'{t}'" for t in (title.replace("'", "''") for title in TITLES["en"])) + "]"
        fr = "ARRAY[" + ",".join(f"'{t}'" for t in (title.replace("'", "''") for title in TITLES["fr"])) + "]"
        run_sql(
            cursor,
            f"""
            INSERT INTO social_post (author_id, for_campaign, title, body, body_html, image, image_alt, visibility, status,
                is_featured, created_at, updated_at, published_at, comment_count, reaction_count, repost_count)
            SELECT r.id, false, t.title, t.title || ': ' || repeat('words of a supporter ', 20),
                '<p>' || t.title || ': ' || repeat('words of a supporter ', 20) || '</p>', '', '',
                CASE WHEN random() < 0.8 THEN 'public' ELSE 'supporters' END, 'published', false,
                t.at, t.at, t.at, 0, 0, 0
            FROM (
                SELECT floor({n} * power(random(), 2))::int AS author_rank,
                       (CASE WHEN random() < 0.5 THEN {en} ELSE {fr} END)[1 + floor(random() * 8)::int] AS title,
                       now() - random() * interval '365 days' AS at
                FROM generate_series(1, {posts})
            ) t JOIN bench_rank r ON r.rank = t.author_rank
            """,
            f"{posts:,} posts",
        )
        comments = int(posts * comments_per_post)
        cursor.execute("SELECT min(id), max(id) FROM social_post")
        low, high = cursor.fetchone()
        run_sql(
            cursor,
            f"""
            INSERT INTO social_comment (post_id, author_id, parent_id, body, body_html, created_at)
            SELECT p.id, r.id, NULL, 'Count me in!', '<p>Count me in!</p>', p.published_at + interval '1 hour'
            FROM (
                SELECT {low} + floor(random() * {high - low + 1})::bigint AS post_id,
                       floor(random() * {n})::int AS author_rank
                FROM generate_series(1, {comments})
            ) s
            JOIN social_post p ON p.id = s.post_id
            JOIN bench_rank r ON r.rank = s.author_rank
            """,
            f"about {comments:,} comments",
        )
        run_sql(
            cursor,
            "UPDATE social_post p SET comment_count = c.total FROM "
            "(SELECT post_id, count(*) AS total FROM social_comment GROUP BY post_id) c WHERE c.post_id = p.id",
            "comment counts",
        )
        run_sql(cursor, "ANALYZE social_post; ANALYZE social_comment", "analyze")


def make_persona(rng: random.Random):
    """The supporter the signed-in pages are measured for: follows 500 people who post, 60 conversations."""
    from django.db import connection

    from quartier.accounts.models import Supporter
    from quartier.social.actions import conversations as conversations_actions
    from quartier.social.models import Conversation, Follow, Post

    conversations_actions.MESSAGES_PER_HOUR = (
        10_000  # the persona's history is made in seconds, not over weeks
    )

    persona = Supporter.objects.filter(email=PERSONA_EMAIL).first()
    if persona is None:
        from django.utils import timezone

        persona = Supporter.objects.create_user(
            PERSONA_EMAIL, password="bench", handle="bench-social-persona", display_name="Bench Persona",
            email_verified_at=timezone.now(), postal_code="H2X 1Y4", town="Montréal",
        )  # fmt: skip
    if Follow.objects.filter(follower=persona).count() < FOLLOWED_BY_PERSONA:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO social_follow (follower_id, followed_id, created_at) "
                "SELECT %s, author_id, now() FROM (SELECT DISTINCT author_id FROM social_post "
                "WHERE author_id <> %s ORDER BY author_id LIMIT 20000) a ORDER BY random() LIMIT %s "
                "ON CONFLICT DO NOTHING",
                [persona.pk, persona.pk, FOLLOWED_BY_PERSONA],
            )
    if Conversation.objects.filter(participants__supporter=persona).count() < PERSONA_CONVERSATIONS:
        others = list(
            Supporter.objects.filter(email_verified_at__isnull=False, is_active=True, deleted_at__isnull=True)
            .exclude(pk=persona.pk)
            .order_by("pk")[1000 : 1000 + PERSONA_CONVERSATIONS]
        )
        for other in others:
            Follow.objects.get_or_create(follower=other, followed=persona)
            conversation = conversations_actions.start_conversation(
                sender=other, recipients=[persona], title="", body="Hello!"
            )
            for number in range(4):
                conversations_actions.send_message(
                    sender=persona if number % 2 else other,
                    conversation=conversation,
                    body=f"Message {number}",
                )
    popular_post = Post.objects.filter(title="Bench: a post with 200 comments").first()
    if popular_post is None:
        author = (
            Supporter.objects.filter(email_verified_at__isnull=False).exclude(pk=persona.pk).order_by("pk")[5]
        )
        popular_post = Post.objects.create(
            author=author, title="Bench: a post with 200 comments", body="Many voices.", body_html="<p>Many voices.</p>",
            visibility="public", status="published", published_at=timezone_now(),
        )  # fmt: skip
        commenters = list(Supporter.objects.filter(email_verified_at__isnull=False).order_by("pk")[2000:2050])
        from quartier.social.models import Comment

        tops: list[Comment] = []
        for number in range(POPULAR_POST_COMMENTS):
            parent = None if number % 4 == 0 or not tops else rng.choice(tops)
            comment = Comment.objects.create(
                post=popular_post, author=commenters[number % len(commenters)], parent=parent,
                body=f"Comment {number}: I agree, let's do it.", body_html=f"<p>Comment {number}: I agree, let's do it.</p>",
            )  # fmt: skip
            if parent is None:
                tops.append(comment)
        Post.objects.filter(pk=popular_post.pk).update(comment_count=POPULAR_POST_COMMENTS)
    return persona, popular_post


def timezone_now():
    from django.utils import timezone

    return timezone.now()


def publish_as_most_followed(top_id: int, followers: int) -> str:
    """Publish through the view as the account with the most followers; its queries and wall time."""
    from django.db import connection
    from django.test import Client

    from bench.pages import QueryCounter
    from quartier.accounts.models import Supporter

    author = Supporter.objects.get(pk=top_id)
    Supporter.objects.filter(pk=author.pk).update(email_verified_at=timezone_now(), is_active=True)
    client = Client()
    client.force_login(author)
    counter = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        response = client.post(
            "/posts/new/", {"title": f"Hello followers {time.time()}", "body": "News!", "visibility": "public", "publish": "1"},
            secure=True,
        )  # fmt: skip
    seconds = time.perf_counter() - started
    if response.status_code != 302:
        raise SystemExit(f"publishing answered {response.status_code}")
    return f"{followers:,} followers: publish answered in {seconds * 1000:.0f} ms with {counter.count} SQL queries"


def main(argv: list[str] | None = None) -> None:
    from bench.__main__ import benchmark_environment

    arguments = parse_arguments(argv)
    if not arguments.database_url.startswith("postgres"):
        raise SystemExit(
            "bench.social generates its graph inside PostgreSQL: give --database-url postgresql://…"
        )
    environment = benchmark_environment(
        argparse.Namespace(database_url=arguments.database_url, redis_url=arguments.redis_url)
    )
    os.environ.update(environment)
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    from bench import http, pages, profile
    from bench.pages import HotPage

    call_command("migrate", verbosity=0)
    rng = random.Random(arguments.seed)
    say(f"Loading the social graph ({arguments.follows_per_supporter} follows per supporter on average)…")
    started = time.perf_counter()
    load_follows(arguments.follows_per_supporter)
    load_posts(arguments.posts, arguments.comments_per_post)
    persona, popular_post = make_persona(rng)
    from quartier.social.actions import timelines as timelines_actions
    from quartier.social.models import FeedEntry

    if not FeedEntry.objects.filter(reader=persona).exists():
        # Follows and posts generated in SQL bypass the actions that fill the feeds: filled once here.
        timelines_actions.rebuild()
        say(
            f"  feeds filled: {FeedEntry.objects.count():,} entries; load {time.perf_counter() - started:,.0f} s"
        )
    from django.db import connection

    with connection.cursor() as cursor:
        # Counting tens of millions of follows takes minutes: done once, kept in a table of the benchmark database.
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_social_stats AS "
            "SELECT count(*) AS follows, (SELECT count(*) FROM social_post) AS posts, "
            "(SELECT count(*) FROM social_comment) AS comments, "
            "(SELECT followed_id FROM social_follow GROUP BY followed_id ORDER BY count(*) DESC LIMIT 1) AS top_id, "
            "(SELECT max(c) FROM (SELECT count(*) c FROM social_follow GROUP BY followed_id) m) AS most_followers, "
            "(SELECT count(*) FROM accounts_supporter) AS supporters FROM social_follow"
        )
        cursor.execute(
            "SELECT follows, posts, comments, most_followers, supporters, top_id FROM bench_social_stats"
        )
        follows, posts, comments, most_followers, supporters, top_id = cursor.fetchone()
    say(
        f"Social graph: {supporters:,} supporters, {follows:,} follows (most followed: {most_followers:,}), "
        f"{posts:,} posts, {comments:,} comments; load {time.perf_counter() - started:,.0f} s"
    )
    say(publish_as_most_followed(top_id, most_followers))
    if arguments.measure == "none":
        return
    if not arguments.redis_url:
        raise SystemExit("Measuring needs --redis-url (its database is emptied first)")
    http.require_wrk()
    call_command("collectstatic", interactive=False, verbosity=0)
    cache.clear()
    conversation = (
        persona.conversations.filter(left_at__isnull=True).order_by("-last_message_at").first().conversation
    )
    blog_authors = list(
        persona.following.values_list("followed__handle", flat=True).order_by("followed_id")[:2000]
    )
    hot = [
        HotPage("feed `/feed/` (follows 500)", "signed in", ["/feed/"]),
        HotPage("post with 200 comments `/posts/<id>/`", "anonymous", [popular_post.get_absolute_url()]),
        HotPage("post with 200 comments `/posts/<id>/`", "signed in", [popular_post.get_absolute_url()]),
        HotPage("conversation list `/messages/` (60)", "signed in", ["/messages/"]),
        HotPage("conversation `/messages/<id>/`", "signed in", [conversation.get_absolute_url()]),
        HotPage("blog `/blog/<handle>/`", "anonymous", [f"/blog/{handle}/" for handle in blog_authors]),
    ]
    client = Client()
    client.force_login(persona)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    query_counts, parts = pages.inspect(hot, persona, profile.profile_page)
    cache.clear()
    SERVER_VAR_DIR.mkdir(parents=True, exist_ok=True)
    floor_runs, results = http.measure(
        environment=environment, pages=hot, trivial=pages.trivial_page(), cookie=cookie,
        duration=arguments.duration, warm_up=arguments.warm_up, connections=arguments.connections,
        threads=arguments.threads, log_path=SERVER_VAR_DIR / "gunicorn.log",
    )  # fmt: skip
    for result in results:
        result.queries = query_counts.get(result.label)
        result.parts = parts.get(result.label)
    table = http.table(floor_runs, results, connections=arguments.connections, duration=arguments.duration)
    print()
    print(table)
    if arguments.markdown is not None:
        arguments.markdown.write_text(table + "\n")
    failures = [result.label for result in [*floor_runs, *results] if result.errors]
    if failures:
        raise SystemExit(f"Some requests failed (see {SERVER_VAR_DIR / 'gunicorn.log'}): {failures}")


if __name__ == "__main__":
    main(sys.argv[1:])
