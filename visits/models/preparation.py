"""Preparation: the division of labour as task templates (policy), and each visit's tasks."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from reception.models import Bilingual, ClientCategory, Department, ReceptionGrade

from .requests import ArrivalMode, Purpose, Service, VisitRequest


class QuantityHint(models.TextChoices):
    NONE = "", _("None")
    SEATS = "seats", _("Seats (visitors and company staff at table)")
    VISITORS = "visitors", _("Number of visitors")
    MEALS = "meals", _("Meal places")
    ROOMS = "rooms", _("Room nights")


class StandardHint(models.TextChoices):
    NONE = "", _("None")
    CAR = "car", _("Car class")
    HOTEL = "hotel", _("Hotel class")
    MEAL = "meal", _("Meal standard")


# The visit fields each hint reads: a change to one of them means "re-check".
HINT_FIELDS = {
    QuantityHint.SEATS: {"headcount", "meal_staff"},
    QuantityHint.VISITORS: {"headcount", "visitors"},
    QuantityHint.MEALS: {"meals", "headcount", "meal_staff"},
    QuantityHint.ROOMS: {"rooms", "nights"},
    StandardHint.CAR: {"proposed_grade"},
    StandardHint.HOTEL: {"proposed_grade"},
    StandardHint.MEAL: {"proposed_grade"},
}
# Every task depends on when the guests come and go.
TIME_FIELDS = {"arrival_at", "departure_at"}


class GuestCondition(models.TextChoices):
    COMMERCIAL = "commercial", _("Commercial guests only")
    NON_COMMERCIAL = "non_commercial", _("Non-commercial guests only")


class PrepTaskTemplate(Bilingual, models.Model):
    """One line of the division of labour: which department prepares what, and when.

    Conditions left empty match every visit; several values match any of them.
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("title"), max_length=200)
    name_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    grades = models.ManyToManyField(
        ReceptionGrade,
        verbose_name=_("only for grades"),
        blank=True,
        related_name="+",
        help_text=_("Empty: every grade."),
    )
    purposes = models.JSONField(
        _("only for purposes"), default=list, blank=True, help_text=_("Empty: any purpose.")
    )
    client_categories = models.JSONField(
        _("only for client categories"),
        default=list,
        blank=True,
        help_text=_("Empty: any category."),
    )
    services = models.JSONField(
        _("only when these services are wanted"),
        default=list,
        blank=True,
        help_text=_("Empty: whatever services are wanted."),
    )
    arrival_modes = models.JSONField(
        _("only for arrival modes"), default=list, blank=True, help_text=_("Empty: any.")
    )
    needs_meals = models.BooleanField(_("only when meals are wanted"), default=False)
    needs_rooms = models.BooleanField(_("only when rooms are wanted"), default=False)
    guests = models.CharField(
        _("only for guests who are"),
        max_length=20,
        choices=GuestCondition.choices,
        blank=True,
        help_text=_("Empty: every visit. Quotations, for instance, only for commercial guests."),
    )
    due_working_days = models.PositiveSmallIntegerField(
        _("due (working days before arrival)"),
        default=1,
        help_text=_("0: on the day of arrival."),
    )
    quantity_hint = models.CharField(
        _("quantity hint"), max_length=20, choices=QuantityHint.choices, blank=True
    )
    standard_hint = models.CharField(
        _("standard hint"), max_length=20, choices=StandardHint.choices, blank=True
    )
    assign_to_applicant = models.BooleanField(
        _("assign to the applicant"),
        default=False,
        help_text=_("For tasks the sales lead or project engineer does personally."),
    )
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords(m2m_fields=[grades])

    class Meta:
        verbose_name = _("preparation task template")
        verbose_name_plural = _("preparation task templates")
        ordering = ["department__code", "code"]

    def __str__(self) -> str:
        return self.label

    def matches(self, visit: VisitRequest, grade_ids: set[int]) -> bool:
        """grade_ids: this template's grades (prefetched by the caller)."""
        if grade_ids and (visit.grade is None or visit.grade.pk not in grade_ids):
            return False
        if self.purposes and not set(self.purposes) & set(visit.purposes):
            return False
        if self.client_categories and (
            visit.client is None or visit.client.category not in self.client_categories
        ):
            return False
        if self.services and not set(self.services) & set(visit.services):
            return False
        if self.arrival_modes and visit.arrival_mode not in self.arrival_modes:
            return False
        if self.guests and (self.guests == GuestCondition.COMMERCIAL) != visit.is_commercial:
            return False
        if self.needs_meals and not visit.meals:
            return False
        return not (self.needs_rooms and not visit.rooms)

    @property
    def watched_fields(self) -> set[str]:
        fields = set(TIME_FIELDS)
        for hint in (self.quantity_hint, self.standard_hint):
            fields |= HINT_FIELDS.get(hint, set())
        return fields


CONDITION_CHOICES = {
    "purposes": Purpose,
    "client_categories": ClientCategory,
    "services": Service,
    "arrival_modes": ArrivalMode,
}


class PrepStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class PrepTask(Bilingual, models.Model):
    visit = models.ForeignKey(
        VisitRequest, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="prep_tasks"
    )
    template = models.ForeignKey(
        PrepTaskTemplate,
        verbose_name=_("template"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="tasks"
    )
    name = models.CharField(_("title"), max_length=200)
    name_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    due_date = models.DateField(_("due"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="prep_tasks",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=PrepStatus.choices, default=PrepStatus.OPEN
    )
    needs_recheck = models.BooleanField(_("changed — re-check"), default=False)
    recheck_fields = models.JSONField(_("what changed"), default=list, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("preparation task")
        verbose_name_plural = _("preparation tasks")
        ordering = ["due_date", "department__code", "pk"]
        permissions = [("assign_preptask", _("Can assign preparation tasks to members"))]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "template"],
                condition=models.Q(template__isnull=False),
                name="one_task_per_template_per_visit",
            )
        ]
        indexes = [models.Index(fields=["department", "status", "due_date"])]

    def __str__(self) -> str:
        return self.label

    @property
    def is_open(self) -> bool:
        return self.status == PrepStatus.OPEN

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date < timezone.localdate()
