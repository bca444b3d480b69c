"""The resources an API key can be scoped to (read or write each), with their names for staff."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# resource → what staff see; an API that checks a new resource adds its line here.
RESOURCES: dict[str, object] = {
    "people": _("People (names, email addresses, phone numbers)"),
    "events": _("Events and attendances"),
    "donations": _("Donations"),
    "fundraising_pages": _("Fundraising pages"),
    "tags": _("Tags and taggings"),
    "forms": _("Signup forms and submissions"),
    "mobilize": _("Mobilize-compatible events feed (private data)"),
}
READ = "read"
WRITE = "write"
