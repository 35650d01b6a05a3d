"""The sweep sends everything due, a batch at a time: no cap leaves due reminders for later
beats, a spent time budget stops it between batches, a sweep that died leaves nothing lost, a
batch that failed is retried later while the others stay sent, and a visit's sheet goes to
many recipients rendered once per variant."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from reception.accounts.roles import Role
from tests.factories import (
    approve_fully,
    file_visit,
    moment,
    sixteen_reminders_due,
    t_minus,
    user_with,
)
from visits.models import Reminder, ReminderKind, ReminderRule, ReminderStatus
from visits.reminders import content, delivery, sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def sixteen_due(four_tier, sales, staff):
    """Four approved visits whose T−2 reminders (the receptionist's sheet, three office
    members' task lists) are due: sixteen reminders, and the moment they are."""
    return sixteen_reminders_due(sales, four_tier["routine"])


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(delivery, "BATCH_SIZE", 5)


@pytest.fixture
def no_pdf(monkeypatch):
    """A stand-in for the visitor information sheet (WeasyPrint is slow and tested elsewhere)."""
    monkeypatch.setattr(
        content,
        "visitor_information_attachment",
        lambda *, visit, language, reader=None: ("sheet.pdf", b"%PDF stub", "application/pdf"),
    )


def each_sent_once():
    rows = Reminder.objects.all()
    assert rows.exclude(status=ReminderStatus.SENT).count() == 0
    assert set(rows.values_list("attempts", flat=True)) == {1}
    assert len(mail.outbox) == rows.count()
    assert len({(m.to[0], m.subject) for m in mail.outbox}) == rows.count()


def test_one_sweep_sends_every_due_reminder_however_many_batches_they_take(
    sixteen_due, small_batches, no_pdf
):
    report = sweep(now=sixteen_due)

    assert Reminder.objects.count() == 16
    assert report.reminders["sent"] == 16
    each_sent_once()


def test_a_spent_budget_stops_the_sweep_between_batches_and_the_next_sends_the_rest(
    sixteen_due, small_batches, no_pdf, settings
):
    settings.REMINDER_SWEEP_BUDGET_SECONDS = 0

    first = sweep(now=sixteen_due)

    assert first.reminders["sent"] == 5  # one whole batch, then the budget was spent
    assert Reminder.objects.filter(status=ReminderStatus.PENDING).count() == 11
    assert not Reminder.objects.filter(status=ReminderStatus.SENDING).exists()
    settings.REMINDER_SWEEP_BUDGET_SECONDS = 240
    second = sweep(now=sixteen_due + timedelta(minutes=5))

    assert second.reminders["sent"] == 11
    each_sent_once()


def test_reminders_of_a_sweep_that_died_go_out_once_its_claim_has_run_out(
    sixteen_due, small_batches, no_pdf
):
    """The claim lasts REMINDER_CLAIM_SECONDS (2 minutes), not the 15 of a retry delay: a killed
    worker delays its batch by minutes, and each email keeps its Message-ID."""
    from visits.reminders.planning import plan_due_reminders

    plan_due_reminders(now=sixteen_due)
    claimed = delivery._claim_ids(sixteen_due, 5, None)  # ...and the worker died
    sweep(now=sixteen_due + timedelta(minutes=1))

    stranded = Reminder.objects.filter(pk__in=claimed)
    assert set(stranded.values_list("status", flat=True)) == {ReminderStatus.SENDING}
    assert len(mail.outbox) == 11
    sweep(now=sixteen_due + timedelta(minutes=5))  # the next sweep: the claim ran out
    assert set(stranded.values_list("status", flat=True)) == {ReminderStatus.SENT}
    assert set(stranded.values_list("attempts", flat=True)) == {2}
    assert len(mail.outbox) == 16
    assert len({(m.to[0], m.subject) for m in mail.outbox}) == 16
    ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert len(set(ids)) == 16
    assert {f"<jiedai.reminder.{pk}@" for pk in claimed} <= {i.split("@")[0] + "@" for i in ids}


def test_a_slow_batch_renews_its_claim_so_a_parallel_sweep_leaves_it_alone(
    sixteen_due, small_batches, no_pdf, settings, monkeypatch
):
    from visits.reminders.planning import plan_due_reminders

    settings.REMINDER_CLAIM_SECONDS = 0.3
    plan_due_reminders(now=sixteen_due)
    renewals = []
    real = delivery._renew
    monkeypatch.setattr(delivery, "_renew", lambda ids, now: renewals.append(now) or real(ids, now))
    real_send = delivery._send

    def slow(reminder, now):
        time.sleep(0.15)
        return real_send(reminder, now)

    monkeypatch.setattr(delivery, "_send", slow)
    delivery.send_due_reminders(now=sixteen_due, batch_size=5, budget=0)
    assert renewals and all(at > sixteen_due for at in renewals)


def test_a_sweep_over_two_batches_and_a_half_sends_them_all(sixteen_due, no_pdf, monkeypatch):
    monkeypatch.setattr(delivery, "BATCH_SIZE", 6)  # 6 + 6 + 4
    claims = []
    real = delivery._claim_ids
    monkeypatch.setattr(delivery, "_claim_ids", lambda *a: claims.append(real(*a)) or claims[-1])

    report = sweep(now=sixteen_due)

    assert [len(ids) for ids in claims] == [6, 6, 4, 0]
    assert report.reminders == {"sent": 16}
    each_sent_once()


def test_a_batch_that_fails_is_retried_later_and_the_others_stay_sent(
    sixteen_due, no_pdf, monkeypatch
):
    """The second batch fails as a whole (reading what it needs): the first stays sent, the
    third goes, the second is a failed attempt the sweep after the retry delay sends, once."""
    monkeypatch.setattr(delivery, "BATCH_SIZE", 6)
    batches = []
    real = delivery.read_ahead

    def second_fails(batch):
        batches.append([r.pk for r in batch])
        if len(batches) == 2:
            raise ConnectionError("the database went away for a moment")
        real(batch)

    monkeypatch.setattr(delivery, "read_ahead", second_fails)

    report = sweep(now=sixteen_due)

    first, second, third = batches
    assert report.reminders == {"sent": 10, "failed": 6}
    rows = Reminder.objects.all()
    assert set(rows.filter(pk__in=first + third).values_list("status", flat=True)) == {"sent"}
    failed = rows.filter(pk__in=second)
    assert set(failed.values_list("status", "error")) == {
        (ReminderStatus.FAILED, "the database went away for a moment")
    }
    assert len(mail.outbox) == 10
    # too early: nothing goes again before the retry delay
    assert sweep(now=sixteen_due + timedelta(minutes=5)).reminders == {}
    report = sweep(now=sixteen_due + timedelta(minutes=16))
    assert report.reminders == {"sent": 6}
    assert set(failed.values_list("status", "attempts")) == {(ReminderStatus.SENT, 2)}
    assert len(mail.outbox) == 16
    assert len({(m.to[0], m.subject) for m in mail.outbox}) == 16


def test_the_sheet_sent_to_many_recipients_is_rendered_once_per_language_and_phone_view(
    four_tier, sales, staff, monkeypatch
):
    receptionists = [staff.receptionist] + [
        user_with(Role.RECEPTIONIST, username=f"reception{n}") for n in range(3)
    ]
    hr = user_with(Role.HR, username="hr")  # sees no phone numbers
    for person, language in zip(
        [*receptionists, hr], ["zh-hans", "zh-hans", "zh-hans", "en", "zh-hans"], strict=True
    ):
        person.language = language
        person.save()
    rule = ReminderRule.objects.get(kind=ReminderKind.VISITOR_INFORMATION)
    rule.recipient_roles.add(Group.objects.get(name=Role.HR))
    renderings = []

    def render(*, visit, language, reader=None):
        sees = reader is not None and reader.has_perm("visits.see_phones", visit)
        renderings.append((visit.pk, language, sees))
        return ("sheet.pdf", f"{visit.pk} {language} {sees}".encode(), "application/pdf")

    monkeypatch.setattr(content, "visitor_information_attachment", render)
    visit = approve_fully(file_visit(sales, four_tier["routine"]))
    mail.outbox.clear()

    sweep(now=moment(t_minus(visit, 2), 8, 31))

    assert sorted(renderings) == [
        (visit.pk, "en", True),
        (visit.pk, "zh-hans", False),
        (visit.pk, "zh-hans", True),
    ]
    for person in [*receptionists, hr]:
        sees = person.has_perm("visits.see_phones", visit)
        (email,) = [m for m in mail.outbox if m.to == [person.email] and m.attachments]
        expected = f"{visit.pk} {person.preferred_language} {sees}".encode()
        assert email.attachments == [("sheet.pdf", expected, "application/pdf")]
