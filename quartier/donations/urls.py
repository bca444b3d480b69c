from __future__ import annotations

from django.urls import path

from quartier.donations.views import checkout as checkout_views
from quartier.donations.views import donors as donors_views
from quartier.donations.views import pages as pages_views
from quartier.donations.views import staff as staff_views

app_name = "donations"
# Answered by `middleware.WebhookFastPathMiddleware` before the site's middleware; routed here too.
STRIPE_WEBHOOK_PATH = "/donate/webhooks/stripe/"

urlpatterns = [
    path("donate/", checkout_views.donate, name="donate"),
    path("donate/again/", checkout_views.donate_express, name="donate_express"),
    path("donate/thanks/<id:donation_id>/", checkout_views.thanks, name="thanks"),
    path("donate/cancelled/<id:donation_id>/", checkout_views.cancelled, name="cancelled"),
    path("donate/sandbox/<str:reference>/", checkout_views.sandbox_checkout, name="sandbox_checkout"),
    path(STRIPE_WEBHOOK_PATH.removeprefix("/"), checkout_views.stripe_webhook, name="stripe_webhook"),
    path("fundraise/", pages_views.fundraising_home, name="fundraising"),
    path("fundraise/new/", pages_views.page_create, name="page_create"),
    path("fundraise/teams/<slug:slug>/", pages_views.team_detail, name="team"),
    path("fundraise/<slug:slug>/", pages_views.page_detail, name="page"),
    path("fundraise/<slug:slug>/edit/", pages_views.page_edit, name="page_edit"),
    path("fundraise/<slug:slug>/donate/", checkout_views.donate, name="page_donate"),
    path("fundraise/<slug:slug>/email/", pages_views.page_email, name="page_email"),
    path(
        "fundraise/<slug:slug>/email/<id:message_id>/",
        pages_views.page_email_progress,
        name="page_email_progress",
    ),
    path("settings/gifts/", donors_views.my_gifts, name="my_gifts"),
    path(
        "settings/gifts/monthly/<id:recurring_id>/cancel/",
        donors_views.cancel_monthly,
        name="cancel_monthly",
    ),
    path(
        "settings/gifts/monthly/<id:recurring_id>/change/",
        donors_views.change_monthly,
        name="change_monthly",
    ),
    path("settings/gifts/<id:donation_id>/refund/", donors_views.request_refund, name="request_refund"),
    path("donate/details/<str:token>/", donors_views.complete_details, name="complete_details"),
    path("staff/donations/", staff_views.staff_donations, name="staff_donations"),
    path("staff/donations/figures/", staff_views.staff_figures, name="staff_figures"),
    path("staff/donations/compliance/", staff_views.staff_compliance, name="staff_compliance"),
    path("staff/donations/<id:donation_id>/refund/", staff_views.staff_refund, name="staff_refund"),
    path("staff/donations/<id:donation_id>/resolve/", staff_views.staff_resolve, name="staff_resolve"),
    path(
        "staff/donations/refund-requests/<id:request_id>/decline/",
        staff_views.staff_decline_refund,
        name="staff_decline_refund",
    ),
    path("staff/fundraising/", staff_views.staff_pages, name="staff_pages"),
    path("staff/fundraising/<slug:slug>/", staff_views.staff_moderate_page, name="staff_moderate_page"),
]
