"""The OpenAPI document, completed with the models of bodies that endpoints read by hand, and with
the one error shape the API really answers with (`errors.py`) in place of FastAPI's default
`HTTPValidationError`, so that clients and schema-conformance checks see what is sent."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic.json_schema import models_json_schema

from llmobserve_server.ingest.schema import BatchIn


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            _, definitions = models_json_schema(
                [(BatchIn, "validation")], ref_template="#/components/schemas/{model}"
            )
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas.update(definitions.get("$defs", {}))
            _document_error_shape(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "Stable, machine-readable."},
                "message": {"type": "string", "description": "What went wrong, for people."},
            },
        }
    },
}
_FASTAPI_VALIDATION = "#/components/schemas/HTTPValidationError"


def _document_error_shape(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    schemas["Error"] = ERROR_SCHEMA
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for response in operation.get("responses", {}).values():
                for media in response.get("content", {}).values():
                    if media.get("schema", {}).get("$ref") == _FASTAPI_VALIDATION:
                        media["schema"] = {"$ref": "#/components/schemas/Error"}
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
