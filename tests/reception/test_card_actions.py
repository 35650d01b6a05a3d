"""Deciding on the card: Feishu's card action callback, verified, once, with the card updated."""

import json
import time

import pytest
from django.urls import reverse

from approvals.models import StepState
from reception.notifications.channels.models import (
    CardActionEvent,
    ChannelAccount,
    ChannelRoute,
    RouteTarget,
)
from tests.channel_fakes import APPS, FEISHU_CALLBACK, feishu_card_action
from tests.factories import file_visit

pytestmark = pytest.mark.django_db
CALLBACK = "/im/feishu/card/"  # reverse() at import would load the URLconf under DEBUG


@pytest.fixture
def feishu_cards(settings, fake_platforms):
    settings.CHANNEL_APPS = {**APPS, "feishu": {**APPS["feishu"], **FEISHU_CALLBACK}}
    return fake_platforms


@pytest.fixture
def waiting(feishu_cards, four_tier, sales, staff, django_capture_on_commit_callbacks):
    """A step waiting for the marketing approver, who has a Feishu account; its card sent."""
    ChannelAccount.objects.create(user=staff.marketing, platform="feishu", external_id="liuyang")
    ChannelRoute.objects.create(
        kind="approval_waiting", platform="feishu", target=RouteTarget.RECIPIENT
    )
    with django_capture_on_commit_callbacks(execute=True):
        visit = file_visit(sales, four_tier["vip"])
    step = visit.approval_steps.get(state=StepState.PENDING)
    [sent] = feishu_cards.messages("feishu")
    return step, json.loads(sent["body"]["content"])


def press(client, card, *, user_id="liuyang", **options):
    button = card["elements"][1]["actions"][0]
    body, headers = feishu_card_action(user_id=user_id, value=button["value"], **options)
    return client.post(CALLBACK, body, content_type="application/json", **headers)


def test_the_approvers_card_has_an_approve_button_and_a_link_to_return_or_reject(waiting):
    step, card = waiting
    approve, other, page = card["elements"][1]["actions"]
    assert approve["value"] == {"action": "approval_step", "target": step.pk, "choice": "approved"}
    assert "url" not in approve
    assert other["url"].startswith("https://jiedai.example.com/im/feishu/?next=")
    assert "value" not in other and "url" in page


def test_approve_on_the_card_decides_the_step_once_and_the_card_says_who(waiting, client, staff):
    step, card = waiting
    response = press(client, card)
    assert response.status_code == 200
    step.refresh_from_db()
    assert step.state == StepState.APPROVED and step.decided_by == staff.marketing
    answer = response.json()
    updated = answer["card"]["data"]
    assert answer["card"]["type"] == "raw" and answer["toast"]["type"] == "success"
    text = updated["elements"][0]["text"]["content"]
    assert str(staff.marketing) in text
    assert [b for b in updated["elements"][1]["actions"] if "value" in b] == []  # no more buttons
    # The same event again (Feishu retries, or a replay): nothing is decided again.
    again = press(client, card)
    assert again.status_code == 200 and again.json()["card"]["data"] == updated
    assert CardActionEvent.objects.count() == 1


def test_a_forged_signature_is_refused(waiting, client):
    step, card = waiting
    assert press(client, card, forge=True).status_code == 401
    step.refresh_from_db()
    assert step.state == StepState.PENDING


def test_a_wrong_verification_token_is_refused(waiting, client):
    step, card = waiting
    assert press(client, card, token="not-the-apps-token").status_code == 401


def test_an_old_callback_is_refused_as_a_replay(waiting, client):
    step, card = waiting
    old = int(time.time()) - 3600
    assert press(client, card, signed_at=old).status_code == 401
    assert press(client, card, created_ms=old * 1000).status_code == 401
    step.refresh_from_db()
    assert step.state == StepState.PENDING and not CardActionEvent.objects.exists()


def test_someone_who_is_not_the_approver_is_told_so_and_nothing_changes(waiting, client, staff):
    step, card = waiting
    ChannelAccount.objects.create(user=staff.gm, platform="feishu", external_id="zhaomin")
    response = press(client, card, user_id="zhaomin", event_id="ev-2")
    assert response.status_code == 200 and response.json()["toast"]["type"] == "info"
    step.refresh_from_db()
    assert step.state == StepState.PENDING


