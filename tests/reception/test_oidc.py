"""Company single sign-on (OpenID Connect) against a tiny local provider over real HTTP:
authorization (we follow its redirect by hand), token (an RS256 or HS256 id_token), JWKS and
userinfo. Existing, active users only, by employee number or email; no account made."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from reception.accounts.oidc import BACKEND
from reception.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
CLIENT_ID, CLIENT_SECRET = "jiedai", "client-secret-for-tests-0123456789abcdef"


class FakeProvider:
    """Hands out a code per sign-in (who = the claims), exchanges it once for tokens."""

    def __init__(self, algorithm: str = "RS256"):
        self.algorithm = algorithm
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.audience = CLIENT_ID
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def id_token(self, claims: dict, nonce: str) -> str:
        now = int(time.time())
        body = {"iss": self.url, "aud": self.audience, "iat": now, "exp": now + 300}
        body |= {"sub": claims["sub"], "nonce": nonce}
        if self.algorithm == "HS256":
            return jwt.encode(body, CLIENT_SECRET, algorithm="HS256")
        return jwt.encode(body, self.key, algorithm="RS256", headers={"kid": "k1"})

    def handle(self, path: str, form: dict, headers) -> tuple[int, dict]:
        if path == "/token":
            if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
                return 401, {"error": "invalid_client"}
            grant = self.codes.pop(form.get("code", ""), None)  # single use
            if grant is None or form.get("grant_type") != "authorization_code":
                return 400, {"error": "invalid_grant"}
            access = f"at-{len(self.tokens) + 1}"
            self.tokens[access] = grant["claims"]
            token = self.id_token(grant["claims"], grant["nonce"])
            return 200, {"access_token": access, "id_token": token, "token_type": "Bearer"}
        if path == "/jwks":
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
            return 200, {"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]}
        if path == "/userinfo":
            claims = self.tokens.get(headers.get("Authorization", "").removeprefix("Bearer "))
            return (200, claims) if claims else (401, {"error": "invalid_token"})
        return 404, {}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _serve(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                form = {k: v[0] for k, v in parse_qs(raw).items()}
                status, answer = fake.handle(parts.path, form, self.headers)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _serve

        return Handler


@pytest.fixture
def provider(settings):
    fake = FakeProvider()
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{fake.url}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{fake.url}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{fake.url}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{fake.url}/jwks"
    settings.OIDC_OP_ISSUER = fake.url
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, BACKEND]
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def sign_in(client, provider, claims: dict, *, next_url: str = "/"):
    """Start at /oidc/authenticate/, 'sign in' at the provider, come back with its code."""
    response = client.get("/oidc/authenticate/", {"next": next_url})
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert response["Location"].startswith(f"{provider.url}/authorize?")
    assert query["client_id"] == [CLIENT_ID] and query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    code = f"code-{len(provider.codes) + len(provider.tokens)}"
    provider.codes[code] = {"claims": claims, "nonce": query["nonce"][0]}
    return client.get("/oidc/callback/", {"code": code, "state": query["state"][0]})


def test_the_login_page_offers_the_company_sign_on_only_when_configured(client, settings):
    assert "/oidc/authenticate/" not in client.get("/accounts/login/").content.decode()
    assert client.get("/oidc/authenticate/").status_code == 404
    settings.OIDC_ENABLED = True
    page = client.get("/accounts/login/", {"next": "/notifications/"}).content.decode()
    assert 'href="/oidc/authenticate/?next=/notifications/"' in page


def test_signed_in_by_employee_number_and_sent_on(client, provider):
    user = UserFactory(username="wq", employee_number="E1024", email="other@example.com")
    claims = {"sub": "s-1", "employee_number": "E1024", "email": "wq@corp.example"}
    response = sign_in(client, provider, claims, next_url="/notifications/")
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session["_auth_user_backend"] == BACKEND


def test_signed_in_by_verified_email_with_an_hs256_token(client, provider, settings):
    provider.algorithm, settings.OIDC_RP_SIGN_ALGO = "HS256", "HS256"
    user = UserFactory(username="lm", email="Li.Ming@corp.example")
    claims = {"sub": "s-2", "email": "li.ming@corp.example", "email_verified": True}
    assert sign_in(client, provider, claims).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_an_unknown_person_gets_a_clear_page_and_no_account(client, provider):
    before = User.objects.count()
    response = sign_in(client, provider, {"sub": "s-3", "email": "nobody@corp.example"})
    assert response.status_code == 403
    assert "nobody@corp.example" in response.content.decode()
    assert User.objects.count() == before and "_auth_user_id" not in client.session


def test_an_unverified_email_or_an_inactive_user_is_refused(client, provider):
    UserFactory(username="a", email="a@corp.example")
    claims = {"sub": "s-4", "email": "a@corp.example", "email_verified": False}
    assert sign_in(client, provider, claims).status_code == 403
    UserFactory(username="b", employee_number="E2", is_active=False)
    response = sign_in(client, provider, {"sub": "s-5", "employee_number": "E2"})
    assert response.status_code == 403 and "_auth_user_id" not in client.session


def test_a_token_for_another_client_or_a_forged_callback_is_refused(client, provider):
    UserFactory(username="c", employee_number="E3")
    provider.audience = "another-app"
    assert sign_in(client, provider, {"sub": "s-6", "employee_number": "E3"}).status_code == 403
    assert "_auth_user_id" not in client.session
    provider.audience = CLIENT_ID
    # A callback with a state this browser never sent (or a replayed one) is refused.
    response = client.get("/oidc/callback/", {"code": "x", "state": "not-ours"})
    assert response.status_code == 403 and "_auth_user_id" not in client.session
