"""Signing in from WeCom, DingTalk and Feishu without a password, against the platform fakes."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from reception.accounts.roles import Role
from reception.models import User
from reception.notifications.channels.models import ChannelAccount, ChannelRoute, RouteTarget
from reception.notifications.notify import Msg, notify
from tests.factories import user_with

pytestmark = pytest.mark.django_db

PLATFORMS = ["wecom", "dingtalk", "feishu"]
WXWORK = "Mozilla/5.0 (iPhone) AppleWebKit wxwork/4.1.20 MicroMessenger/7.0.1"
PAGE = "/notifications/"


def hand_out_code(fake, platform, external_id, code="one-time-code", member=True):
    """The platform's side of the OAuth page: it knows the person and hands out a code."""
    who = {
        "wecom": {"userid": external_id} if member else {"openid": "o-outsider"},
        "dingtalk": {"unionId": f"union-{external_id}", "userid": external_id if member else None},
        "feishu": {"user_id": external_id if member else "", "open_id": f"ou_{external_id}"},
    }[platform]
    fake.oauth_codes[(platform, code)] = who
    return code


def start(client, platform, next_path=PAGE, **headers):
    response = client.get(reverse("im_login", args=[platform]), {"next": next_path}, **headers)
    assert response.status_code == 302
    return response["Location"]


def come_back(client, platform, location, code):
    state = parse_qs(urlsplit(location).query)["state"][0]
    name = "authCode" if platform == "dingtalk" else "code"
    return client.get(reverse("im_login_callback", args=[platform]), {name: code, "state": state})


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_tap_on_a_card_lands_on_the_page_signed_in(fake_platforms, client, platform):
    person = user_with(Role.SALES, username="zhangsan")
    ChannelAccount.objects.create(user=person, platform=platform, external_id="zhangsan-id")
    location = start(client, platform, HTTP_USER_AGENT=WXWORK)
    code = hand_out_code(fake_platforms, platform, "zhangsan-id")
    response = come_back(client, platform, location, code)
    assert response.status_code == 302 and response["Location"] == PAGE
    assert client.get(PAGE).wsgi_request.user == person


def test_wecom_inside_the_app_uses_snsapi_base_and_a_desktop_browser_the_qr_log_in(
    fake_platforms, client
):
    inside = urlsplit(start(client, "wecom", HTTP_USER_AGENT=WXWORK))
    query = parse_qs(inside.query)
    assert inside.netloc == "open.weixin.qq.com" and inside.path == "/connect/oauth2/authorize"
    assert query["scope"] == ["snsapi_base"] and query["appid"] == ["ww-corp"]
    assert query["agentid"] == ["1000002"] and inside.fragment == "wechat_redirect"
    assert query["redirect_uri"] == ["https://jiedai.example.com/im/wecom/callback/"]
    desktop = urlsplit(start(client, "wecom", HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0)"))
    assert desktop.netloc == "login.work.weixin.qq.com" and desktop.path == "/wwlogin/sso/login"
    assert parse_qs(desktop.query)["login_type"] == ["CorpApp"]


@pytest.mark.parametrize(
    ("platform", "host", "path"),
    [
        ("dingtalk", "login.dingtalk.com", "/oauth2/auth"),
        ("feishu", "accounts.feishu.cn", "/open-apis/authen/v1/authorize"),
    ],
)
def test_dingtalk_and_feishu_send_the_person_to_their_authorization_page(
    fake_platforms, client, platform, host, path
):
    url = urlsplit(start(client, platform))
    assert (url.netloc, url.path) == (host, path)
    assert parse_qs(url.query)["state"][0]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_forged_or_replayed_state_is_refused(fake_platforms, client, platform):
    person = user_with(Role.SALES)
    ChannelAccount.objects.create(user=person, platform=platform, external_id="p1")
    location = start(client, platform)
    code = hand_out_code(fake_platforms, platform, "p1")
    forged = client.get(
        reverse("im_login_callback", args=[platform]), {"code": code, "state": "made-up"}
    )
    assert forged.status_code == 400
    assert "expired" in forged.content.decode()
    assert come_back(client, platform, location, code).status_code == 302
    client.logout()
    again = come_back(client, platform, location, hand_out_code(fake_platforms, platform, "p1"))
    assert again.status_code == 400  # the state was used once


@pytest.mark.parametrize("platform", PLATFORMS)
def test_an_unknown_id_gets_a_clear_page_and_no_account_is_made(fake_platforms, client, platform):
    users = User.objects.count()
    location = start(client, platform)
    response = come_back(client, platform, location, hand_out_code(fake_platforms, platform, "x"))
    assert response.status_code == 403
    assert "not linked to a Jiedai user" in response.content.decode()
    assert User.objects.count() == users and not client.session.get("_auth_user_id")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_non_member_of_the_company_is_refused(fake_platforms, client, platform):
    location = start(client, platform)
    code = hand_out_code(fake_platforms, platform, "x", member=False)
    assert come_back(client, platform, location, code).status_code == 403


def test_an_inactive_user_is_refused(fake_platforms, client):
    person = user_with(Role.SALES, is_active=False)
    ChannelAccount.objects.create(user=person, platform="feishu", external_id="gone")
    location = start(client, "feishu")
    response = come_back(
        client, "feishu", location, hand_out_code(fake_platforms, "feishu", "gone")
    )
    assert response.status_code == 403 and "inactive" in response.content.decode()


def test_a_used_code_is_refused_by_the_platform_and_the_page_says_try_again(fake_platforms, client):
    location = start(client, "wecom")
    response = come_back(client, "wecom", location, "never-handed-out")
    assert response.status_code == 502 and "Try again" in response.content.decode()


def test_a_next_to_another_site_goes_home_instead(fake_platforms, client):
    person = user_with(Role.SALES)
    ChannelAccount.objects.create(user=person, platform="wecom", external_id="p2")
    location = start(client, "wecom", next_path="https://evil.example.com/")
    response = come_back(client, "wecom", location, hand_out_code(fake_platforms, "wecom", "p2"))
    assert response["Location"] == "/"


def test_someone_signed_in_already_goes_straight_to_the_page(client):
    client.force_login(user_with(Role.SALES))
    response = client.get(reverse("im_login", args=["dingtalk"]), {"next": PAGE})
    assert response["Location"] == PAGE


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_card_link_goes_through_the_sign_in(
    fake_platforms, platform, django_capture_on_commit_callbacks
):
    person = user_with(Role.SALES)
    ChannelAccount.objects.create(user=person, platform=platform, external_id="p3")
    ChannelRoute.objects.create(kind="tasks", platform=platform, target=RouteTarget.RECIPIENT)
    with django_capture_on_commit_callbacks(execute=True):
        notify([person], kind="tasks", title=Msg("Preparation tasks"), url="/visits/7/")
    body = json.dumps(fake_platforms.messages(platform)[0]["body"])
    assert f"https://jiedai.example.com/im/{platform}/?next=%2Fvisits%2F7%2F" in body
