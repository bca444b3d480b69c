from django.db import migrations, models

# Who may be emailed at all (active, not deleted, verified), with what the suppression anti-join and
# the language filter read: segment counts over millions scan this index only, not the supporters'
# table (see `queries.consenting`). PostgreSQL only (SQLite has no INCLUDE; the demo is small).
# Who may not be emailed whatever they said (`queries.UNREACHABLE`): usually few, subtracted from an
# index-only count of the yeses (`queries.consenting_count`).
REACHABLE_INDEX = (
    "CREATE INDEX IF NOT EXISTS outreach_reachable_supporter ON accounts_supporter (id) "
    "INCLUDE (email, language) "
    "WHERE is_active AND deleted_at IS NULL AND email_verified_at IS NOT NULL"
)
UNREACHABLE_INDEX = (
    "CREATE INDEX IF NOT EXISTS outreach_unreachable_supporter ON accounts_supporter (id) "
    "WHERE NOT is_active OR deleted_at IS NOT NULL OR email_verified_at IS NULL"
)


def create_supporter_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REACHABLE_INDEX)
        schema_editor.execute(UNREACHABLE_INDEX)


def drop_supporter_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS outreach_reachable_supporter")
        schema_editor.execute("DROP INDEX IF EXISTS outreach_unreachable_supporter")


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0009_sms_send_key_deferral_and_active_index"),
        ("accounts", "0009_branding"),
    ]

    operations = [
        migrations.AddField(
            model_name="delivery",
            name="handover_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(create_supporter_indexes, drop_supporter_indexes),
    ]
