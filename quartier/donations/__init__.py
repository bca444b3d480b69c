"""Donations: gifts through a payment gateway, election-law compliance, receipts, fundraising pages.

Activity kinds recorded in the accounts journal (`accounts.activity.record_activity`):
`donations.gift` (amount, currency, credited_to = page owner or referrer, detail page/recurring/refcode),
`donations.refund` (negative amount, same credit), `donations.recurring_started` and
`donations.recurring_cancelled` (monthly amount, count ±1), `donations.page_created`.
"""
