"""Repair events whose times PostgreSQL stored beyond what Python can read (issue 12, item 4).

Before the date bounds, a shift typed as 9999-12-31 23:59 in a zone west of UTC was stored as year
10000 UTC; reading it back fails, so every page listing the event answered 500 and nothing could
remove it. Such events are cancelled and their times brought back to 9999-12-30 (UTC), which Python
reads in every zone. SQLite never held such rows: Python converts to UTC there, and failed first.
"""

from django.db import migrations

LAST_READABLE = "9999-12-30 00:00:00+00"
BEYOND = "9999-12-31 00:00:00+00"


def repair(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE organizing_event SET status = 'cancelled'
            WHERE starts_at >= %s OR ends_at >= %s
               OR id IN (SELECT event_id FROM organizing_shift WHERE starts_at >= %s OR ends_at >= %s)
            """,
            [BEYOND] * 4,
        )
        for table in ("organizing_shift", "organizing_event"):
            cursor.execute(
                f"""
                UPDATE {table}
                SET starts_at = LEAST(starts_at, %s::timestamptz),
                    ends_at = GREATEST(LEAST(ends_at, %s::timestamptz + interval '1 hour'),
                                       LEAST(starts_at, %s::timestamptz) + interval '1 hour')
                WHERE starts_at >= %s OR ends_at >= %s
                """,  # noqa: S608 — the table names are ours
                [LAST_READABLE, LAST_READABLE, LAST_READABLE, BEYOND, BEYOND],
            )


class Migration(migrations.Migration):
    dependencies = [("organizing", "0005_merge_public_point_and_pending_rsvps")]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
