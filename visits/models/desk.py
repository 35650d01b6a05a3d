"""The reception desk: itinerary, walk-ins at the gate, and the lobby welcome displays."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from reception.models import Client, ReceptionPolicy, Site, phone_validator

from .requests import MAX_HEADCOUNT, VisitRequest


class ProcedureStep(models.TextChoices):
    """The reception procedure of seed 001 §6, in its order."""

    PICK_UP = "pick_up", _("Pick-up at the airport or station")
    WELCOME = "welcome", _("Welcome into the meeting room")
    INTRODUCTION = "introduction", _("Company introduction")
    TALKS = "talks", _("Business talks")
    TOUR = "tour", _("Factory tour")
    MEALS = "meals", _("Meals")
    ACCOMMODATION = "accommodation", _("Accommodation")
    ACTIVITIES = "activities", _("Activities")
    GIFTS = "gifts", _("Gifts")
    SEND_OFF = "send_off", _("Send-off")
    OTHER = "other", _("Other")


class ItineraryItem(models.Model):
    visit = models.ForeignKey(
        VisitRequest, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="itinerary"
    )
    step = models.CharField(
        _("procedure step"), max_length=20, choices=ProcedureStep.choices, default="other"
    )
    starts_at = models.DateTimeField(_("time"))
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    title = models.CharField(
        _("what"), max_length=200, blank=True, help_text=_("Empty: the procedure step's name.")
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    # A visit across sites (the headquarters in the morning, a plant in the afternoon): the
    # site of this item, whose board shows the visit that day. Empty: the visit's own site.
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="itinerary_items",
        help_text=_("Empty: the visit's site."),
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("itinerary item")
        verbose_name_plural = _("itinerary items")
        ordering = ["visit", "starts_at", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The title, or the procedure step in the reader's language."""
        return self.title or str(self.get_step_display())


class WalkInStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting at the gate")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class WalkIn(models.Model):
    """An unannounced visitor stopped at the gate (seed 000 D: 未预约冒昧来访)."""

    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="walk_ins",
        help_text=_("The site whose gate recorded them: its desk sees and receives them."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    company = models.CharField(_("company"), max_length=150)
    client = models.ForeignKey(
        Client,
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="walk_ins",
    )
    names = models.CharField(_("visitors' names"), max_length=300)
    headcount = models.PositiveSmallIntegerField(
        _("number of visitors"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HEADCOUNT)],
    )
    phone = models.CharField(_("phone"), max_length=30, validators=[phone_validator])
    wants_to_see = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("wants to see"),
        on_delete=models.PROTECT,
        related_name="walk_ins_for_me",
    )
    purpose = models.CharField(_("purpose"), max_length=300)
    status = models.CharField(
        _("status"), max_length=20, choices=WalkInStatus.choices, default=WalkInStatus.WAITING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided on behalf of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Set when the front desk decided because the person asked for did not answer."),
    )
    chased_at = models.DateTimeField(_("unanswered, desk told at"), null=True, blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)
    visit = models.OneToOneField(
        VisitRequest,
        verbose_name=_("visit request"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="walk_in",
    )
    anonymised_at = models.DateTimeField(
        _("personal data anonymised at"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("walk-in")
        verbose_name_plural = _("walk-ins")
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.company} · {self.names}"

    @property
    def answer_due_at(self):
        """When the person asked for should have answered (the policy's answer time)."""
        minutes = ReceptionPolicy.get().walk_in_answer_minutes
        return self.recorded_at + timedelta(minutes=minutes)


def new_display_token() -> str:
    return secrets.token_urlsafe(32)


class WelcomeDisplay(models.Model):
    """A lobby screen. It opens the welcome page with its secret URL, no login."""

    name = models.CharField(_("name"), max_length=100)
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="welcome_displays",
        help_text=_("The lobby it stands in: it welcomes that site's visitors. Empty: every site."),
    )
    token = models.CharField(
        _("secret"), max_length=64, unique=True, default=new_display_token, editable=False
    )
    active = models.BooleanField(_("active"), default=True)
    rotated_at = models.DateTimeField(_("secret last changed"), auto_now_add=True)

    class Meta:
        verbose_name = _("welcome display")
        verbose_name_plural = _("welcome displays")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
