"""Preparation: the division of labour as task templates (policy), and each visit's tasks."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from reception.models import Bilingual, ClientCategory, Department, ReceptionGrade, Site

from .requests import ArrivalMode, GuestKind, Purpose, Service, VisitRequest


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
HINT_FIELDS: dict[str, set[str]] = {
    QuantityHint.SEATS: {"headcount", "meal_staff"},
    QuantityHint.VISITORS: {"headcount", "visitors"},
    QuantityHint.MEALS: {"meals", "headcount", "meal_staff"},
    QuantityHint.ROOMS: {"rooms", "nights", "headcount"},
    StandardHint.CAR: {"proposed_grade", "final_grade"},
    StandardHint.HOTEL: {"proposed_grade", "final_grade"},
    StandardHint.MEAL: {"proposed_grade", "final_grade"},
}
# When the guests come and go: a change moves every task's due date, and flags for re-check
# only the tasks whose content depends on it (PrepTaskTemplate.time_watch).
TIME_FIELDS = {"arrival_at", "departure_at"}


class TimeWatch(models.TextChoices):
    """Which change of the arrival or departure makes a task need re-checking."""

    NONE = "none", _("Never (only its due date moves)")
    DATE = "date", _("When the day changes (e.g. the hotel)")
    TIME = "time", _("When the time changes at all (e.g. pick-up, meals)")


class AssignTo(models.TextChoices):
    """Who holds a generated task by name, read from the visit; nobody: the department. A
    task whose holder the visit does not name stays with its department, unassigned (never
    with the applicant instead)."""

    NOBODY = "", _("Nobody: the department")
    APPLICANT = "applicant", _("The applicant (whoever filed the request)")
    SALES_LEAD = "sales_lead", _("The project marketing lead the request names")
    PROJECT_ENGINEER = "project_engineer", _("The project engineer the request names")
    MAIN_HOST = "main_host", _("The main host")
    RECEPTIONIST = "receptionist", _("The customer receptionist")


def _day(value) -> str:
    """The day of a stored time ("2026-05-01 09:30")."""
    return str(value or "")[:10]


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
    guest_kinds = models.JSONField(
        _("only for kinds of guest"),
        default=list,
        blank=True,
        help_text=_(
            "Empty: every kind. Quotations, for instance, only for customers, suppliers and "
            "partners (seed 001 十.2: the office receives the others)."
        ),
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
    assign_to = models.CharField(
        _("assign to"),
        max_length=20,
        choices=AssignTo.choices,
        blank=True,
        help_text=_("For tasks a person of the visit does personally; they see it in “My tasks”."),
    )
    time_watch = models.CharField(
        _("re-check when the arrival or departure moves"),
        max_length=10,
        choices=TimeWatch.choices,
        default=TimeWatch.TIME,
        help_text=_(
            "A new arrival or departure always moves the due date; this says when the task "
            "itself must be checked again."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    # A site's own template: it applies at that site only, and stands in there for the group
    # template it replaces. Empty: the group's, for every site.
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: the group's template, for every site."),
    )
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("replaces at its site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"site__isnull": True},
        help_text=_("The group's template this site's template stands in for at its site."),
    )

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
        if self.guest_kinds and visit.guest_kind not in self.guest_kinds:
            return False
        if self.needs_meals and not visit.meals:
            return False
        return not (self.needs_rooms and not visit.rooms)

    def holder(self, visit: VisitRequest):
        """The person of the visit who holds this template's task by name, or None."""
        return getattr(visit, self.assign_to) if self.assign_to else None

    @property
    def watched_fields(self) -> set[str]:
        """The visit fields whose change flags this task; the time fields only if it watches
        the time (a change of day alone is judged by `affected_by`)."""
        fields = set(TIME_FIELDS) if self.time_watch == TimeWatch.TIME else set()
        for hint in (self.quantity_hint, self.standard_hint):
            fields |= HINT_FIELDS.get(hint, set())
        return fields

    def affected_by(self, changes: list[dict]) -> list[dict]:
        """The changes ({field, old, new}) this task must be re-checked for."""
        watched = self.watched_fields
        by_day = self.time_watch == TimeWatch.DATE
        return [
            change
            for change in changes
            if change["field"] in watched
            or (
                by_day
                and change["field"] in TIME_FIELDS
                and _day(change["old"]) != _day(change["new"])
            )
        ]


CONDITION_CHOICES = {
    "guest_kinds": GuestKind,
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
    recheck_changes = models.JSONField(
        _("changes to re-check"),
        default=list,
        blank=True,
        help_text=_("Each watched field that changed: its value before and after."),
    )
    urgent = models.BooleanField(
        _("urgent"),
        default=False,
        help_text=_("Its normal due date had already passed when the task was given."),
    )
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
        indexes = [
            models.Index(fields=["department", "status", "due_date"]),
            # "the tasks this person holds, by visit": who may open a visit asks it for every
            # list page (visits.selectors._build_scope), and PostgreSQL answers it as one set
            # read from this index alone. Without it, it read the person's tasks from the
            # table: 59 of the receptionist's list's 65 ms of SQL at 100,000 visits (22,000
            # tasks held over five years), 6 ms with it (measured 2026-12-07).
            models.Index(fields=["assignee", "visit"], name="preptask_assignee_visit_idx"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_open(self) -> bool:
        return self.status == PrepStatus.OPEN

    @property
    def is_overdue(self) -> bool:
        return self.past_due(self.status, self.due_date)

    @staticmethod
    def past_due(status: str, due_date) -> bool:
        """Open after its due date: is_overdue, for a task read as values."""
        return status == PrepStatus.OPEN and due_date < timezone.localdate()
