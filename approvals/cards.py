"""How approvals' pages show what they approve. Approvals reads its subject only through
approvals.subject.Subject; what a page shows of it beyond that (the facts on a decision card,
the queue's filters and order) is given by the app that owns the subject, which registers its
SubjectScreens once, in its AppConfig.ready(), as it connects to approvals.signals.

Without a registration the pages show the subject's reference and name, unfiltered."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import django_filters
from django.db.models import QuerySet

from .filters import QueueFilter


def _as_is(steps: QuerySet) -> QuerySet:
    return steps


def _nothing(subjects: list, user) -> None:
    return None


def _no_keys(subjects: list, user) -> dict:
    return {}


@dataclass(frozen=True)
class SubjectScreens:
    # A decision card: a template extending "approvals/_step_card.html" that fills its
    # blocks subject_head, subject_facts and subject_now (context: step, subject, done…).
    card: str = "approvals/_step_card.html"
    # The subject in one line (the oversight page, the bulk confirmation); context: subject.
    line: str = "approvals/_subject_line.html"
    # The queue's filters: a QueueFilter (a FilterSet on ApprovalStep) with the subject's own.
    filterset: type[django_filters.FilterSet] = QueueFilter
    # The queue's joins and order, given queue_for(user).
    queue: Callable[[QuerySet], QuerySet] = _as_is
    # The joins a list of one-line subjects needs (oversight, bulk confirmation, a decided
    # card swapped in).
    lines: Callable[[QuerySet], QuerySet] = _as_is
    # prepare(subjects, user): reads for a whole page of cards at once what they show.
    prepare: Callable[[list, object], None] = _nothing
    # keys(subjects, user): {subject pk: a string that changes whenever what a card shows of
    # the subject changes}, read more cheaply than prepare: the queue keeps each card rendered
    # under it and prepares only the others. Without it every card is rendered each time.
    keys: Callable[[list, object], dict] = _no_keys


_registered: list[SubjectScreens] = []


def register(screens: SubjectScreens) -> None:
    """The subject's app says how its subject is shown; the last registration counts."""
    _registered[:] = [screens]


def screens() -> SubjectScreens:
    return _registered[0] if _registered else SubjectScreens()


def prepare(subjects: Iterable, user) -> None:
    subjects = list(subjects)
    if subjects:
        screens().prepare(subjects, user)


def keys(subjects: Iterable, user) -> dict:
    subjects = list(subjects)
    return screens().keys(subjects, user) if subjects else {}
