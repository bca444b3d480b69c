from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0007_copy_email_consents"),
    ]

    operations = [
        migrations.DeleteModel(name="EmailConsent"),
    ]
