"""Organisation and policy: people, departments, clients, grades and their standards."""

from datetime import time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from rules.permissions import has_perm as rule_allows
from rules.permissions import perm_exists as is_rule
from simple_history.models import HistoricalRecords

from .accounts.roles import Role, role_label
from .notifications.messages import render_stored
from .organisation.pinyin import pinyin_key
from .validators import name_key, name_stem, normalize_name, one_line, validate_time_zone

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 \-]{5,18}[0-9]$",
    _("Enter a phone number of digits, spaces or dashes, optionally starting with +."),
)


class Bilingual:
    """A model with Chinese fields and optional English twins named `<field>_en`."""

    def localized(self, field: str) -> str:
        if (get_language() or "").startswith("en"):
            english = getattr(self, f"{field}_en", "")
            if english:
                return english
        return getattr(self, field)

    @property
    def label(self) -> str:
        return self.localized("name")


def default_time_zone() -> str:
    """The installation's time zone (settings.TIME_ZONE), read when a site is created: a
    callable, so the migration does not freeze the value it had on the developer's machine."""
    return settings.TIME_ZONE


class SiteQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Site(Bilingual, models.Model):
    """A plant or office of the group, with its own reception desk, gate and rooms. People,
    clients, approval chains and reports stay group-wide; a visit is for one site."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=200, blank=True)
    directions = models.TextField(
        _("directions"),
        max_length=2000,
        blank=True,
        help_text=_("How visitors find the site and its reception: gate, parking, building."),
    )
    directions_en = models.TextField(_("directions (English)"), max_length=2000, blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=60,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text=_("An IANA time zone name, e.g. Asia/Shanghai."),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Only active sites are offered for new visit requests."),
    )
    ordering = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Sites are listed by this number, then by code.")
    )

    objects = SiteQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["ordering", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def address_label(self) -> str:
        return self.localized("address")

    @property
    def directions_label(self) -> str:
        return self.localized("directions")


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[phone_validator])
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Pages, notifications and emails use this language; empty: the default."),
    )
    # Bumped whenever what this user may do changes (reception/accounts/access.py): their
    # permissions, roles and departments, kept in the cache between requests, are then read again.
    access_version = models.PositiveIntegerField(default=0, editable=False)
    # The HR system's key for this person (the API's staff upsert, docs/api.md).
    employee_number = models.CharField(
        _("employee number"), max_length=40, null=True, blank=True, unique=True
    )
    # The full name's pinyin, full and initials ("zhangwei zw"), for the people pickers
    # (reception.organisation.selectors.search_staff); kept by save().
    search_key = models.CharField(
        _("pinyin search key"), max_length=255, blank=True, editable=False
    )
    home_site = models.ForeignKey(
        Site,
        verbose_name=_("home site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="home_staff",
        help_text=_("Where this person usually works: their visit requests default to it."),
    )
    sites = models.ManyToManyField(
        Site,
        verbose_name=_("works at"),
        blank=True,
        related_name="staff",
        help_text=_(
            "The sites whose desk this person works at (receptionists, front desk, gate). "
            "None: every site."
        ),
    )

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]  # the stubs lack it
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def save(self, *args, **kwargs):
        if "full_name" not in self.get_deferred_fields():
            self.search_key = pinyin_key(self.full_name)
        fields = kwargs.get("update_fields")
        if fields is not None and "full_name" in fields and "search_key" not in fields:
            kwargs["update_fields"] = [*fields, "search_key"]
        # access_version is only ever raised in the database (reception.accounts.access.bump): a
        # user object read before a bump and saved after it must not put the old number back.
        if (
            not self._state.adding
            and kwargs.get("update_fields") is None
            and not kwargs.get("force_insert")
        ):
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "access_version" and f.attname not in deferred
            ]
        super().save(*args, **kwargs)

    def has_perm(self, perm: str, obj: models.Model | None = None) -> bool:
        """A rule of django-rules' permission set ("visits.check_in") is asked as it is, of a
        superuser too: Django would answer a superuser "yes" before asking any backend, and a
        rule depends on the object's state (nobody checks guests in to a closed visit, not even
        an administrator). A rule that should let administrators through says so itself.
        Django's own model permissions keep Django's answer."""
        if is_rule(perm):
            return self.is_active and rule_allows(perm, self, obj)
        return super().has_perm(perm, obj)

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.username

    def __str__(self) -> str:
        return self.get_full_name()

    @property
    def preferred_language(self) -> str:
        return self.language or settings.LANGUAGE_CODE


class Department(Bilingual, models.Model):
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    head = models.ForeignKey(
        User,
        verbose_name=_("head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    members: "models.ManyToManyField[User, StaffMembership]" = models.ManyToManyField(
        User, through="StaffMembership", related_name="departments", verbose_name=_("members")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label


class StaffMembership(models.Model):
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    title = models.CharField(_("title"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        ordering = ["department__code", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department"],
                name="unique_membership",
                violation_error_message=_("This person is already a member of this department."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.department}"


class ClientCategory(models.TextChoices):
    EXISTING_TECHNICAL = "existing_technical", _("Existing customer — technical")
    EXISTING_COMMERCIAL = "existing_commercial", _("Existing customer — commercial")
    NEWLY_DEVELOPED = "newly_developed", _("Newly developed customer")
    SELF_ENQUIRY = "self_enquiry", _("Self-enquiry customer")
    REFERRED = "referred", _("Referred customer")


class ClientScale(models.TextChoices):
    UNKNOWN = "unknown", _("Unknown")
    SMALL = "small", _("Small (under 100 staff)")
    MEDIUM = "medium", _("Medium (100–999 staff)")
    LARGE = "large", _("Large (1,000–9,999 staff)")
    ENTERPRISE = "enterprise", _("Enterprise (10,000 staff or more)")


class CooperationStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active cooperation")
    SUSPENDED = "suspended", _("Suspended")
    ENDED = "ended", _("Ended")


class Client(Bilingual, models.Model):
    name = models.CharField(_("company name"), max_length=150)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    category = models.CharField(
        _("category"),
        max_length=30,
        choices=ClientCategory.choices,
        blank=True,
        help_text=_(
            "Empty for a non-commercial organisation (government, association, school, media)."
        ),
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    # The CRM's key for this client (the API's client upsert, docs/api.md).
    external_id = models.CharField(
        _("external id"), max_length=64, null=True, blank=True, unique=True
    )
    scale = models.CharField(
        _("scale"), max_length=20, choices=ClientScale.choices, default=ClientScale.UNKNOWN
    )
    referred_by = models.CharField(
        _("referred by"),
        max_length=100,
        blank=True,
        help_text=_("Who introduced this customer (required for referred customers)."),
    )
    account_owner = models.ForeignKey(
        User,
        verbose_name=_("account owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_clients",
    )
    project_engineer = models.ForeignKey(
        User,
        verbose_name=_("project engineer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="engineered_clients",
        help_text=_(
            "The project engineer (项目工程师) for this client: a request for it names them, "
            "and they prepare its technical visits."
        ),
    )
    cooperation_status = models.CharField(
        _("cooperation status"),
        max_length=20,
        choices=CooperationStatus.choices,
        default=CooperationStatus.PROSPECT,
    )
    notes = models.TextField(_("notes"), max_length=4000, blank=True)
    name_key = models.CharField(
        _("name for comparison"),
        max_length=150,
        db_index=True,
        editable=False,
        default="",
        help_text=_(
            "The name without case, width, spacing, punctuation, Traditional characters or "
            "legal-form suffix."
        ),
    )
    name_stem = models.CharField(
        _("name stem"),
        max_length=150,
        db_index=True,
        editable=False,
        default="",
        help_text=_("The name for comparison without bracketed parts (a place, a branch)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("client company")
        verbose_name_plural = _("client companies")
        ordering = ["name"]
        permissions = [("change_any_client", _("Can edit every client, not only own ones"))]
        # The client list, a page at a time in name order: without it every page sorted all
        # of a company's clients.
        indexes = [models.Index(fields=["name", "id"], name="client_list_order_idx")]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="unique_client_name_ci",
                violation_error_code="duplicate_name",
                violation_error_message=_(
                    "A client with this name already exists (names are compared "
                    "without regard to upper or lower case)."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.label

    def save(self, *args, **kwargs):
        self.name = normalize_name(self.name)
        self.name_key = name_key(self.name)
        self.name_stem = name_stem(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key", "name_stem"}
        super().save(*args, **kwargs)

    def clean(self):
        self.name = normalize_name(self.name)
        if self.category == ClientCategory.REFERRED and not self.referred_by.strip():
            raise ValidationError(
                {"referred_by": _("Say who referred this customer.")}, code="required"
            )
        similar = self.similar_client()
        if similar is not None:
            raise ValidationError(
                {
                    "name": ValidationError(
                        _("A client named “%(name)s” exists already. Did you mean it?"),
                        code="near_duplicate",
                        params={"name": similar.name},
                    )
                }
            )

    def similar_client(self) -> "Client | None":
        """Another client whose name means the same company (full-width letters or brackets,
        Traditional characters, spacing, punctuation, a legal-form suffix), leaving exact
        duplicates to the unique constraint."""
        key = name_key(self.name)
        if not key:
            return None
        others = Client.objects.filter(name_key=key).exclude(pk=self.pk)
        return others.exclude(name__iexact=self.name).order_by("pk").first()

    def look_alike_client(self) -> "Client | None":
        """Another client whose name differs only by a bracketed part (a place, a branch):
        maybe the same company, maybe another branch of it. Forms ask before saving."""
        stem = name_stem(self.name)
        if not stem:
            return None
        return Client.objects.filter(name_stem=stem).exclude(pk=self.pk).order_by("pk").first()

    def validate_constraints(self, exclude=None):
        """Report a duplicate name on the name field, where the user typed it."""
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            errors = error.error_dict
            general = errors.pop(NON_FIELD_ERRORS, [])
            duplicates = [e for e in general if e.code == "duplicate_name"]
            if duplicates:
                errors.setdefault("name", []).extend(duplicates)
            rest = [e for e in general if e.code != "duplicate_name"]
            if rest:
                errors[NON_FIELD_ERRORS] = rest
            raise ValidationError(errors) from None


class ClientContact(models.Model):
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[phone_validator])
    email = models.EmailField(_("email"), blank=True)

    class Meta:
        verbose_name = _("client contact")
        verbose_name_plural = _("client contacts")
        ordering = ["client", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.title})" if self.title else self.name


class GradingScheme(Bilingual, models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("grading scheme")
        verbose_name_plural = _("grading schemes")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label


class ReceptionGradeQuerySet(models.QuerySet):
    def current(self):
        """Active grades of the scheme the company has chosen, highest rank first. The policy
        is read inside the same query, not fetched (or created) first."""
        scheme = ReceptionPolicy.objects.filter(pk=1).values("scheme_id")
        return self.filter(active=True, scheme_id=models.Subquery(scheme)).order_by("rank")


class ReceptionGrade(Bilingual, models.Model):
    scheme = models.ForeignKey(
        GradingScheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="grades"
    )
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("Chinese name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=50)
    rank = models.PositiveSmallIntegerField(
        _("rank"), help_text=_("1 is the highest grade; larger numbers are lower grades.")
    )
    description = models.CharField(_("meaning"), max_length=200, blank=True)
    description_en = models.CharField(_("meaning (English)"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = ReceptionGradeQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reception grade")
        verbose_name_plural = _("reception grades")
        ordering = ["scheme__code", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="unique_grade_code_per_scheme")
        ]

    def __str__(self) -> str:
        return self.label


class ReceptionExtra(Bilingual, models.Model):
    """Something extra a grade's standard provides, e.g. flowers or table name cards."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reception extra")
        verbose_name_plural = _("reception extras")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label


