"""The OpenAPI document carries an example for every request and response, and each example is valid; /docs,
/redoc and their assets are served from the package under their own content security policy."""

from __future__ import annotations

import inspect

import pydantic
import pytest

from credence.api import models


def _schema(doc: dict, schema: dict) -> dict:
    """The component a (possibly array) schema points to."""
    schema = schema.get("items", schema)
    schema = next((s for s in schema.get("anyOf", []) if "$ref" in s), schema)  # an optional body
    ref = schema.get("$ref")
    return doc["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else schema


@pytest.fixture(scope="module")
def doc(template):
    from credence.app import create_app

    app = create_app(template["root"])
    yield app.openapi()
    app.state.ctx.ws.close()


def test_every_route_has_request_and_response_examples(doc):
    missing = []
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            label = f"{method.upper()} {path}"
            missing += [f"{label} parameter {p['name']}" for p in op.get("parameters", []) if "example" not in p]
            if "requestBody" in op:
                body = _schema(doc, op["requestBody"]["content"]["application/json"]["schema"])
                if not body.get("examples"):
                    missing.append(f"{label} request body")
            for status, response in op["responses"].items():
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                if schema is None or not _schema(doc, schema).get("examples"):
                    missing.append(f"{label} response {status}")
    assert len(doc["paths"]) >= 30
    assert not missing, "no example for:\n" + "\n".join(missing)


def test_every_example_is_valid_for_its_model():
    checked = 0
    for _name, model in inspect.getmembers(models, inspect.isclass):
        if issubclass(model, pydantic.BaseModel) and model.__module__ == models.__name__:
            for example in (model.model_config.get("json_schema_extra") or {}).get("examples", []):
                model.model_validate(example)  # raises, naming the model and field, when an example is stale
                checked += 1
    from credence.api.errors import ERROR_RESPONSES

    for status, response in ERROR_RESPONSES.items():
        example = response["content"]["application/json"]["example"]
        assert models.ErrorBody.model_validate(example).status == status
    assert checked >= 40


def test_docs_pages_and_assets_are_served_with_their_own_policy(client):
    for path, marker in (("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")):
        r = client.get(path)
        assert r.status_code == 200 and marker in r.text and "<script>" not in r.text  # no inline script
        policy = r.headers["content-security-policy"]
        assert "script-src 'self';" in policy and "default-src 'none'" in policy and "http" not in policy
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "swagger-init.js"):
        assert client.get(f"/docs/assets/{name}").status_code == 200
    r = client.get("/docs/assets/..%2Fcore.py")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    portal = client.get("/signin").headers["content-security-policy"]
    assert "unsafe-inline" not in portal and "style-src 'self';" in portal  # the portal's policy is unchanged
