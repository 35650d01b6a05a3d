"""Expense lines after a visit, each compared with the grade's standard (seed 001 九); a line
over the standard needs a justification and the decision of the grade's approver.

The approver is a holder of the role (or the named person) of the grade's approving step: in
the grade's approval chain, the step after the one that fixes the grade (the last step when
the chain has only one)."""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reception.models import ReceptionStandard, User
from reception.notifications.messages import Msg
from reception.organisation.selectors import users_with_role

from ..models import (
    EventKind,
    ExpenseApprovalState,
    ExpenseCategory,
    ExpenseLine,
    VisitEvent,
    VisitRequest,
)
from ..permissions import approving_step
from . import notifications
from .estimate import estimate, grade_standard, unit_price
from .lifecycle import VisitError, lock

CENT = Decimal("0.01")


def allowed_amount(
    standard: ReceptionStandard | None, category: str, quantity: int, people: int | None
) -> Decimal | None:
    """The most the standard allows for one line: a meal per person at the table, the other
    categories per bottle, pack, room-night or trip."""
    price = unit_price(standard, category)
    if price is None:
        return None
    units = (people or 0) if category == ExpenseCategory.MEAL else quantity
    return (price * units).quantize(CENT)


def expense_approvers(visit: VisitRequest) -> list[User]:
    step = approving_step(visit)
    if step is None:
        return []
    if step.user is not None:
        return [step.user]
    return list(users_with_role(step.role.name)) if step.role is not None else []


def record_expense(*, visit: VisitRequest, by: User, data: dict[str, Any]) -> ExpenseLine:
    """Add one expense line; over the standard it waits for the grade's approver."""
    with transaction.atomic():
        visit = lock(visit)
        if not by.has_perm("visits.record_expenses", visit):
            raise VisitError(
                _("The customer receptionist or the office enters expenses once the visit is over.")
            )
        category = data["category"]
        quantity = data.get("quantity") or 1
        people = data.get("people")
        if category == ExpenseCategory.MEAL and not people:
            raise VisitError(_("Say how many people were at the meal."))
        standard = allowed_amount(grade_standard(visit), category, quantity, people)
        over = standard is not None and data["amount"] > standard
        justification = (data.get("justification") or "").strip()
        if over and not justification:
            raise VisitError(
                _("¥%(amount)s is over the standard of ¥%(standard)s: give a justification.")
                % {"amount": data["amount"], "standard": standard}
            )
        line = ExpenseLine.objects.create(
            visit=visit,
            category=category,
            occasion=(data.get("occasion") or "").strip(),
            quantity=quantity,
            people=people,
            amount=data["amount"],
            standard_amount=standard,
            over_standard=over,
            note=(data.get("note") or "").strip(),
            justification=justification,
            approval_state=(
                ExpenseApprovalState.PENDING if over else ExpenseApprovalState.NOT_NEEDED
            ),
            entered_by=by,
        )
        if over:
            VisitEvent.objects.create(
                visit=visit,
                actor=by,
                kind=EventKind.EXPENSE_OVER_STANDARD,
                message=Msg(
                    _("%(category)s ¥%(amount)s > ¥%(standard)s"),
                    category=ExpenseCategory(category).label,
                    amount=str(line.amount),
                    standard=str(standard),
                ).to_json(),
                comment=justification,
            )
            approvers = expense_approvers(visit)
            notifications.expense_waiting(line, approvers)
    return line


def decide_expense(*, line: ExpenseLine, by: User, approve: bool, note: str = "") -> ExpenseLine:
    """The grade's approver approves or rejects a line over the standard."""
    with transaction.atomic():
        visit = lock(line.visit)
        line = ExpenseLine.objects.select_for_update().get(pk=line.pk)
        if line.approval_state != ExpenseApprovalState.PENDING:
            raise VisitError(_("This expense line is not waiting for a decision."))
        if not by.has_perm("visits.approve_expense", visit):
            raise VisitError(
                _("The approver of the visit's grade decides expenses over the standard.")
            )
        line.approval_state = (
            ExpenseApprovalState.APPROVED if approve else ExpenseApprovalState.REJECTED
        )
        line.decided_by = by
        line.decided_at = timezone.now()
        line.decision_note = note.strip()
        line.save(update_fields=["approval_state", "decided_by", "decided_at", "decision_note"])
        VisitEvent.objects.create(
            visit=visit,
            actor=by,
            kind=EventKind.EXPENSE_DECIDED,
            message=Msg(
                _("%(category)s ¥%(amount)s: %(decision)s"),
                category=ExpenseCategory(line.category).label,
                amount=str(line.amount),
                decision=ExpenseApprovalState(line.approval_state).label,
            ).to_json(),
            comment=line.decision_note,
        )
        notifications.expense_decided(line)
    return line


def spending_table(visit: VisitRequest) -> list[dict[str, Any]]:
    """Per category: the estimate, the actual spend and what the standard allows for it."""
    planned = estimate(visit).by_category()
    actual = {
        row["category"]: row
        for row in visit.expense_lines.values("category").annotate(
            actual=Sum("amount"), standard=Sum("standard_amount")
        )
    }
    rows = []
    for category in ExpenseCategory:
        row = actual.get(category.value, {})
        if category.value not in planned and not row:
            continue
        rows.append(
            {
                "category": category,
                "estimate": planned.get(category.value),
                "actual": row.get("actual"),
                "standard": row.get("standard"),
            }
        )
    return rows
