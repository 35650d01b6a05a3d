"""Visit requests (接待申请), their visitors and their timeline."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reception.models import Client, ClientContact, ReceptionGrade, Site, User, phone_validator
from reception.notifications.messages import from_json, render_stored

if TYPE_CHECKING:
    from .preparation import PrepTask


class VisitStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_APPROVAL = "in_approval", _("In approval")
    APPROVED = "approved", _("Approved")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")
    RETURNED = "returned", _("Returned")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


# The sets of statuses that the rules (visits/permissions.py), the pages and the services ask
# about, each defined here once. The applicant edits freely before submission and after a
# return; after approval every change is logged and announced; while approvers are deciding,
# the request is frozen.
SUBMITTABLE_STATUSES = frozenset({VisitStatus.DRAFT, VisitStatus.RETURNED})
ANNOUNCED_CHANGE_STATUSES = frozenset({VisitStatus.APPROVED, VisitStatus.IN_PROGRESS})
EDITABLE_STATUSES = SUBMITTABLE_STATUSES | ANNOUNCED_CHANGE_STATUSES
CANCELLABLE_STATUSES = frozenset(
    {
        VisitStatus.DRAFT,
        VisitStatus.SUBMITTED,
        VisitStatus.IN_APPROVAL,
        VisitStatus.RETURNED,
        VisitStatus.APPROVED,
    }
)
# The desk checks guests in to (and adds visitors at the desk to) these visits.
CHECK_IN_STATUSES = frozenset({VisitStatus.APPROVED, VisitStatus.IN_PROGRESS})
# The arrivals board: what the desk works on, and what it may still undo.
BOARD_STATUSES = CHECK_IN_STATUSES | {VisitStatus.COMPLETED}
# The receptionist arranges room, car and lobby text from the approval on.
ARRANGEABLE_STATUSES = BOARD_STATUSES | {VisitStatus.IN_APPROVAL}
# Visits whose preparation tasks are still worked on (taken, ticked, on the boards).
PREPARING_STATUSES = frozenset(
    {VisitStatus.IN_APPROVAL, VisitStatus.APPROVED, VisitStatus.IN_PROGRESS}
)
# The guests have left: completed (waiting for its summary) or closed.
LEFT_STATUSES = frozenset({VisitStatus.COMPLETED, VisitStatus.CLOSED})
TERMINAL_STATUSES = frozenset({VisitStatus.REJECTED, VisitStatus.CANCELLED, VisitStatus.CLOSED})


class Origin(models.TextChoices):
    INVITED = "invited", _("Invited by us")
    CUSTOMER_PROPOSED = "customer_proposed", _("Proposed by the customer")
    WALK_IN = "walk_in", _("Walk-in (unannounced)")


class GuestKind(models.TextChoices):
    COMMERCIAL = "commercial", _("Commercial customer")
    SUPPLIER = "supplier", _("Supplier")
    PARTNER = "partner", _("Partner")
    GOVERNMENT = "government", _("Government")
    ASSOCIATION = "association", _("Industry association")
    SCHOOL = "school", _("School")
    MEDIA = "media", _("Media")
    OTHER = "other", _("Other non-commercial organisation")

    @property
    def is_commercial(self) -> bool:
        return self in COMMERCIAL_GUESTS


# Guests that do business with the company; the others are non-commercial organisations,
# received by the office with the same standards (seed 001 十.2).
COMMERCIAL_GUESTS = (GuestKind.COMMERCIAL, GuestKind.SUPPLIER, GuestKind.PARTNER)
NON_COMMERCIAL_GUESTS = tuple(k for k in GuestKind if k not in COMMERCIAL_GUESTS)

# The most visitors one request (or one walk-in) may bring.
MAX_HEADCOUNT = 500


class Purpose(models.TextChoices):
    INSPECTION = "inspection", _("Inspection")
    TOUR = "tour", _("Tour")
    CONTRACT_SIGNING = "contract_signing", _("Contract signing")
    COOPERATION = "cooperation", pgettext_lazy("visit purpose", "Cooperation")
    DROP_BY = "drop_by", _("Drop-by")
    SIGHTSEEING = "sightseeing", _("Sightseeing")
    PRODUCT_AUDIT = "product_audit", _("Product audit")
    SYSTEM_AUDIT = "system_audit", _("System audit")
    TECHNICAL_DISCUSSION = "technical_discussion", _("Technical discussion")
    OTHER = "other", _("Other")


class Service(models.TextChoices):
    CAR = "car", _("Car pick-up and drop-off")
    GUIDED_TOUR = "guided_tour", _("Guided tour")
    FRUIT = "fruit", _("Fruit")
    WELCOME_BANNER = "welcome_banner", _("Electronic welcome banner")
    INVITE_LEADER = "invite_leader", _("Invite a leader to attend")
    OTHER = "other", _("Other service")


class ArrivalMode(models.TextChoices):
    AIRPORT = "airport", _("Airport")
    STATION = "station", _("Railway station")
    SELF_DRIVE = "self_drive", _("Driving themselves")
    OTHER = "other", _("Other")


# Arrivals the company picks up with a car (seed 001: 接站).
PICKED_UP = (ArrivalMode.AIRPORT, ArrivalMode.STATION)


class BoardStatus(models.TextChoices):
    """Where a visit's group is, on the arrivals board (computed, never stored)."""

    EXPECTED = "expected", _("Expected")
    ARRIVED = "arrived", _("Arrived (part of the group)")
    ON_SITE = "on_site", _("On site")
    LEFT = "left", _("Left")


