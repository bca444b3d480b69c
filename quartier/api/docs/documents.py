"""The APIs whose documents `/api/docs/` serves, and their operations read from each document."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI

HTTP_METHODS = ("get", "put", "post", "patch", "delete")


@dataclass(frozen=True)
class ApiDocument:
    slug: str
    title: Any  # a lazy translation
    module: str  # where the NinjaAPI object lives
    attribute: str  # its name there
    base_path: str  # where it is mounted (`/api/mobilize/v1/`)

    def api(self) -> NinjaAPI:
        return getattr(importlib.import_module(self.module), self.attribute)

    def schema(self) -> dict:
        return dict(self.api().get_openapi_schema(path_prefix=self.base_path.rstrip("/")))


# Each API of the site, in the order the index lists them; an API not built in this checkout is skipped.
DOCUMENTS: tuple[ApiDocument, ...] = (
    ApiDocument("osdi", _("OSDI API"), "quartier.api.osdi.api", "osdi_api", "/api/osdi/v1/"),
    ApiDocument(
        "mobilize", _("Mobilize-compatible API"), "quartier.api.mobilize.api", "api", "/api/mobilize/v1/"
    ),
)


def available() -> list[ApiDocument]:
    found = []
    for document in DOCUMENTS:
        try:
            document.api()
        except ModuleNotFoundError as missing:
            if not missing.name or not document.module.startswith(missing.name):
                raise
            continue
        found.append(document)
    return found


def find(slug: str) -> ApiDocument | None:
    return next((document for document in available() if document.slug == slug), None)


@dataclass
class Parameter:
    name: str
    where: str
    required: bool
    kind: str
    description: str


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    secured: bool
    parameters: list[Parameter] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)


def _kind(schema: dict, components: dict) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_kind(option, components) for option in schema["anyOf"])
    if schema.get("type") == "array":
        return f"[{_kind(schema.get('items', {}), components)}]"
    if "enum" in schema:
        return " | ".join(str(value) for value in schema["enum"])
    return str(schema.get("type", "any"))


def operations(schema: dict) -> list[Operation]:
    components = schema.get("components", {})
    found = []
    for path, item in schema.get("paths", {}).items():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            parameters = [
                Parameter(
                    name=parameter["name"],
                    where=parameter.get("in", ""),
                    required=bool(parameter.get("required")),
                    kind=_kind(parameter.get("schema", {}), components),
                    description=parameter.get("description", "")
                    or parameter.get("schema", {}).get("description", ""),
                )
                for parameter in operation.get("parameters", [])
            ]
            found.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    summary=operation.get("summary", ""),
                    description=operation.get("description", ""),
                    secured=bool(operation.get("security")),
                    parameters=parameters,
                    statuses=sorted(str(status) for status in operation.get("responses", {})),
                )
            )
    return found
