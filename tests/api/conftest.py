import pytest

from reception.api_tokens import scopes, services


@pytest.fixture
def token_for(db):
    """token_for(user, *scopes) -> the raw token (every scope when none is named)."""

    def _make(user, *wanted: str, **kwargs) -> str:
        chosen = list(wanted) or [s.code for s in scopes.all_scopes()]
        return services.create_token(user=user, name="test", scopes=chosen, **kwargs)[1]

    return _make


@pytest.fixture
def api(client):
    """api(token) -> a client sending that token (JSON bodies)."""

    class Api:
        def __init__(self, raw, **headers):
            self.headers = {"Authorization": f"Bearer {raw}", **headers}

        def get(self, url, params=None):
            return client.get("/api/v1" + url, params or {}, headers=self.headers)

        def post(self, url, data=None):
            return client.post(
                "/api/v1" + url, data or {}, content_type="application/json", headers=self.headers
            )

        def put(self, url, data=None):
            return client.put(
                "/api/v1" + url, data or {}, content_type="application/json", headers=self.headers
            )

    return Api
