"""The API's OpenAPI schema as checked into the repository (docs/api/openapi-v1.json): a
change to the API is a visible decision (tests/api/test_schema.py)."""

import json
from pathlib import Path

from django.conf import settings
from django.utils import translation

from .app import api

SCHEMA_FILE = Path(settings.BASE_DIR) / "docs" / "api" / "openapi-v1.json"


def current_schema() -> dict:
    with translation.override("en"):
        schema = api.get_openapi_schema(path_prefix="/api/v1")
    return json.loads(json.dumps(schema, default=str))


def schema_text() -> str:
    return json.dumps(current_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