# The request's own fields in the paper form's order: what the filing form shows (with the
# contacts and accompanying staff beside them), what services apply, and, with the
# receptionist, what the timeline tracks field by field. Defined here once.
FILED_FIELDS = [
    "client",
    "origin",
    "guest_kind",
    "purposes",
    "purpose_other",
    "reason",
    "proposed_grade",
    "site",
    "arrival_at",
    "departure_at",
    "arrival_mode",
    "arrival_point",
    "departure_point",
    "headcount",
    "services",
    "banner_text",
    "service_other",
    "meals",
    "meal_staff",
    "rooms",
    "nights",
    "wine_bottles",
    "cigarette_packs",
    "main_host",
    "sales_lead",
    "project_engineer",
    "meeting_room",
    "notes",
    "late_reason",
]


class VisitRequest(models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True, null=True)
    status = models.CharField(
        _("status"), max_length=20, choices=VisitStatus.choices, default=VisitStatus.DRAFT
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="visit_requests",
    )
    client = models.ForeignKey(
        Client,
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    contacts = models.ManyToManyField(
        ClientContact, verbose_name=_("client contacts"), blank=True, related_name="visits"
    )
    origin = models.CharField(
        _("origin"), max_length=20, choices=Origin.choices, default=Origin.INVITED
    )
    guest_kind = models.CharField(
        _("kind of guest"), max_length=20, choices=GuestKind.choices, default=GuestKind.COMMERCIAL
    )
    purposes = models.JSONField(_("purposes"), default=list, blank=True)
    purpose_other = models.CharField(_("other purpose"), max_length=200, blank=True)
    reason = models.TextField(_("reason for the visit"), max_length=2000, blank=True)
    proposed_grade = models.ForeignKey(
        ReceptionGrade,
        verbose_name=_("proposed grade"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    final_grade = models.ForeignKey(
        ReceptionGrade,
        verbose_name=_("final grade"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The plant or office the guests come to: its desk, gate and rooms receive them. Set on
    # filing (the applicant's home site, or the only one); the desk of another site never
    # sees the visit.
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="visits"
    )
    arrival_at = models.DateTimeField(_("arrival"), null=True, blank=True)
    departure_at = models.DateTimeField(_("departure"), null=True, blank=True)
    arrival_mode = models.CharField(
        _("arrival mode"), max_length=20, choices=ArrivalMode.choices, blank=True
    )
    arrival_point = models.CharField(
        _("arrival point"),
        max_length=200,
        blank=True,
        help_text=_("Airport, station, flight or train number, hotel…"),
    )
    departure_point = models.CharField(
        _("departure point"),
        max_length=200,
        blank=True,
        help_text=_("How they leave: airport or station, flight or train number, time…"),
    )
    headcount = models.PositiveSmallIntegerField(
        _("number of visitors"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HEADCOUNT)],
    )
    services = models.JSONField(_("services wanted"), default=list, blank=True)
    banner_text = models.CharField(
        _("welcome banner text"),
        max_length=200,
        blank=True,
        help_text=_("Shown on the lobby screen; empty: the policy's default welcome line."),
    )
    service_other = models.CharField(_("other service"), max_length=200, blank=True)
    meals = models.PositiveSmallIntegerField(
        _("meals"), default=0, validators=[MaxValueValidator(100)]
    )
    meal_staff = models.PositiveSmallIntegerField(
        _("company staff joining meals"), default=0, validators=[MaxValueValidator(100)]
    )
    rooms = models.PositiveSmallIntegerField(
        _("hotel rooms"), default=0, validators=[MaxValueValidator(200)]
    )
    nights = models.PositiveSmallIntegerField(
        _("nights"), default=0, validators=[MaxValueValidator(60)]
    )
    wine_bottles = models.PositiveSmallIntegerField(
        _("wine (bottles)"), default=0, validators=[MaxValueValidator(200)]
    )
    cigarette_packs = models.PositiveSmallIntegerField(
        _("cigarettes (packs)"), default=0, validators=[MaxValueValidator(200)]
    )
    main_host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("main host"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_visits",
    )
    accompanying_staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accompanying staff"),
        blank=True,
        related_name="accompanied_visits",
    )
    # The client's people (Client.account_owner, Client.project_engineer) by default: they
    # hold the tasks the division of labour gives the project marketing lead and the project
    # engineer (PrepTaskTemplate.assign_to).
    sales_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("project marketing lead"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_visits",
        help_text=_("项目营销负责人: keeps the guests informed and introduces them."),
    )
    project_engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("project engineer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="engineered_visits",
        help_text=_("项目工程师: prepares the technical side of a technical customer's visit."),
    )
    receptionist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer receptionist"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="received_visits",
    )
    meeting_room = models.CharField(_("meeting room"), max_length=100, blank=True)
    pickup_car = models.CharField(
        _("pick-up car"), max_length=100, blank=True, help_text=_("Model and plate number.")
    )
    pickup_driver = models.CharField(
        _("driver"), max_length=100, blank=True, help_text=_("Name and phone.")
    )
    banner_text_en = models.CharField(
        _("welcome banner text (English)"),
        max_length=200,
        blank=True,
        help_text=_("Shown under the Chinese line on the lobby screen; empty: the default line."),
    )
    notes = models.TextField(_("notes"), max_length=4000, blank=True)
    late = models.BooleanField(_("late"), default=False)
    late_reason = models.TextField(_("reason for filing late"), max_length=1000, blank=True)
    # A reason the system gave (a walk-in), as a message shown in the reader's language, while
    # `late_reason` still holds its text; once a person edits the reason, theirs is shown.
    late_reason_message = models.JSONField(
        _("reason for filing late, as a message"), null=True, blank=True
    )
    submission_token = models.UUIDField(
        _("filing form token"),
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("The one-time token of the form that filed it: a second click files nothing."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    anonymised_at = models.DateTimeField(
        _("personal data anonymised at"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("visit request")
        verbose_name_plural = _("visit requests")
        ordering = ["-arrival_at", "-pk"]
        permissions = [
            ("track_preparation", _("Can track every department's preparation")),
            ("view_arrivals", _("Can see the arrivals board")),
            ("check_in_visitors", _("Can check visitors in and out")),
            ("host_visitors", _("Can host visitors (be named by a walk-in)")),
            ("file_commercial", _("Can file visits of commercial customers")),
            ("view_reports", _("Can see the reports and export them")),
        ]
        indexes = [
            models.Index(fields=["status", "arrival_at"]),
            models.Index(fields=["arrival_at"]),
            # The visit list's order, and the receptionist's branch of visible_visits().
            models.Index(fields=["-arrival_at", "-id"], name="visit_list_order_idx"),
            # The board and the home page's arrivals: visits still on site (departing after
            # the day starts), where (status, arrival_at) walks every completed visit in history.
            models.Index(fields=["status", "departure_at"], name="visit_on_site_idx"),
            models.Index(
                fields=["id"],
                condition=models.Q(approved_at__isnull=False),
                name="visit_approved_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(departure_at__isnull=True)
                | models.Q(arrival_at__isnull=True)
                | models.Q(departure_at__gt=models.F("arrival_at")),
                name="visit_departure_after_arrival",
            )
        ]

    # Set by the code that reads them, not columns: the counts of attach_readiness() and
    # attach_board_tasks() (selectors.py; the latter the pick-up too) and a reminder batch's
    # open tasks (reminders/content.py). with_presence() annotates visitors_in, visitors_out
    # and visitors_total.
    tasks_done: int
    tasks_live: int
    tasks_overdue: int
    pickup_done: bool
    pickup_note: str
    _open_tasks: "list[PrepTask]"

    def __str__(self) -> str:
        client = self.client.label if self.client is not None else _("(no client yet)")
        return f"{self.reference or _('draft')} · {client}"

    @property
    def grade(self) -> ReceptionGrade | None:
        """The grade that applies: the final one once marketing has fixed it."""
        return self.final_grade or self.proposed_grade

    # ---- what approvals reads of the visit it approves (approvals.subject.Subject) ----------

    @property
    def requested_by_id(self) -> int:
        return self.applicant_id

    @property
    def requested_by(self) -> User:
        return self.applicant

    @property
    def short_name(self) -> str:
        return self.reference or str(_("draft"))

    @property
    def approval_site(self) -> Site:
        """The site whose approval chain applies (the group's where the site has none)."""
        return self.site

    @classmethod
    def requested_by_person(cls, user_id: int) -> QuerySet["VisitRequest"]:
        return cls.objects.filter(applicant_id=user_id)

    def _system_late_reason(self) -> dict | None:
        """The stored message of a late reason the system gave, unless a person has since
        edited the reason (then theirs stands)."""
        message = self.late_reason_message
        if isinstance(message, dict) and message.get("text") == self.late_reason:
            return message
        return None

    @property
    def shown_late_reason(self) -> str:
        """The late reason: the system's in the active language, a person's as typed."""
        message = self._system_late_reason()
        return render_stored(message, fallback=self.late_reason) if message else self.late_reason

    @property
    def late_reason_param(self):
        """The late reason as a parameter of a notification's Msg, so the system's reason is
        written in each recipient's language and a person's is kept as typed."""
        message = self._system_late_reason()
        if message:
            try:
                return from_json(message)
            except (KeyError, TypeError, ValueError):
                return self.late_reason
        return self.late_reason

    @property
    def is_commercial(self) -> bool:
        return self.guest_kind in COMMERCIAL_GUESTS

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def has_arrived(self) -> bool:
        return self.arrival_at is not None and self.arrival_at <= timezone.now()

    @property
    def readiness(self) -> int | None:
        """Done share of the live preparation tasks, from attach_readiness()."""
        live = getattr(self, "tasks_live", None)
        if not live:
            return None
        return round(100 * self.tasks_done / live)

    @property
    def board_status(self) -> "BoardStatus":
        """Where the group is, from with_presence()."""
        on_site, left = self.visitors_in, self.visitors_out  # type: ignore[attr-defined]
        if self.status == VisitStatus.COMPLETED or (left and not on_site):
            return BoardStatus.LEFT
        if not on_site:
            return BoardStatus.EXPECTED
        if on_site + left < self.visitors_total:  # type: ignore[attr-defined]
            return BoardStatus.ARRIVED
        return BoardStatus.ON_SITE

    def purpose_labels(self) -> list[str]:
        return [str(Purpose(p).label) for p in self.purposes if p in Purpose.values]

    def service_labels(self) -> list[str]:
        return [str(Service(s).label) for s in self.services if s in Service.values]

    def wants(self, service: str) -> bool:
        return service in self.services


# The key_salt of the ID numbers' HMAC: changing it (or SECRET_KEY) stops old hashes matching.
ID_NUMBER_HASH_SALT = "jiedai.visitor.id_number"


def mask_phone(value: str) -> str:
    """Show only the first 3 and last 4 digits of a phone number: 138****1234."""
    compact = "".join(value.split()).replace("-", "") if value else ""
    if not compact:
        return ""
    if len(compact) <= 7:
        return "*" * len(compact)
    return f"{compact[:3]}{'*' * (len(compact) - 7)}{compact[-4:]}"


def mask_id_number(value: str) -> str:
    """Show only the first 3 and last 4 characters of an identity number."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def normalise_id_number(value: str) -> str:
    return "".join((value or "").split()).upper()


def id_number_hash(value: str) -> str:
    """HMAC-SHA256 of the normalised number, keyed with SECRET_KEY: the same number gives the
    same hash (to match it), and without the key nobody can try the ~10^10 plausible numbers."""
    value = normalise_id_number(value)
    if not value:
        return ""
    return salted_hmac(ID_NUMBER_HASH_SALT, value, algorithm="sha256").hexdigest()


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident identity card")
    PASSPORT = "passport", _("Passport")
    HK_MACAO = "hk_macao", _("Mainland travel permit (Hong Kong, Macao)")
    TAIWAN = "taiwan", _("Mainland travel permit (Taiwan)")
    OTHER = "other", _("Other ID")


# A visitor on site: checked in and not checked out (the desk's lists, check-out, the index).
ON_SITE = models.Q(checked_in_at__isnull=False, checked_out_at__isnull=True)


class Visitor(models.Model):
    visit = models.ForeignKey(
        VisitRequest, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="visitors"
    )
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[phone_validator])
    # The ID number itself is never stored (PIPL): only its masked form, to show, and a keyed
    # hash, to match a number presented again. set_id_number() fills both.
    id_number_masked = models.CharField(
        _("ID number (masked)"), max_length=30, blank=True, editable=False
    )
    id_number_hash = models.CharField(
        _("ID number (keyed hash)"), max_length=64, blank=True, editable=False, db_index=True
    )
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    # What the guest fills in on the invitation page (the staff form may too).
    id_type = models.CharField(_("ID type"), max_length=20, choices=IdType.choices, blank=True)
    car_plate = models.CharField(_("car plate"), max_length=20, blank=True)
    arrival_mode = models.CharField(
        _("arrival mode"), max_length=20, choices=ArrivalMode.choices, blank=True
    )
    arrival_number = models.CharField(
        _("train or flight"), max_length=30, blank=True, help_text=_("G7012, MU5101…")
    )
    arrival_time = models.DateTimeField(_("arrival time"), null=True, blank=True)
    dietary = models.CharField(_("dietary needs"), max_length=200, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    added_at_desk = models.BooleanField(_("added at the desk"), default=False)

    class Meta:
        verbose_name = _("visitor")
        verbose_name_plural = _("visitors")
        ordering = ["visit", "pk"]
        indexes = [
            # The desk's "still checked in" list: a few rows among every visitor in history.
            models.Index(
                fields=["visit"],
                condition=ON_SITE,
                name="visitor_still_checked_in_idx",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def on_site(self) -> bool:
        """As ON_SITE, for a visitor already read."""
        return self.checked_in_at is not None and self.checked_out_at is None

    def set_id_number(self, value: str) -> None:
        """Keep the masked form and the keyed hash of `value`; an empty value clears both."""
        self.id_number_masked = mask_id_number(normalise_id_number(value))
        self.id_number_hash = id_number_hash(value)

    def has_id_number(self, value: str) -> bool:
        """Whether `value` is the ID number recorded for this visitor."""
        return bool(self.id_number_hash) and constant_time_compare(
            self.id_number_hash, id_number_hash(value)
        )


class EventKind(models.TextChoices):
    TRANSITION = "transition", _("Status change")
    CHANGE = "change", _("Details changed")
    NOTE = "note", _("Note")
    CHECK_IN = "check_in", _("Checked in")
    CHECK_OUT = "check_out", _("Checked out")
    CHECK_IN_UNDONE = "check_in_undone", _("Check-in undone")
    CHECK_OUT_UNDONE = "check_out_undone", _("Check-out undone")
    VISITOR_ADDED = "visitor_added", _("Visitor added at the desk")
    WALK_IN = "walk_in", _("Walk-in at the gate")
    CORRECTION = "correction", _("Corrected by an administrator")
    ANONYMISED = "anonymised", _("Personal data anonymised")
    APPROVED_AFTER_ARRIVAL = "approved_after_arrival", _("Approved after arrival")
    DECIDED_AFTER_ARRIVAL = "decided_after_arrival", _("Decided after arrival")
    SUMMARY = "summary", _("Work summary part")
    EXPENSE_OVER_STANDARD = "expense_over_standard", _("Expense over the standard")
    EXPENSE_DECIDED = "expense_decided", _("Expense over the standard decided")
    APPROVER_PASSED_OVER = "approver_passed_over", _("One decision per person")
    APPROVAL_ESCALATED = "approval_escalated", _("Approval step escalated")


class VisitEvent(models.Model):
    """One line of a visit's timeline (transitions, changes, notes), never edited.

    Approval decisions live on their ApprovalStep rows; the timeline page merges both.
    `changes` holds [{"field": name, "old": value, "new": value}, …] for CHANGE entries,
    and the visitors' names for CHECK_IN, CHECK_OUT, their *_UNDONE twins and VISITOR_ADDED
    entries.
    """

    visit = models.ForeignKey(
        VisitRequest, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=EventKind.choices)
    from_status = models.CharField(
        _("from"), max_length=20, choices=VisitStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=VisitStatus.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    # What the system said (reception/notifications/messages.py), shown in the reader's language;
    # `comment` is what a person typed, shown as typed.
    message = models.JSONField(_("system message"), null=True, blank=True)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    # The guest who made the change on the invitation page (no account: their name as given).
    guest = models.CharField(_("by the guest"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.visit} · {self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"

    @property
    def shown_message(self) -> str:
        """What the system said, in the active language ("" when it said nothing)."""
        return render_stored(self.message)
