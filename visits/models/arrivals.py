"""The gate: every kind of arrival besides clients (deliveries, contractors, interviews,
government guests…), the watch list security keeps, and the evacuation roll call.

Kinds are policy data (ArrivalKind rows a company edits in the admin): which fields the gate
asks, who is told, how long the personal data is kept. An arrival is never a client nor a
visit request; it is an on-site record with its own check-in and check-out."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reception.models import Bilingual, Department, Site, phone_validator

# The fields the gate may ask, by code; a kind's `fields` picks from them (forms/gate.py).
FIELD_CODES = [
    "company",
    "carrier",
    "plate",
    "goods",
    "work_order",
    "area",
    "permit_number",
    "permit_valid_until",
    "position",
    "office",
    "purpose",
]


class ArrivalKind(Bilingual, models.Model):
    """A kind of arrival at the gate, as the company's policy describes it."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    fields = models.JSONField(
        _("fields the gate asks"),
        default=list,
        blank=True,
        help_text=_("Codes of the fields shown for this kind, in order."),
    )
    asks_host = models.BooleanField(_("asks whom they see"), default=True)
    asks_department = models.BooleanField(_("asks the receiving department"), default=False)
    tells_host = models.BooleanField(_("the person they see is told"), default=True)
    tells_department = models.BooleanField(_("the receiving department is told"), default=False)
    told_roles = models.JSONField(
        _("roles told"), default=list, blank=True, help_text=_("Role codes told of each arrival.")
    )
    told_departments = models.ManyToManyField(
        Department, verbose_name=_("departments told"), blank=True, related_name="+"
    )
    retention_days = models.PositiveIntegerField(
        _("personal data kept (days)"),
        default=180,
        help_text=_("Names, phones and plates are anonymised this long after check-out."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("kind of arrival")
        verbose_name_plural = _("kinds of arrival")
        ordering = ["ordering", "code"]

    def __str__(self) -> str:
        return self.label


class ArrivalStatus(models.TextChoices):
    AT_GATE = "at_gate", _("At the gate")
    HELD = "held", _("Held: on the watch list")
    ON_SITE = "on_site", _("On site")
    LEFT = "left", _("Left")
    REFUSED = "refused", _("Refused")


class Arrival(models.Model):
    """One arrival of a kind other than a client: who, for whom, check-in and check-out."""

    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT)
    kind = models.ForeignKey(ArrivalKind, verbose_name=_("kind"), on_delete=models.PROTECT)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=100)
    headcount = models.PositiveSmallIntegerField(_("number of people"), default=1)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[phone_validator])
    id_number_hash = models.CharField(max_length=64, blank=True, editable=False)
    company = models.CharField(_("company"), max_length=150, blank=True)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sees"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="gate_arrivals",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("receiving department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    details = models.JSONField(_("details"), default=dict, blank=True)
    # The safety text a contractor accepted at the gate (docs/gate.md): which version, when,
    # under which typed name.
    safety_notice = models.ForeignKey(
        "visits.GuestNotice",
        verbose_name=_("safety text accepted"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    safety_version = models.PositiveSmallIntegerField(_("version accepted"), null=True, blank=True)
    safety_name = models.CharField(_("accepted as"), max_length=100, blank=True)
    safety_accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ArrivalStatus.choices, default=ArrivalStatus.AT_GATE
    )
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    anonymised_at = models.DateTimeField(
        _("personal data anonymised at"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("arrival")
        verbose_name_plural = _("arrivals")
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["site", "status"], name="arrival_site_status")]

    def __str__(self) -> str:
        return f"{self.kind} · {self.name}"

    @property
    def headed_to(self) -> str:
        where = self.department or self.details.get("area") or self.host
        return str(where or self.details.get("purpose") or "")


class ArrivalEventKind(models.TextChoices):
    RECORDED = "recorded", _("Recorded at the gate")
    HELD = "held", _("Held: matches the watch list")
    LET_IN = "let_in", _("Let in by security")
    REFUSED = "refused", _("Refused by security")
    CHECKED_IN = "checked_in", _("Checked in")
    CHECKED_OUT = "checked_out", _("Checked out")


class ArrivalEvent(models.Model):
    """The arrival's timeline: recorded, held, let in, refused, checked in and out."""

    arrival = models.ForeignKey(
        Arrival, verbose_name=_("arrival"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    what = models.CharField(_("what"), max_length=30, choices=ArrivalEventKind.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("arrival event")
        verbose_name_plural = _("arrival events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.arrival_id} {self.what}"


class WatchEntryKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class WatchEntry(models.Model):
    """Someone the gate must not let in without security's decision. Kept by security and
    administrators only; nobody else sees the list or the reason."""

    kind = models.CharField(
        _("kind"), max_length=20, choices=WatchEntryKind.choices, default=WatchEntryKind.PERSON
    )
    name = models.CharField(_("name"), max_length=150)
    name_key = models.CharField(max_length=150, editable=False, db_index=True)
    id_number_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    id_number_tail = models.CharField(_("ID number ends in"), max_length=4, blank=True)
    mobile = models.CharField(_("mobile"), max_length=30, blank=True)
    mobile_key = models.CharField(max_length=30, blank=True, editable=False, db_index=True)
    reason = models.CharField(_("reason"), max_length=300)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("watch-list entry")
        verbose_name_plural = _("watch list")
        ordering = ["name_key", "pk"]

    def __str__(self) -> str:
        return self.name


class HitDecision(models.TextChoices):
    OPEN = "open", _("Waiting for security")
    LET_IN = "let_in", _("Let in")
    REFUSED = "refused", _("Refused")


class WatchHit(models.Model):
    """A match on the watch list, where it happened, and security's decision."""

    entry = models.ForeignKey(
        WatchEntry, verbose_name=_("watch-list entry"), on_delete=models.CASCADE, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    where = models.CharField(_("where"), max_length=30)
    matched = models.CharField(_("matched"), max_length=200)
    arrival = models.ForeignKey(
        Arrival, null=True, blank=True, on_delete=models.CASCADE, related_name="hits"
    )
    walk_in_id = models.PositiveIntegerField(null=True, blank=True)
    visit_id = models.PositiveIntegerField(null=True, blank=True)
    # A visitor the guest named on the invitation page: their check-in waits for the decision.
    visitor_id = models.PositiveIntegerField(null=True, blank=True)
    decision = models.CharField(
        _("decision"), max_length=20, choices=HitDecision.choices, default=HitDecision.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("watch-list hit")
        verbose_name_plural = _("watch-list hits")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return self.matched


class RollCall(models.Model):
    """An evacuation roll call: everyone on site when it started, each marked safe."""

    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("roll call")
        verbose_name_plural = _("roll calls")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.site_id} {self.started_at:%Y-%m-%d %H:%M}"


class RollCallEntry(models.Model):
    roll_call = models.ForeignKey(
        RollCall, verbose_name=_("roll call"), on_delete=models.CASCADE, related_name="entries"
    )
    source = models.CharField(_("source"), max_length=20)
    name = models.CharField(_("name"), max_length=150)
    company = models.CharField(_("company"), max_length=150, blank=True)
    host_name = models.CharField(_("host"), max_length=150, blank=True)
    phone_masked = models.CharField(_("phone"), max_length=30, blank=True)
    headed_to = models.CharField(_("headed to"), max_length=200, blank=True)
    safe_at = models.DateTimeField(_("safe at"), null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("roll-call entry")
        verbose_name_plural = _("roll-call entries")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name
