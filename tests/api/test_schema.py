"""The OpenAPI schema: served, valid, and the same as the file checked in (a change to the API
is a decision: run `manage.py api_schema` and commit docs/api/openapi-v1.json with it)."""

import json

import pytest
from openapi_spec_validator import validate

from visits.api.schema import SCHEMA_FILE, current_schema

pytestmark = pytest.mark.django_db


def test_the_checked_in_schema_is_the_apis():
    assert json.loads(SCHEMA_FILE.read_text()) == current_schema(), (
        "The API changed: run `DEBUG=1 manage.py api_schema` and commit "
        "docs/api/openapi-v1.json (and say so in CHANGELOG.md)."
    )


def test_the_schema_validates_as_openapi_3():
    schema = current_schema()
    assert schema["openapi"].startswith("3.")
    validate(schema)


def test_every_operation_says_bearer_auth():
    schema = current_schema()
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("security") == [{"TokenAuth": []}], f"{method} {path}"


def test_the_schema_is_served_to_a_token_and_a_login(api, token_for, sales, client):
    assert api(token_for(sales)).get("/openapi.json").json()["paths"]
    client.force_login(sales)
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_the_docs_page_serves_swagger_ui_from_our_static_files(client, sales):
    assert client.get("/api/v1/docs").status_code == 302  # to the login page
    client.force_login(sales)
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower() and "https://" not in page
