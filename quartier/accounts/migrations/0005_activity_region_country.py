"""The journal's region becomes `COUNTRY:PREFIX` (`CA:H2X`): a 3-digit prefix is a US ZIP prefix or a
French département, depending on the country. Existing rows take their supporter's country."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Concat


def qualify_regions(apps, schema_editor):
    Activity = apps.get_model("accounts", "Activity")
    Supporter = apps.get_model("accounts", "Supporter")
    country = Subquery(Supporter.objects.filter(pk=OuterRef("supporter_id")).values("country")[:1])
    rows = Activity.objects.exclude(region="").exclude(region__contains=":")
    rows.filter(supporter__isnull=True).update(region="")
    rows.filter(supporter__isnull=False).update(region=Concat(country, Value(":"), "region"))


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_activity'),
    ]

    operations = [
        migrations.AlterField(
            model_name='activity',
            name='region',
            field=models.CharField(blank=True, help_text='COUNTRY:PREFIX of the person (CA:H2X), if known.', max_length=10),
        ),
        migrations.RunPython(qualify_regions, migrations.RunPython.noop),
    ]
