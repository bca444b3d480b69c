from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from quartier.outreach.models import Delivery, Message


class ReadOnlyAdmin(admin.ModelAdmin):
    """Evidence of what was sent and who agreed: looked at, never edited here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = (
        "subject", "audience_label", "sender", "created_at", "recipient_count",
        "sent_count", "failed_count", "skipped_count", "waiting_count",
    )  # fmt: skip
    list_select_related = ("sender",)
    search_fields = ("subject", "audience", "audience_label")
    date_hierarchy = "created_at"
    exclude = ("body_html",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Message]:
        status = Delivery.Status
        return (
            super()
            .get_queryset(request)
            .annotate(
                deliveries_sent=Count("deliveries", filter=Q(deliveries__status=status.SENT)),
                deliveries_failed=Count("deliveries", filter=Q(deliveries__status=status.FAILED)),
                deliveries_skipped=Count("deliveries", filter=Q(deliveries__status=status.SKIPPED)),
                deliveries_waiting=Count(
                    "deliveries", filter=Q(deliveries__status__in=[status.QUEUED, status.SENDING])
                ),
            )
        )

    @admin.display(description=_("sent"), ordering="deliveries_sent")
    def sent_count(self, message: Message) -> int:
        return message.deliveries_sent

    @admin.display(description=_("failed"), ordering="deliveries_failed")
    def failed_count(self, message: Message) -> int:
        return message.deliveries_failed

    @admin.display(description=_("skipped"), ordering="deliveries_skipped")
    def skipped_count(self, message: Message) -> int:
        return message.deliveries_skipped

    @admin.display(description=_("queued or sending"), ordering="deliveries_waiting")
    def waiting_count(self, message: Message) -> int:
        return message.deliveries_waiting


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("message", "supporter", "status", "sent_at", "error")
    list_filter = ("status",)
    list_select_related = ("message", "supporter")
    raw_id_fields = ("message", "supporter")
