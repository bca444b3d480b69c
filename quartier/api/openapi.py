"""The JSON errors every operation of an API can answer, written into the OpenAPI document ninja
generates (ninja documents only what a route declares; the errors come from auth, validation, rate
limits and lookups shared by every route, see `errors.install_error_handlers`)."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

# The body of `errors.error_response`.
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error", "reason"],
    "properties": {
        "error": {"type": "string"},
        "reason": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
}
SHARED_ERRORS: dict[int, str] = {
    400: "Bad request",
    401: "No API key, or an unknown or revoked one",
    403: "The key's scopes do not allow this",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Body too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests with this key (see Retry-After)",
}


def document_errors(api: NinjaAPI, errors: dict[int, str] | None = None) -> None:
    """Make `api`'s document list the shared JSON errors on every operation that does not already."""
    generate = api.get_openapi_schema

    def with_errors(*, path_prefix: str | None = None, path_params: dict | None = None) -> Any:
        schema = generate(path_prefix=path_prefix, path_params=path_params)
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                responses = operation.setdefault("responses", {})
                for status, description in (errors or SHARED_ERRORS).items():
                    if status not in responses and str(status) not in responses:
                        responses[status] = {
                            "description": description,
                            "content": {"application/json": {"schema": ERROR_SCHEMA}},
                        }
        return schema

    api.get_openapi_schema = with_errors  # type: ignore[method-assign]
