"""`/api/docs/`: the OpenAPI documents of the site's APIs, generated from the code by django-ninja, and a
page per API listing its operations, rendered on the server from the same document (no Swagger UI:
it loads from a CDN, and the site makes no third-party request)."""