def test_an_unknown_feishu_user_changes_nothing(waiting, client):
    step, card = waiting
    response = press(client, card, user_id="stranger", event_id="ev-3")
    assert "not linked" in response.json()["toast"]["content"]
    step.refresh_from_db()
    assert step.state == StepState.PENDING


def test_card_actions_are_off_without_a_verification_token(fake_platforms, client):
    body, headers = feishu_card_action(user_id="x", value={})
    assert (
        client.post(CALLBACK, body, content_type="application/json", **headers).status_code == 404
    )


def press_value(client, value, *, user_id, event_id):
    body, headers = feishu_card_action(user_id=user_id, value=value, event_id=event_id)
    return client.post(CALLBACK, body, content_type="application/json", **headers)


def test_the_person_asked_for_accepts_a_walk_in_on_the_card(
    feishu_cards, four_tier, staff, client, django_capture_on_commit_callbacks
):
    from reception.accounts.roles import Role
    from tests.factories import user_with
    from visits.models import WalkInStatus
    from visits.services.walk_ins import record_walk_in

    host = user_with(Role.MARKETING, username="host", full_name="营销助理")
    ChannelAccount.objects.create(user=host, platform="feishu", external_id="host-id")
    ChannelRoute.objects.create(kind="walk_in", platform="feishu", target=RouteTarget.RECIPIENT)
    with django_capture_on_commit_callbacks(execute=True):
        walk_in = record_walk_in(
            by=user_with(Role.SECURITY),
            company="星河电子",
            names="王强",
            headcount=1,
            phone="13900001111",
            wants_to_see=host,
            purpose="洽谈",
        )
    [sent] = feishu_cards.messages("feishu")
    accept, decline, _page = json.loads(sent["body"]["content"])["elements"][1]["actions"]
    assert "url" in decline and "value" not in decline  # declining needs a reason: the page
    response = press_value(client, accept["value"], user_id="host-id", event_id="ev-w")
    assert response.json()["toast"]["type"] == "success"
    walk_in.refresh_from_db()
    assert walk_in.status == WalkInStatus.ACCEPTED
    assert "营销助理" in response.json()["card"]["data"]["elements"][0]["text"]["content"]


