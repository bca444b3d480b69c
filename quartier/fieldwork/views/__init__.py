"""Fieldwork pages: the volunteer's home, phone banks, canvass pages, organisers' tools, imports.

- `campaigns`: Organisers' pages: field campaigns, scripts, turf, assignment, progress, the review queue, CSV export.
- `calls`: The volunteer's phone bank: the next call, its script, release.
- `canvass`: The volunteer's walk lists: a list near me, the offline canvass page and its sync, the printable list, the service worker.
- `imports`: Contact imports: upload, column mapping with preview, progress.
"""
