"""Reads: geographic search, attendee lists, calendar feeds.

- `search`: Finding events and groups near a place or soonest, paged; featured groups; points for maps.
- `groups`: Groups and their members: memberships, listed members within privacy, leaders, recipients, news.
- `events`: Events, shifts and RSVPs: attendees, recipients, cancellation links, one's own events, the feed's entries.
- `event_page`: The event page's read on every request, in one SQL statement beside the ORM queries it replaces.
- `attendance`: Who was checked in at which event, in bulk (integrity's trust graph).
"""
