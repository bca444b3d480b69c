"""Writes: record consent, write a message to an audience, send its deliveries, unsubscribe.

Who may write to an audience is the caller's rule (a group's leaders, an event's hosts, staff);
this module makes sure that only people who said yes get the message, each at most once, with a
one-click way out.

- `consent`: Consent to each topic: record a decision, unsubscribe, double opt-in confirmation, the topics a person chose.
- `feedback`: The suppression list and what providers tell us (bounces, complaints).
- `personal_email`: Email a supporter sends to their own network of plain addresses, with its daily cap.
- `drafts`: Staff campaign email before it goes: drafts, checks, test sends, scheduling and cancelling.
- `campaign_send`: Starting a send: the audience snapshot (email or SMS), deliveries written in bulk, the sweep of due and stalled sends.
- `sms`: Text-message subscriptions: opt-in, and inbound STOP/HELP/START.
- `delivery`: The worker's side: claim a batch under a lease, send each message once (email or SMS, quiet hours), record what went.
"""
