"""What a reception cost: expense lines after the visit, compared with the grade's standard
(seed 001 九), and the approval a line over the standard needs."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .requests import VisitRequest


class ExpenseCategory(models.TextChoices):
    MEAL = "meal", _("Meal")
    WINE = "wine", _("Wine")
    CIGARETTES = "cigarettes", _("Cigarettes")
    HOTEL = "hotel", _("Hotel")
    CAR = "car", _("Car")
    GIFTS = "gifts", _("Gifts")
    ACTIVITIES = "activities", _("Activities")
    OTHER = "other", _("Other")


class ExpenseApprovalState(models.TextChoices):
    NOT_NEEDED = "not_needed", _("Within the standard")
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ExpenseLine(models.Model):
    """One thing paid for a visit: a meal (one occasion, its number of people), wine by the
    bottle, cigarettes by the pack, hotel by the room-night, a car trip, gifts, activities."""

    visit = models.ForeignKey(
        VisitRequest,
        verbose_name=_("visit"),
        on_delete=models.CASCADE,
        related_name="expense_lines",
    )
    category = models.CharField(_("category"), max_length=20, choices=ExpenseCategory.choices)
    occasion = models.CharField(
        _("occasion"), max_length=200, blank=True, help_text=_("e.g. the welcome dinner")
    )
    quantity = models.PositiveSmallIntegerField(
        _("quantity"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("Bottles, packs, room-nights or trips; 1 for a meal."),
    )
    people = models.PositiveSmallIntegerField(
        _("people at the table"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
    )
    amount = models.DecimalField(
        _("amount (CNY)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    standard_amount = models.DecimalField(
        _("standard allows (CNY)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    over_standard = models.BooleanField(_("over the standard"), default=False)
    note = models.CharField(_("note"), max_length=500, blank=True)
    justification = models.TextField(
        _("justification"),
        max_length=2000,
        blank=True,
        help_text=_("Required when the line is over the grade's standard."),
    )
    approval_state = models.CharField(
        _("approval"),
        max_length=20,
        choices=ExpenseApprovalState.choices,
        default=ExpenseApprovalState.NOT_NEEDED,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("expense line")
        verbose_name_plural = _("expense lines")
        ordering = ["visit", "category", "entered_at"]
        indexes = [models.Index(fields=["approval_state"])]

    def __str__(self) -> str:
        return f"{self.get_category_display()} ¥{self.amount}"
