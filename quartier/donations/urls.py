from __future__ import annotations

from django.urls import path

from quartier.donations import views

app_name = "donations"

urlpatterns = [
    path("donate/", views.donate, name="donate"),
    path("donate/again/", views.donate_express, name="donate_express"),
    path("donate/thanks/<int:donation_id>/", views.thanks, name="thanks"),
    path("donate/cancelled/<int:donation_id>/", views.cancelled, name="cancelled"),
    path("donate/sandbox/<str:reference>/", views.sandbox_checkout, name="sandbox_checkout"),
    path("donate/webhooks/stripe/", views.stripe_webhook, name="stripe_webhook"),
    path("fundraise/", views.fundraising_home, name="fundraising"),
    path("fundraise/new/", views.page_create, name="page_create"),
    path("fundraise/teams/<slug:slug>/", views.team_detail, name="team"),
    path("fundraise/<slug:slug>/", views.page_detail, name="page"),
    path("fundraise/<slug:slug>/edit/", views.page_edit, name="page_edit"),
    path("fundraise/<slug:slug>/donate/", views.donate, name="page_donate"),
    path("fundraise/<slug:slug>/email/", views.page_email, name="page_email"),
    path(
        "fundraise/<slug:slug>/email/<int:message_id>/", views.page_email_progress, name="page_email_progress"
    ),
    path("settings/gifts/", views.my_gifts, name="my_gifts"),
    path("settings/gifts/monthly/<int:recurring_id>/cancel/", views.cancel_monthly, name="cancel_monthly"),
    path("settings/gifts/monthly/<int:recurring_id>/change/", views.change_monthly, name="change_monthly"),
    path("settings/gifts/<int:donation_id>/refund/", views.request_refund, name="request_refund"),
    path("settings/gifts/<int:donation_id>/details/", views.complete_details, name="complete_details"),
    path("staff/donations/", views.staff_donations, name="staff_donations"),
    path("staff/donations/figures/", views.staff_figures, name="staff_figures"),
    path("staff/donations/compliance/", views.staff_compliance, name="staff_compliance"),
    path("staff/donations/<int:donation_id>/refund/", views.staff_refund, name="staff_refund"),
    path("staff/donations/<int:donation_id>/resolve/", views.staff_resolve, name="staff_resolve"),
    path(
        "staff/donations/refund-requests/<int:request_id>/decline/",
        views.staff_decline_refund,
        name="staff_decline_refund",
    ),
    path("staff/fundraising/", views.staff_pages, name="staff_pages"),
    path("staff/fundraising/<slug:slug>/", views.staff_moderate_page, name="staff_moderate_page"),
]
