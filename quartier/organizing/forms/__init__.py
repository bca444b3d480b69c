"""Forms for groups, events, shifts and RSVPs: they validate and hand clean values to `actions`.

- `fields`: Fields and rules every organizing form shares: time zones, date ranges, places, one-line text, coordinates, consent wordings.
- `groups`: Group forms: create and edit, join, message members, merge.
- `events`: Event forms: the event and its shifts, review, duplicate, cancel.
- `rsvps`: RSVP forms: signed-in, by email without an account, a host's walk-in.
- `search`: Search forms for events and groups.
"""
