"""Writes for local groups and events. Each runs in a transaction; emails leave after commit.

Activity journal kinds recorded here (see `quartier/accounts/activity.py`), each in the transaction of
its change: `organizing.group_created` (key `group:<pk>`), `organizing.group_joined` (an active membership, key `membership:<pk>`),
`organizing.event_hosted` (key `event:<pk>`), `organizing.rsvp` and `organizing.rsvp_cancelled`
(count -1; both keyed `rsvp:<pk>:<RSVP time>` so that RSVPing again after cancelling counts again),
`organizing.attended` (count +1 when checked in, -1 when the check is undone, key
`attended:<pk>:<n>`).

- `common`: What every organizing write shares: the error type, the audiences of a group and an event, leaders' roles.
- `groups`: Local groups: create, edit, join, leave, approve, roles, listing, messages to members, featuring, closing and merging.
- `events`: Events and shifts: create, edit, duplicate, review, cancel, message attendees, reminders.
- `rsvps`: RSVPs of signed-in supporters: places and waiting lists under a shift lock, cancelling, check-in and walk-ins.
- `guest_rsvps`: RSVPs by email without an account: a request mailed to the address, confirmed once by its link.
"""
