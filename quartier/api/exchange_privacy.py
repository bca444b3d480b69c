"""The personal data of webhooks, imports and phone numbers, registered with `accounts.privacy`."""

from __future__ import annotations

from quartier.accounts.models import Supporter
from quartier.accounts.privacy import PersonalDataSource, register, rows


def register_exchange_sources() -> None:
    from django.utils.translation import gettext as _

    from quartier.api.exchange import import_files
    from quartier.api.models import PeopleImport, SupporterPhone, WebhookDelivery, WebhookEndpoint

    register(
        PersonalDataSource(
            name="api_phone_numbers",
            models=(SupporterPhone,),
            export=lambda supporter: list(
                SupporterPhone.objects.filter(supporter=supporter)
                .order_by("pk")
                .values("number", "created_at")
            ),
            erase=lambda supporter: SupporterPhone.objects.filter(supporter=supporter).delete(),
        )
    )
    register(
        PersonalDataSource(
            name="api_webhook_deliveries",
            models=(WebhookDelivery,),
            # What was sent about you, to which URL, and when.
            export=lambda supporter: list(
                WebhookDelivery.objects.filter(supporter=supporter)
                .order_by("pk")
                .values("event_type", "endpoint__url", "payload", "status", "created_at", "delivered_at")
            ),
            erase=lambda supporter: WebhookDelivery.objects.filter(supporter=supporter).delete(),
        )
    )
    register(
        PersonalDataSource(
            name="api_webhook_endpoints_created",
            models=(WebhookEndpoint,),
            # The signing secret is the campaign's credential, not the staff member's data.
            export=lambda supporter: rows(
                WebhookEndpoint.objects.filter(created_by=supporter).order_by("pk"), exclude=("secret",)
            ),
            erase=lambda supporter: WebhookEndpoint.objects.filter(created_by=supporter).update(
                created_by=None
            ),
            kept_after_deletion=(
                "The webhook endpoints you registered keep working for the campaign, without your name."
            ),
        )
    )

    def erase_imports(supporter: Supporter) -> None:
        """The people files they uploaded go at once (a running import stops with an error)."""
        for job in PeopleImport.objects.filter(uploaded_by=supporter):
            if not job.is_finished:
                import_files.finish(
                    job,
                    PeopleImport.Status.FAILED,
                    _("The person who uploaded this file deleted their account."),
                )
            import_files.delete_file(job)
        PeopleImport.objects.filter(uploaded_by=supporter).update(uploaded_by=None)

    register(
        PersonalDataSource(
            name="api_people_imports",
            models=(PeopleImport,),
            export=lambda supporter: list(
                PeopleImport.objects.filter(uploaded_by=supporter)
                .order_by("pk")
                .values("original_name", "status", "rows_done", "created_at", "finished_at")
            ),
            erase=erase_imports,
            kept_after_deletion=(
                "The people files you imported are deleted; the record that an import took place "
                "(its file name and counts, without your name) stays with the campaign."
            ),
        )
    )
