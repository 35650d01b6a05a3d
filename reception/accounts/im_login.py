"""Signing staff in from WeCom, DingTalk and Feishu without a password (免登).

A card's button opens /im/<platform>/?next=<page>. Someone signed in already goes straight to
the page. Anyone else is sent to the platform's OAuth page (WeCom inside the app: snsapi_base;
WeCom in a desktop browser: the QR log-in; DingTalk and Feishu: their authorization page), which
comes back to /im/<platform>/callback/ with a one-time code and the `state` we sent. The state
is a random value kept in the session with the page to open: a callback without it, or with
another, is refused. The code gives the person's user id on the platform (adapters in
reception/notifications/channels/), and the messaging account holding that id (the staff import
fills them) gives the user. An unknown id, an inactive user or a non-member of the company gets
a page that says so; no account is ever made from a platform id.
"""

import logging
import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ..http import safe_next
from ..notifications.channels.delivery import PLATFORMS
from ..notifications.channels.http import TransportError
from ..notifications.channels.models import ChannelAccount

log = logging.getLogger(__name__)

SESSION_KEY = "im_login"
# The user agents of the apps' own browsers: inside them WeCom signs in without a question.
IN_APP = {"wecom": "wxwork", "dingtalk": "dingtalk", "feishu": "lark"}
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _adapter(platform: str):
    adapter = PLATFORMS.get(platform)
    if adapter is None:
        raise Http404
    return adapter


def _callback_uri(request: HttpRequest, platform: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("im_login_callback", args=[platform])


def refused(request: HttpRequest, platform: str, reason: str, status: int = 403) -> HttpResponse:
    return render(request, "registration/im_login_refused.html", {"reason": reason}, status=status)


@login_not_required
def start(request: HttpRequest, platform: str) -> HttpResponse:
    adapter = _adapter(platform)
    target = safe_next(request, "home")
    if request.user.is_authenticated:
        return redirect(target)
    if not adapter.app_configured():
        return redirect(f"{settings.LOGIN_URL}?{urlencode({'next': target})}")
    state = secrets.token_urlsafe(24)
    pending = request.session.get(SESSION_KEY, {})
    pending = dict(list(pending.items())[-4:])  # a few tabs at once, not an endless list
    pending[state] = {"platform": platform, "next": target}
    request.session[SESSION_KEY] = pending
    in_app = IN_APP[platform] in request.headers.get("User-Agent", "").lower()
    return redirect(adapter.login_url(_callback_uri(request, platform), state, in_app=in_app))


@login_not_required
def callback(request: HttpRequest, platform: str) -> HttpResponse:
    adapter = _adapter(platform)
    pending = request.session.get(SESSION_KEY, {})
    wanted = pending.pop(request.GET.get("state", ""), None)
    request.session[SESSION_KEY] = pending
    if wanted is None or wanted["platform"] != platform:
        return refused(
            request,
            platform,
            _(
                "This sign-in link has expired or was opened in another browser. "
                "Open the card again."
            ),
            status=400,
        )
    code = request.GET.get(adapter.code_param()) or request.GET.get("code", "")
    if not code:
        return refused(request, platform, _("The sign-in was cancelled."), status=400)
    try:
        external_id = adapter.user_id_for_code(code, _callback_uri(request, platform))
    except (TransportError, KeyError, ValueError) as error:
        log.warning("IM sign-in (%s) failed: %s", platform, str(error)[:200])
        return refused(
            request, platform, _("The platform could not confirm who you are. Try again."), 502
        )
    account = (
        ChannelAccount.objects.filter(platform=platform, external_id=external_id)
        .select_related("user")
        .first()
        if external_id
        else None
    )
    if account is None:
        log.info("IM sign-in (%s): no messaging account for this user id", platform)
        return refused(
            request,
            platform,
            _(
                "Your account on this platform is not linked to a Jiedai user. Ask an "
                "administrator to add your user id to your messaging accounts."
            ),
        )
    if not account.user.is_active:
        return refused(request, platform, _("Your Jiedai account is inactive."))
    request.session.cycle_key()
    login(request, account.user, backend=BACKEND)
    return redirect(wanted["next"])
