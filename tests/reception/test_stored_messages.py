"""Texts the system writes are stored as a message key with parameters and shown in the
reader's language: notifications on the bell page and the home page, whatever language they
were written in; stored messages survive renamed msgids and damage."""

import json
import logging

import pytest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, override

from reception.models import Notification, ReceptionGrade
from reception.notifications.messages import Lines, Msg, render_stored
from reception.notifications.notify import notify
from visits.models import VisitStatus

pytestmark = pytest.mark.django_db


def stored(message) -> dict:
    """The message as it comes back from a JSON column."""
    return json.loads(json.dumps(message.to_json()))


def test_a_stored_message_renders_in_each_language():
    data = stored(Msg(_("The grade changed.")))
    assert data["msgid"] == "The grade changed."
    assert render_stored(data, language="en") == "The grade changed."
    assert render_stored(data, language="zh-hans") == "接待等级已变更。"


def test_data_parameters_stay_as_written_and_labels_follow_the_reader():
    data = stored(
        Msg(_("Filed late: %(reason)s"), reason=Msg("%(s)s", s=VisitStatus.APPROVED.label))
    )
    assert render_stored(data, language="en") == "Filed late: Approved"
    assert render_stored(data, language="zh-hans") == "迟报原因：已批准"
    typed = stored(Msg(_("Filed late: %(reason)s"), reason="客户临时通知"))
    assert typed["params"] == {"reason": "客户临时通知"}
    assert render_stored(typed, language="en") == "Filed late: 客户临时通知"


def test_bilingual_data_is_kept_in_every_language_when_written(four_tier):
    grade = four_tier["vip"]
    data = stored(Msg(_("Filed late: %(reason)s"), reason=lambda: grade.label))
    with override("en"):
        english = grade.label
    with override("zh-hans"):
        chinese = grade.label
    ReceptionGrade.objects.filter(pk=grade.pk).update(name_en="Renamed later")
    assert render_stored(data, language="en") == f"Filed late: {english}"
    assert render_stored(data, language="zh-hans") == f"迟报原因：{chinese}"


def test_plural_messages_choose_their_form_when_shown():
    data = stored(Msg(ngettext_lazy("%(count)s visitor.", "%(count)s visitors.", "count"), count=1))
    assert (data["plural"], data["count"]) == ("%(count)s visitors.", "count")
    assert render_stored(data, language="en") == "1 visitor."
    data["params"]["count"] = 3
    assert render_stored(data, language="en") == "3 visitors."


def test_lines_are_stored_line_by_line():
    data = stored(Lines([Msg(_("The grade changed.")), "王强"]))
    assert render_stored(data, language="en") == "The grade changed.\n王强"
    assert render_stored(data, language="zh-hans") == "接待等级已变更。\n王强"


def test_a_msgid_the_catalogue_no_longer_knows_still_renders():
    data = {"msgid": "The %(what)s was renamed in a later release", "params": {"what": "text"}}
    assert render_stored(data, language="zh-hans") == "The text was renamed in a later release"


def test_a_malformed_stored_message_shows_its_stored_text_and_is_logged(caplog):
    broken = {"msgid": "%(missing)s and %(other)s", "params": {"other": 1}, "text": "原文"}
    with caplog.at_level(logging.ERROR, logger="reception.notifications.messages"):
        assert render_stored(broken, language="en") == "原文"
    assert "Cannot render the stored message" in caplog.text
    assert render_stored({"params": []}, fallback="旧文本") == "旧文本"
    assert render_stored({"msgid": "x", "params": {"p": {"odd": 1}}}, fallback="旧") == "旧"


def test_notifications_keep_the_message_and_the_recipients_text(sales):
    sales.language = "zh-hans"
    sales.save()
    (note,) = notify([sales], kind="test", title=Msg(_("The grade changed.")))
    note.refresh_from_db()
    assert note.title == "接待等级已变更。"  # emails, search and the admin read the text
    assert note.title_message["msgid"] == "The grade changed."


def test_a_notification_written_in_chinese_reads_in_english_on_the_english_bell_page(sales, login):
    sales.language = "zh-hans"
    sales.save()
    notify(
        [sales],
        kind="test",
        title=Msg(_("The grade changed.")),
        body=Msg(_("Filed late: %(reason)s"), reason="客户临时通知"),
    )
    sales.language = "en"
    sales.save()
    page = login(sales).get(reverse("notifications")).content.decode()
    assert "The grade changed." in page and "Filed late: 客户临时通知" in page
    assert "接待等级已变更" not in page
    home = login(sales).get(reverse("home")).content.decode()
    assert "The grade changed." in home and "接待等级已变更" not in home


def test_a_notification_written_in_english_reads_in_chinese_on_the_chinese_bell_page(sales, login):
    sales.language = "en"
    sales.save()
    notify([sales], kind="test", title=Msg(_("The grade changed.")))
    sales.language = "zh-hans"
    sales.save()
    page = login(sales).get(reverse("notifications")).content.decode()
    assert "接待等级已变更。" in page and "The grade changed." not in page


def test_a_notification_from_before_messages_shows_its_text(sales, login):
    Notification.objects.create(recipient=sales, kind="old", title="旧通知", body="旧的正文")
    sales.language = "en"
    sales.save()
    page = login(sales).get(reverse("notifications")).content.decode()
    assert "旧通知" in page and "旧的正文" in page
