"""How the OpenAPI schema describes our key authentication (drf-spectacular extension;
registered on import, see ``PartnersConfig.ready``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class PartnerKeyScheme(OpenApiAuthenticationExtension):
    target_class = "partners.authentication.PartnerKeyAuthentication"
    name = "PartnerKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>` — never in the URL.",
        }


PROBLEM = {"$ref": "#/components/schemas/Problem"}
NO_NUL = "^[^\\u0000]*$"
RATE_HEADERS = {
    "X-RateLimit-Limit": "Requests allowed per minute for your tier.",
    "X-RateLimit-Remaining": "Requests left in this minute.",
    "X-RateLimit-Reset": "When the minute's quota starts again (Unix seconds).",
}
PROBLEMS = {
    "400": "A malformed or unknown query parameter (the answer names the allowed ones).",
    "401": "No key, or a wrong, revoked or expired one (`WWW-Authenticate: Api-Key`).",
    "403": "The partner account is suspended.",
    "429": "Over your quota: wait `Retry-After` seconds.",
}


def _header(description: str) -> dict[str, Any]:
    return {"schema": {"type": "integer"}, "description": description}


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": PROBLEM}},
    }


def document_problems(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Every API operation can answer these, with a ``{"detail": ...}`` body (or, for a
    400, the parameters at fault); the quota headers come on every answer and a 304 on a
    matching If-None-Match (drf-spectacular post-processing hook)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "additionalProperties": True,
        "description": "What went wrong: `detail`, or each parameter at fault with its messages.",
    }
    for path, methods in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in methods.items():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if schema.get("type") == "string" and "enum" not in schema:
                    schema.setdefault("pattern", NO_NUL)  # refused with a 400 anywhere
            responses = operation.setdefault("responses", {})
            for code, description in PROBLEMS.items():
                responses.setdefault(code, _problem(description))
            if "{" in path:
                responses.setdefault("404", _problem("No such item."))
            if method in ("post", "put", "patch"):
                responses.setdefault("415", _problem("The body is not JSON."))
            if method == "get":
                responses.setdefault(
                    "304", {"description": "Not modified (If-None-Match)."}
                )
                responses["200"].setdefault("headers", {})["ETag"] = {
                    "schema": {"type": "string"},
                    "description": "Send it back as If-None-Match: a 304 if nothing "
                    "changed.",
                }
            rate = {name: _header(text) for name, text in RATE_HEADERS.items()}
            for code, response in responses.items():
                if code in ("200", "201", "204", "304", "400", "429"):
                    response.setdefault("headers", {}).update(rate)
            responses["429"]["headers"]["Retry-After"] = _header("Seconds to wait.")
    return result