def test_a_preparation_task_is_ticked_on_the_card(
    feishu_cards, four_tier, sales, client, django_capture_on_commit_callbacks
):
    from reception.accounts.roles import Role
    from reception.models import Department
    from tests.factories import user_with
    from tests.visits.test_preparation_tasks import approve_through
    from visits.models import PrepStatus
    from visits.services.preparation import assign_task

    office = Department.objects.get(code="office")
    head = user_with(Role.DEPARTMENT_HEAD, Role.DEPARTMENT_MEMBER, username="office_head")
    office.head = head
    office.save()
    member = user_with(Role.DEPARTMENT_MEMBER, username="office1")
    office.memberships.create(user=member)
    ChannelAccount.objects.create(user=member, platform="feishu", external_id="m-id")
    ChannelRoute.objects.create(
        kind="task_assigned", platform="feishu", target=RouteTarget.RECIPIENT
    )
    task = approve_through(file_visit(sales, four_tier["vip"])).prep_tasks.get(
        template__code="office-hotel"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assign_task(task=task, by=head, assignee=member)
    [sent] = feishu_cards.messages("feishu")
    done = json.loads(sent["body"]["content"])["elements"][1]["actions"][0]
    response = press_value(client, done["value"], user_id="m-id", event_id="ev-t")
    assert response.json()["toast"]["type"] == "success", response.json()
    task.refresh_from_db()
    assert task.status == PrepStatus.DONE


# ---- WeCom: template card buttons, the receive URL's encrypted callback --------------------


@pytest.fixture
def wecom_waiting(
    settings, fake_platforms, four_tier, sales, staff, django_capture_on_commit_callbacks
):
    from tests.channel_fakes import WECOM_CALLBACK

    settings.CHANNEL_APPS = {**APPS, "wecom": {**APPS["wecom"], **WECOM_CALLBACK}}
    ChannelAccount.objects.create(user=staff.marketing, platform="wecom", external_id="liuyang")
    ChannelRoute.objects.create(
        kind="approval_waiting", platform="wecom", target=RouteTarget.RECIPIENT
    )
    with django_capture_on_commit_callbacks(execute=True):
        visit = file_visit(sales, four_tier["vip"])
    step = visit.approval_steps.get(state=StepState.PENDING)
    [sent] = fake_platforms.messages("wecom")
    return step, sent["body"]["template_card"]


def wecom_press(client, card, *, user_id="liuyang", **options):
    from tests.channel_fakes import wecom_card_event

    key = card["button_list"][0]["key"]
    query, body = wecom_card_event(user_id=user_id, key=key, task_id=card["task_id"], **options)
    url = reverse("im_card_action", args=["wecom"]) + "?" + query
    return client.post(url, body, content_type="text/xml")


def test_wecom_the_approver_approves_on_the_template_card_and_its_button_says_who(
    wecom_waiting, client, staff, fake_platforms
):
    step, card = wecom_waiting
    assert card["card_type"] == "button_interaction"
    assert card["button_list"][0]["key"] == f"approval_step:{step.pk}:approved"
    assert card["jump_list"][0]["url"].startswith("https://jiedai.example.com/im/wecom/?next=")
    response = wecom_press(client, card)
    assert response.status_code == 200
    step.refresh_from_db()
    assert step.state == StepState.APPROVED and step.decided_by == staff.marketing
    [update] = [m for m in fake_platforms.received if m["kind"] == "card_update"]
    assert update["body"]["response_code"] == "rc-123"
    assert str(staff.marketing) in update["body"]["button"]["replace_name"]
    wecom_press(client, card)  # replayed: nothing again, no second update
    assert len([m for m in fake_platforms.received if m["kind"] == "card_update"]) == 1


def test_wecom_a_forged_or_old_callback_is_refused(wecom_waiting, client):
    step, card = wecom_waiting
    assert wecom_press(client, card, forge=True).status_code == 401
    assert wecom_press(client, card, timestamp=int(time.time()) - 3600).status_code == 401
    step.refresh_from_db()
    assert step.state == StepState.PENDING


def test_wecom_a_message_for_another_company_is_refused(wecom_waiting, client):
    from tests.channel_fakes import wecom_card_event

    step, card = wecom_waiting
    query, body = wecom_card_event(
        user_id="liuyang", key=card["button_list"][0]["key"], task_id="t", corp_id="ww-other"
    )
    url = reverse("im_card_action", args=["wecom"]) + "?" + query
    assert client.post(url, body, content_type="text/xml").status_code == 401


def test_wecom_verifies_the_receive_url_by_its_echostr(settings, client):
    from urllib.parse import urlencode

    from reception.notifications.channels import wecom_crypto
    from tests.channel_fakes import WECOM_CALLBACK

    settings.CHANNEL_APPS = {**APPS, "wecom": {**APPS["wecom"], **WECOM_CALLBACK}}
    echo = wecom_crypto.encrypt(WECOM_CALLBACK["encoding_aes_key"], "echo-42", "ww-corp")
    when = str(int(time.time()))
    signature = wecom_crypto.signature(WECOM_CALLBACK["callback_token"], when, "n", echo)
    query = urlencode(
        {"msg_signature": signature, "timestamp": when, "nonce": "n", "echostr": echo}
    )
    response = client.get(reverse("im_card_action", args=["wecom"]) + "?" + query)
    assert response.status_code == 200 and response.content == b"echo-42"


# ---- DingTalk: an interactive card's button, the encrypted HTTP callback --------------------


@pytest.fixture
def dingtalk_waiting(settings, fake_platforms, four_tier, sales, staff):
    from tests.channel_fakes import DINGTALK_CALLBACK

    settings.CHANNEL_APPS = {**APPS, "dingtalk": {**APPS["dingtalk"], **DINGTALK_CALLBACK}}
    ChannelAccount.objects.create(user=staff.marketing, platform="dingtalk", external_id="liuyang")
    visit = file_visit(sales, four_tier["vip"])
    return visit.approval_steps.get(state=StepState.PENDING)


def dingtalk_press(client, step, *, user_id="liuyang", choice="approved", **options):
    from tests.channel_fakes import dingtalk_card_event

    value = {"action": "approval_step", "target": step.pk, "choice": choice}
    query, body = dingtalk_card_event(user_id=user_id, value=value, **options)
    url = reverse("im_card_action", args=["dingtalk"]) + "?" + query
    return client.post(url, body, content_type="application/json")


def card_updates(fake_platforms):
    return [m for m in fake_platforms.received if m["kind"] == "card_update"]


def test_dingtalk_the_approver_approves_on_the_card_once_and_the_card_says_who(
    dingtalk_waiting, client, staff, fake_platforms
):
    from reception.notifications.channels import wecom_crypto
    from tests.channel_fakes import DINGTALK_CALLBACK

    step = dingtalk_waiting
    response = dingtalk_press(client, step)
    assert response.status_code == 200
    answer = response.json()
    assert (
        wecom_crypto.decrypt(DINGTALK_CALLBACK["callback_aes_key"], answer["encrypt"], "ding-key")
        == "success"
    )
    step.refresh_from_db()
    assert step.state == StepState.APPROVED and step.decided_by == staff.marketing
    [update] = card_updates(fake_platforms)
    assert update["body"]["outTrackId"] == "card-1"
    assert str(staff.marketing) in update["body"]["cardData"]["cardParamMap"]["decided"]
    assert dingtalk_press(client, step).status_code == 200  # replayed: nothing again
    assert len(card_updates(fake_platforms)) == 1
    assert CardActionEvent.objects.filter(platform="dingtalk").count() == 1


def test_dingtalk_a_forged_or_old_callback_is_refused(dingtalk_waiting, client, fake_platforms):
    step = dingtalk_waiting
    assert dingtalk_press(client, step, forge=True).status_code == 401
    old = int(time.time() * 1000) - 3600 * 1000
    assert dingtalk_press(client, step, timestamp=old).status_code == 401
    assert dingtalk_press(client, step, app_key="another-app").status_code == 401
    step.refresh_from_db()
    assert step.state == StepState.PENDING and not card_updates(fake_platforms)


def test_dingtalk_someone_who_is_not_the_approver_changes_nothing(
    dingtalk_waiting, client, staff, fake_platforms
):
    step = dingtalk_waiting
    ChannelAccount.objects.create(user=staff.gm, platform="dingtalk", external_id="zhaomin")
    assert dingtalk_press(client, step, user_id="zhaomin").status_code == 200
    assert dingtalk_press(client, step, user_id="stranger", out_track_id="c2").status_code == 200
    step.refresh_from_db()
    assert step.state == StepState.PENDING
    texts = [u["body"]["cardData"]["cardParamMap"]["decided"] for u in card_updates(fake_platforms)]
    assert "not linked" in texts[1]


def test_dingtalk_card_actions_are_off_without_the_callback_keys(fake_platforms, client):
    from tests.channel_fakes import dingtalk_card_event

    query, body = dingtalk_card_event(user_id="x", value={})
    url = reverse("im_card_action", args=["dingtalk"]) + "?" + query
    assert client.post(url, body, content_type="application/json").status_code == 404


def test_dingtalk_the_person_asked_for_accepts_a_walk_in_on_the_card(
    settings, fake_platforms, four_tier, staff, client
):
    from reception.accounts.roles import Role
    from tests.channel_fakes import DINGTALK_CALLBACK, dingtalk_card_event
    from tests.factories import user_with
    from visits.models import WalkInStatus
    from visits.services.walk_ins import record_walk_in

    settings.CHANNEL_APPS = {**APPS, "dingtalk": {**APPS["dingtalk"], **DINGTALK_CALLBACK}}
    host = user_with(Role.MARKETING, username="host", full_name="营销助理")
    ChannelAccount.objects.create(user=host, platform="dingtalk", external_id="host-id")
    walk_in = record_walk_in(
        by=user_with(Role.SECURITY),
        company="星河电子",
        names="王强",
        headcount=1,
        phone="13900001111",
        wants_to_see=host,
        purpose="洽谈",
    )
    value = {"action": "walk_in", "target": walk_in.pk, "choice": "accept"}
    query, body = dingtalk_card_event(user_id="host-id", value=value, out_track_id="walk-1")
    url = reverse("im_card_action", args=["dingtalk"]) + "?" + query
    assert client.post(url, body, content_type="application/json").status_code == 200
    walk_in.refresh_from_db()
    assert walk_in.status == WalkInStatus.ACCEPTED
    [update] = card_updates(fake_platforms)
    assert "营销助理" in update["body"]["cardData"]["cardParamMap"]["decided"]
