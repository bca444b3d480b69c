"""Every supporter without a share-link code gets one (issue 17.14): pages now only read codes."""

import secrets

from django.db import migrations

ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # as reach.actions.ALPHABET, frozen for this migration


def give_codes(apps, schema_editor):
    Supporter = apps.get_model("accounts", "Supporter")
    ReferralCode = apps.get_model("reach", "ReferralCode")
    taken = set(ReferralCode.objects.values_list("code", flat=True))
    without = list(
        Supporter.objects.filter(is_active=True, deleted_at__isnull=True, referralcode__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    batch = []
    for pk in without:
        code = "".join(secrets.choice(ALPHABET) for _ in range(8))
        while code in taken:
            code = "".join(secrets.choice(ALPHABET) for _ in range(8))
        taken.add(code)
        batch.append(ReferralCode(supporter_id=pk, code=code))
        if len(batch) >= 2000:
            ReferralCode.objects.bulk_create(batch)
            batch = []
    ReferralCode.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("reach", "0002_campaign_code"),
        ("accounts", "0005_activity_region_country"),
    ]

    operations = [migrations.RunPython(give_codes, migrations.RunPython.noop)]
