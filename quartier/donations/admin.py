from __future__ import annotations

from django.contrib import admin

from quartier.donations.models import (
    Donation,
    FundraisingPage,
    InboxEvent,
    ParkedEvent,
    RecurringGift,
    RefundRequest,
    Team,
    WebhookEvent,
)


@admin.register(Donation)
class DonationAdmin(admin.ModelAdmin):
    list_display = ("pk", "created_at", "status", "amount_minor", "currency", "last_name", "flag", "gateway")
    list_filter = ("status", "flag", "gateway", "frequency")
    search_fields = ("email", "last_name", "payment_reference", "checkout_reference")
    # Money moves through actions (refunds at the processor): the admin reads it.
    readonly_fields = [field.name for field in Donation._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(FundraisingPage)
class FundraisingPageAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "status", "total_minor", "goal_minor")
    list_filter = ("status",)
    readonly_fields = ("total_minor", "gift_count", "story_html")
    raw_id_fields = ("owner", "event", "team")


admin.site.register(Team)
admin.site.register(RecurringGift)
admin.site.register(RefundRequest)
admin.site.register(WebhookEvent)


@admin.register(ParkedEvent)
class ParkedEventAdmin(admin.ModelAdmin):
    """Processor events that match no gift yet (see `stripe_events`): applied by the webhook or reconcile."""

    list_display = ("event_id", "type", "parked_at", "attempts", "payment_intent", "invoice", "subscription")
    list_filter = ("type",)
    search_fields = ("event_id", "payment_intent", "invoice", "subscription")
    readonly_fields = [field.name for field in ParkedEvent._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(InboxEvent)
class InboxEventAdmin(admin.ModelAdmin):
    """Webhook deliveries as stored (see `inbox`): pending, applied, or failed after every try (with the error)."""

    list_display = (
        "event_id",
        "type",
        "state",
        "outcome",
        "attempts",
        "received_at",
        "next_try_at",
        "last_error",
    )
    list_filter = ("state", "outcome", "type")
    search_fields = ("event_id",)
    readonly_fields = [field.name for field in InboxEvent._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
