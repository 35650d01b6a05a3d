"""Company single sign-on with OpenID Connect (Azure AD / Entra ID, Keycloak, Authing…), through
mozilla-django-oidc. Off unless OIDC_RP_CLIENT_ID and the provider's endpoints are set
(config/settings.py): the login page then shows no SSO button and /oidc/… answers 404.

The authorization-code flow is the library's: /oidc/authenticate/ sends the person to the
provider with a `state` and a `nonce` kept in the session; /oidc/callback/ checks the state,
exchanges the code for tokens at the token endpoint, verifies the id_token (RS256 against the
provider's JWKS, or HS256 with the client secret), its nonce, and here also its audience and
issuer, and asks the userinfo endpoint who it is. The person is found among the existing users
by employee number (OIDC_EMPLOYEE_NUMBER_CLAIM) or else by a verified email; no account is ever
made from a sign-on, and an unknown, ambiguous or inactive person gets a page that says so.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

log = logging.getLogger(__name__)

BACKEND = "reception.accounts.oidc.CompanySignOnBackend"
REFUSAL = "_jiedai_oidc_refusal"


def enabled() -> bool:
    return bool(getattr(settings, "OIDC_ENABLED", False))


def _refuse(request: HttpRequest | None, reason: str) -> None:
    if request is not None:
        setattr(request, REFUSAL, reason)


class CompanySignOnBackend(OIDCAuthenticationBackend):
    """Maps the provider's claims to an existing, active user; never creates one."""

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("id_token for another client")
        issuer = getattr(settings, "OIDC_OP_ISSUER", "")
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("id_token from another issuer")
        return payload

    def filter_users_by_claims(self, claims):
        users = get_user_model().objects.all()
        number = str(claims.get(settings.OIDC_EMPLOYEE_NUMBER_CLAIM) or "").strip()
        email = str(claims.get("email") or "").strip()
        if number:
            found = users.filter(employee_number=number)
        elif email and claims.get("email_verified") is not False:
            found = users.filter(email__iexact=email)
        else:
            found = users.none()
        matched = list(found[:2])
        if not matched:
            _refuse(
                self.request,
                _(
                    "Your company account (%(who)s) is not linked to a Jiedai account. "
                    "Ask the administrator to add your employee number or email to your account."
                )
                % {"who": number or email or "?"},
            )
            return users.none()
        if len(matched) > 1:
            _refuse(
                self.request,
                _("Several Jiedai accounts have this email: ask the administrator to fix it."),
            )
            return users.none()
        if not matched[0].is_active:
            _refuse(self.request, _("Your Jiedai account is inactive."))
            return users.none()
        return found

    def create_user(self, claims):  # OIDC_CREATE_USER is off; this is the belt to its braces
        raise SuspiciousOperation("no account is made from a sign-on")


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "registration/im_login_refused.html", {"reason": reason}, status=403)


class CallbackView(OIDCAuthenticationCallbackView):
    def login_failure(self):
        reason = getattr(self.request, REFUSAL, "") or _(
            "The company sign-on did not succeed. Try again, or log in with your password."
        )
        return _refused(self.request, reason)

    def get(self, request):
        try:
            return super().get(request)
        except SuspiciousOperation as error:  # a state not ours: a replayed or forged callback
            log.warning("OIDC callback refused: %s", error)
            return self.login_failure()


@login_not_required
def authenticate(request: HttpRequest) -> HttpResponse:
    if not enabled():
        raise Http404
    return OIDCAuthenticationRequestView.as_view()(request)


@login_not_required
def callback(request: HttpRequest) -> HttpResponse:
    if not enabled():
        raise Http404
    return CallbackView.as_view()(request)


class LoginView(auth_views.LoginView):
    """The password log-in, with the company sign-on button when it is configured."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "company_sign_on": enabled()}
