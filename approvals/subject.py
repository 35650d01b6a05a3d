"""What approvals approves: its subject, named by settings.APPROVALS_SUBJECT_MODEL (as Django
names the user by AUTH_USER_MODEL). Approvals reads nothing of it but what Subject declares,
properties and methods the subject's model offers for approvals (never its fields, which are
its app's own business); everything else a page shows of it comes from the app that owns it
(approvals.cards, approvals.links), and what a decision means for it goes out through
approvals.signals.
"""

from typing import Any, Protocol, runtime_checkable

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from reception.models import ReceptionGrade, Site, User


@runtime_checkable
class Subject(Protocol):
    """The subject's side of the contract.

    - ``pk``: its primary key. Steps point at it (``ApprovalStep.subject``); every decision
      locks its row first (select_for_update).
    - ``requested_by`` / ``requested_by_id``: the person who asked for it. Nobody approves
      their own request, nor decides it as a delegate or by escalation.
    - ``requested_by_person(user_id)`` (a classmethod): the subjects that person asked for, as
      a queryset, so that approvals can leave them out of a query.
    - ``grade``: the reception grade that applies, or None. A round copies that grade's
      approval chain, and the grading step starts from it.
    - ``approval_site``: the reception site it is for, or None. A site may have its own
      approval chain for a grade; without one the group's applies.
    - ``short_name``: what messages and cards call it (a reference).
    - ``str(subject)``: its one-line name (the admin, a card without the app's templates).
    """

    pk: Any

    @property
    def requested_by_id(self) -> int: ...

    @property
    def requested_by(self) -> User: ...

    @property
    def grade(self) -> ReceptionGrade | None: ...

    @property
    def approval_site(self) -> Site | None: ...

    @property
    def short_name(self) -> str: ...

    @classmethod
    def requested_by_person(cls, user_id: int) -> QuerySet[Any, Any]: ...


def get_subject_model() -> Any:
    """The model settings.APPROVALS_SUBJECT_MODEL names (like get_user_model)."""
    try:
        return apps.get_model(settings.APPROVALS_SUBJECT_MODEL, require_ready=False)
    except ValueError as exc:
        raise ImproperlyConfigured(
            "APPROVALS_SUBJECT_MODEL must be of the form 'app_label.model_name'"
        ) from exc
    except LookupError as exc:
        raise ImproperlyConfigured(
            f"APPROVALS_SUBJECT_MODEL refers to model {settings.APPROVALS_SUBJECT_MODEL!r} "
            "that has not been installed"
        ) from exc


def requested_by(user_id: int) -> QuerySet[Any, Any]:
    """The subjects this person asked for (to leave out of a query: subject__in=…)."""
    subjects: QuerySet[Any, Any] = get_subject_model().requested_by_person(user_id)
    return subjects
