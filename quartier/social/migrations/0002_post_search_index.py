"""A GIN index over the posts' text for PostgreSQL full-text search (`queries.search_vector`).

PostgreSQL only: SQLite searches with LIKE (see `queries.search_posts`) and gets no index here.
"""

from django.db import migrations

INDEX = "social_post_search"
CREATE = f"""
CREATE INDEX IF NOT EXISTS {INDEX} ON social_post USING gin (
    to_tsvector('simple'::regconfig, COALESCE(title, '') || ' ' || COALESCE(body, ''))
)
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("social", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
