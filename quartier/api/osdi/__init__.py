"""The OSDI API (HAL+JSON) under /api/osdi/v1/, one module per resource.

- `api`: the ninja API, its renderer, error handlers and entry point.
- `hal`: paging, links, curies and the collection envelope every list shares.
- `filters`: the OData subset of the `filter` parameter, parsed into Q objects.
- `people`, `events`, `donations`, `fundraising_pages`, `tags`, `forms`: one router per resource.
"""