def _money(verbose_name: Any) -> "models.DecimalField[Decimal, Decimal]":
    return models.DecimalField(
        verbose_name,
        max_digits=9,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )


class ReceptionStandard(Bilingual, models.Model):
    """What a grade entitles the guests to (seed 001, section 9)."""

    grade = models.OneToOneField(
        ReceptionGrade, verbose_name=_("grade"), on_delete=models.CASCADE, related_name="standard"
    )
    meal_per_person = _money(_("meal per person (CNY)"))
    wine_per_bottle = _money(_("wine per bottle (CNY)"))
    cigarettes_per_pack = _money(_("cigarettes per pack (CNY)"))
    hotel_class = models.CharField(_("hotel class"), max_length=100, blank=True)
    hotel_class_en = models.CharField(_("hotel class (English)"), max_length=100, blank=True)
    car_class = models.CharField(
        _("car class"), max_length=100, blank=True, help_text=_("Empty when no car is provided.")
    )
    car_class_en = models.CharField(_("car class (English)"), max_length=100, blank=True)
    hotel_room_price = _money(_("reference price per room-night (CNY)"))
    car_trip_price = _money(_("reference price per car trip (CNY)"))
    main_host_role = models.ForeignKey(
        Group,
        verbose_name=_("main host role"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    main_host_note = models.CharField(_("main host rule"), max_length=200, blank=True)
    main_host_note_en = models.CharField(_("main host rule (English)"), max_length=200, blank=True)
    extras = models.ManyToManyField(ReceptionExtra, verbose_name=_("extras"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    notes_en = models.TextField(_("notes (English)"), blank=True)

    history = HistoricalRecords(m2m_fields=[extras])

    class Meta:
        verbose_name = _("reception standard")
        verbose_name_plural = _("reception standards")
        ordering = ["grade__scheme__code", "grade__rank"]

    def __str__(self) -> str:
        return str(self.grade)

    @property
    def hotel_label(self) -> str:
        return self.localized("hotel_class")

    @property
    def car_label(self) -> str:
        return self.localized("car_class")

    @property
    def host_label(self) -> str:
        note = self.localized("main_host_note")
        if note or self.main_host_role is None:
            return note
        return str(role_label(self.main_host_role.name))

    @property
    def extra_labels(self) -> list[str]:
        return [extra.label for extra in self.extras.all()]


def default_walk_in_roles() -> list[str]:
    """Seed 000 D: the front desk tells the marketing head's assistant about a walk-in."""
    return [Role.MARKETING.value]


class ReceptionPolicy(Bilingual, models.Model):
    """Company-wide reception settings; one row, edited in the admin."""

    # No placeholder: the documents print this name; until an administrator sets it they
    # print none (the demo sets one).
    company_name = models.CharField(
        _("company name"),
        max_length=150,
        default="",
        help_text=_("Printed on the visit documents and shown on the lobby screen."),
    )
    company_name_en = models.CharField(
        _("company name (English)"), max_length=150, blank=True, default=""
    )
    logo = models.ImageField(_("logo"), upload_to="policy/", blank=True)
    scheme = models.ForeignKey(
        GradingScheme,
        verbose_name=_("grading scheme in use"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    lead_time_days = models.PositiveSmallIntegerField(
        _("application lead time (days)"),
        default=3,
        help_text=_("Requests filed fewer days than this before arrival are marked late."),
    )
    handover_working_days = models.PositiveSmallIntegerField(
        _("hand-over to the receptionist (working days before arrival)"), default=2
    )
    welcome_line = models.CharField(
        _("default welcome line (Chinese)"),
        max_length=200,
        default="热烈欢迎{client}莅临指导",
        help_text=_("{client} is replaced by the client's name."),
    )
    welcome_line_en = models.CharField(
        _("default welcome line (English)"),
        max_length=200,
        default="A warm welcome to {client}",
        help_text=_("{client} is replaced by the client's English name."),
    )
    walk_in_contact = models.ForeignKey(
        User,
        verbose_name=_("walk-ins are announced to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The marketing head's assistant, when the gate does not know whom to call."),
    )
    retention_days = models.PositiveSmallIntegerField(
        _("keep visitors' personal data (days after the visit ends)"),
        default=365,
        validators=[MinValueValidator(30), MaxValueValidator(3650)],
        help_text=_(
            "Then visitors' and walk-ins' names, phone numbers and ID numbers are anonymised "
            "(daily); counts, headcounts and companies stay for the statistics."
        ),
    )

    walk_in_roles = models.JSONField(
        _("walk-ins are also announced to (roles)"),
        default=default_walk_in_roles,
        blank=True,
        help_text=_(
            "Besides the person asked for and the front desk, everyone holding one of these "
            "roles hears of each walk-in as it is recorded. The rulebook (seed 000 D): the "
            "front desk tells the marketing head's assistant, the marketing role."
        ),
    )
    walk_in_departments = models.ManyToManyField(
        Department,
        verbose_name=_("walk-ins are also announced to (departments)"),
        blank=True,
        related_name="+",
        help_text=_("Members and heads of these departments hear of each walk-in as well."),
    )
    non_commercial_department = models.ForeignKey(
        Department,
        verbose_name=_("non-commercial guests are received by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Seed 001 十.2: the office receives guests other than business customers "
            "(government, associations, schools, media). Its head is the default main host of "
            "their visits; empty: the grade's main host, as for customers."
        ),
    )
    colleagues_see_requests = models.BooleanField(
        _("department colleagues see each other's requests"),
        default=False,
        help_text=_(
            "Off: a request is seen by its applicant, the people it names (main host, sales "
            "lead, project engineer, receptionist, accompanying staff), the departments that "
            "prepare it, its approvers and reception. On: also by every colleague in the "
            "applicant's departments who files requests (not drafts)."
        ),
    )

    walk_in_answer_minutes = models.PositiveSmallIntegerField(
        _("walk-in answer time (minutes)"),
        default=10,
        validators=[MinValueValidator(1)],
        help_text=_(
            "If the person a walk-in asks for has not answered by then, the front desk and the "
            "walk-in contact are told, and the front desk may decide on their behalf."
        ),
    )
    several_decisions_per_person = models.BooleanField(
        _("one person may decide several steps of a request"),
        default=False,
        help_text=_(
            "For small companies where one person holds several approving roles. Off (the "
            "rulebook's separation of duties): a person who decided one step of an approval "
            "round does not decide another step of it; the step's other approvers, their "
            "delegates or an escalation take it."
        ),
    )
    approval_reminder_hours = models.PositiveSmallIntegerField(
        _("remind approvers after (working hours)"),
        default=8,
        validators=[MinValueValidator(1)],
    )
    approval_escalation_hours = models.PositiveSmallIntegerField(
        _("escalate a pending step after (working hours)"),
        default=16,
        validators=[MinValueValidator(1)],
    )
    workday_start = models.TimeField(_("working day starts"), default=time(8, 30))
    workday_end = models.TimeField(_("working day ends"), default=time(17, 30))

    history = HistoricalRecords(m2m_fields=[walk_in_departments])

    class Meta:
        verbose_name = _("reception policy")
        verbose_name_plural = _("reception policy")

    def __str__(self) -> str:
        return str(_("Reception policy"))

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def get(cls) -> "ReceptionPolicy":
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy

    @property
    def company_label(self) -> str:
        return self.localized("company_name")


class RoleRank(models.Model):
    """Where a role stands in the company's order of authority (seed 001 §3: the general
    manager leads the reception group, the deputy general managers deputise, the department
    heads are its members). An approval step escalates only to roles ranked at or above its
    own; a role without a rank receives no escalation and counts as below every ranked one."""

    role = models.OneToOneField(
        Group, verbose_name=_("role"), on_delete=models.CASCADE, related_name="+"
    )
    rank = models.PositiveSmallIntegerField(
        _("rank"),
        validators=[MinValueValidator(1)],
        help_text=_(
            "1 is the highest authority; larger numbers rank lower. Roles may share a rank."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("role rank")
        verbose_name_plural = _("role ranks")
        ordering = ["rank", "role__name"]

    def __str__(self) -> str:
        return f"{role_label(self.role.name)} ({self.rank})"

    @classmethod
    def best(cls, group_ids) -> int | None:
        """The highest rank (smallest number) among these roles, None when none is ranked."""
        ranks = cls.objects.filter(role_id__in=list(group_ids)).values_list("rank", flat=True)
        return min(ranks, default=None)


class Notification(models.Model):
    """An in-app message (the bell), also sent by email after the transaction commits."""

    recipient = models.ForeignKey(
        User, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    # The title and body as messages (reception/notifications/messages.py), shown in the reader's
    # language; empty on rows written before, which show `title` and `body`.
    title_message = models.JSONField(_("title as a message"), null=True, blank=True)
    body_message = models.JSONField(_("message as a message"), null=True, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_sent_at = models.DateTimeField(_("email sent at"), null=True, blank=True)
    email_error = models.TextField(_("email error"), blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            # The bell's page: a recipient's notifications, newest first.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_bell_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def shown_title(self) -> str:
        """The title in the active language (the stored text for older rows)."""
        return one_line(render_stored(self.title_message, fallback=self.title))[:200]

    @property
    def shown_body(self) -> str:
        """The body in the active language (the stored text for older rows)."""
        return render_stored(self.body_message, fallback=self.body)


class DayKind(models.TextChoices):
    OFF = "off", _("Day off")
    WORKING = "working", _("Working day")


class CalendarDay(models.Model):
    """An administrator's answer for one date, which wins over the official calendar: a
    company shutdown, an extra working day, or a year's official schedule entered before the
    holiday library knows it."""

    day = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    note = models.CharField(
        _("note"),
        max_length=100,
        blank=True,
        help_text=_("E.g. 春节, 国庆节调休, company shutdown."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("working-day calendar")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day.isoformat()} {self.get_kind_display()}" + (
            f" ({self.note})" if self.note else ""
        )

    @property
    def is_working_day(self) -> bool:
        return self.kind == DayKind.WORKING


class RoleDefaultGrant(models.Model):
    """A default permission of a role that has been granted to its group once. It is not
    granted again, so a permission an administrator removes from the group stays removed."""

    role = models.CharField(_("role"), max_length=50)
    permission = models.CharField(_("permission"), max_length=200)  # "app_label.codename"
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("default permission granted")
        verbose_name_plural = _("default permissions granted")
        constraints = [
            models.UniqueConstraint(fields=["role", "permission"], name="unique_role_default")
        ]

    def __str__(self) -> str:
        return f"{role_label(self.role)}: {self.permission}"


class Job(models.TextChoices):
    """Background jobs whose last run /health/ watches."""

    REMINDER_SWEEP = "reminder-sweep", _("reminder sweep")


class Heartbeat(models.Model):
    """When a background job last ran. Celery beat starts the reminder sweep every few minutes
    and the sweep records its start here; /health/ fails when that is too long ago (the beat,
    the broker or every worker has stopped)."""

    job = models.CharField(_("job"), max_length=40, choices=Job.choices, unique=True)
    at = models.DateTimeField(_("last run"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.get_job_display()} {self.at.isoformat()}"


# Company messaging (WeCom, DingTalk, Feishu) keeps its models in its own package.
# API tokens and outgoing webhooks keep their models in their own packages.
from .api_tokens.models import ApiToken  # noqa: E402, F401
from .notifications.channels.models import (  # noqa: E402, F401
    ChannelAccount,
    ChannelMessage,
    ChannelRoute,
    GroupRobot,
    MessageStatus,
    Platform,
    RouteTarget,
)
from .webhooks.models import WebhookDelivery, WebhookSubscription  # noqa: E402, F401
