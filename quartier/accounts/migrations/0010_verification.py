# Verification levels: a leader's vouch, the verifications recorded, phone codes (issue 24).

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def show_the_email_badge_of_verified_supporters(apps, schema_editor):
    Supporter = apps.get_model('accounts', 'Supporter')
    Supporter.objects.filter(email_verified_at__isnull=False, is_active=True).update(shown_badges=1)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0009_branding'),
    ]

    operations = [
        migrations.AddField(
            model_name='supporter',
            name='shown_badges',
            field=models.PositiveSmallIntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name='supporter',
            name='hidden_badges',
            field=models.PositiveSmallIntegerField(db_default=8, default=8),
        ),
        migrations.RunPython(show_the_email_badge_of_verified_supporters, migrations.RunPython.noop),
        migrations.CreateModel(
            name='PhoneChallenge',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('phone_number', models.CharField(max_length=20)),
                ('code_hash', models.CharField(max_length=64)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('expires_at', models.DateTimeField()),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('confirmed_at', models.DateTimeField(blank=True, null=True)),
                ('supporter', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='phone_challenges', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'indexes': [models.Index(fields=['supporter', 'created_at'], name='phone_challenge_by_supporter'), models.Index(fields=['phone_number', 'created_at'], name='phone_challenge_by_number')],
            },
        ),
        migrations.CreateModel(
            name='Verification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('phone', 'Phone verified'), ('in_person', 'Met in person'), ('donor', 'Donor')], max_length=12)),
                ('evidence', models.CharField(blank=True, max_length=40)),
                ('verified_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('supporter', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='verifications', to=settings.AUTH_USER_MODEL)),
                ('verified_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='verifications_made', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'verification',
                'verbose_name_plural': 'verifications',
                'constraints': [models.UniqueConstraint(fields=('supporter', 'kind'), name='verification_once_per_kind'), models.UniqueConstraint(condition=models.Q(('kind', 'phone')), fields=('evidence',), name='verification_phone_once')],
            },
        ),
        migrations.CreateModel(
            name='Vouch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('note', models.CharField(blank=True, max_length=280, verbose_name='how you know them')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('revoked_at', models.DateTimeField(blank=True, null=True)),
                ('vouchee', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='vouches_received', to=settings.AUTH_USER_MODEL)),
                ('voucher', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='vouches_given', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'vouch',
                'verbose_name_plural': 'vouches',
                'indexes': [models.Index(fields=['vouchee', 'revoked_at'], name='vouch_received')],
                'constraints': [models.UniqueConstraint(fields=('voucher', 'vouchee'), name='vouch_once_per_pair'), models.CheckConstraint(condition=models.Q(('voucher', models.F('vouchee')), _negated=True), name='vouch_not_self')],
            },
        ),
    ]
