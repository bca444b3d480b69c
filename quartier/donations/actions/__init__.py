"""Writes: start a gift (limit reserved atomically), record what the processor says, refunds, monthly

gifts, fundraising pages and teams.

Every state change from a processor (`mark_succeeded`, `mark_failed`, `apply_refunded_total`,
`record_renewal`) is idempotent and commutative: applied twice, or in any order, the totals are the same.

- `limits`: Contribution limits: each donor's aggregates, reserved atomically before payment and released when it fails.
- `gifts`: What a payment became: a gift marked succeeded or failed once, refunded totals, daily totals, the journal.
- `checkout`: Starting a gift: the donor's draft checked and reserved, the processor's checkout attached, stale checkouts expired.
- `recurring`: Monthly gifts: activation, renewals, amount changes, cancelling, saved payment methods, sandbox renewals.
- `refunds`: Refund requests and refunds, staff decisions on flagged gifts, details completed after the fact.
- `pages`: Personal fundraising pages and teams.
- `totals`: Donor aggregates, page totals and daily shards, written in one fixed lock order.
"""
