"""The guest's side: the invitation the client's contact opens on a phone, the texts each
visitor accepts, a pass per visitor (QR and short code), the lobby kiosks, badge sizes."""

import secrets

from django.conf import settings
from django.core import signing
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from reception.models import Bilingual, ClientContact, ReceptionGrade, Site

from .requests import Visitor, VisitRequest

# The salt of the invitations' signed tokens: a token signed for anything else never opens one.
INVITATION_SALT = "jiedai.visits.invitation"
# The passes' short codes: no 0/O, 1/I/L, so a code read aloud or typed is not mistaken.
PASS_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PASS_CODE_LENGTH = 8
# What the QR of a pass holds: this prefix and the short code (a desk types the code alone).
PASS_QR_PREFIX = "JDPASS:"


def new_nonce() -> str:
    return secrets.token_urlsafe(12)


def new_pass_code() -> str:
    return "".join(secrets.choice(PASS_ALPHABET) for _ in range(PASS_CODE_LENGTH))


def new_kiosk_token() -> str:
    return secrets.token_urlsafe(32)


class GuestPolicy(models.Model):
    """The company's rules for the guest's side, one row, edited in the admin."""

    invite_before_approval = models.BooleanField(
        _("invitations before approval"),
        default=False,
        help_text=_("Let the applicant invite the guests while the request is still a draft."),
    )
    extra_visitors = models.PositiveSmallIntegerField(
        _("visitors the guest may add"),
        default=2,
        validators=[MaxValueValidator(50)],
        help_text=_("How many visitors beyond the request's number the guest may list."),
    )
    changes_per_hour = models.PositiveSmallIntegerField(
        _("guest changes per hour"),
        default=20,
        help_text=_("Saves of one invitation page per hour; more are refused for a while."),
    )

    class Meta:
        verbose_name = _("guest policy")
        verbose_name_plural = _("guest policy")

    def __str__(self) -> str:
        return str(_("Guest policy"))

    @classmethod
    def get(cls) -> "GuestPolicy":
        policy = cls.objects.order_by("pk").first()
        return policy if policy is not None else cls()


class Invitation(models.Model):
    """The link the applicant sends to the client's contact. Signed (the pk and a nonce), it
    opens without an account until the day after the visit, or until revoked."""

    visit = models.ForeignKey(
        VisitRequest,
        verbose_name=_("visit"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    nonce = models.CharField(_("nonce"), max_length=32, default=new_nonce, editable=False)
    contact = models.ForeignKey(
        ClientContact,
        verbose_name=_("client contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_to = models.EmailField(_("sent to"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("first opened at"), null=True, blank=True)
    # The number of visitors when it was sent: the guest lists up to this plus the policy's
    # extra visitors.
    base_headcount = models.PositiveSmallIntegerField(_("visitors when sent"), default=1)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.visit} · {self.sent_to or '—'}"

    @property
    def token(self) -> str:
        return signing.Signer(salt=INVITATION_SALT).sign_object([self.pk, self.nonce])


class NoticeKind(models.TextChoices):
    SAFETY = "safety", _("Safety rules")
    CONFIDENTIALITY = "confidentiality", _("Confidentiality")


class GuestNotice(Bilingual, models.Model):
    """A text each visitor accepts before arrival (seed 001 八.4 保守秘密), versioned: a new
    version is a new row, and acceptances name the version they were given."""

    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("title"), max_length=100)
    name_en = models.CharField(_("title (English)"), max_length=100, blank=True)
    body = models.TextField(_("text"), max_length=8000)
    body_en = models.TextField(_("text (English)"), max_length=8000, blank=True)
    active = models.BooleanField(_("in force"), default=True)
    required_for_tours = models.BooleanField(
        _("required before a factory tour"),
        default=False,
        help_text=_("Visitors of a visit with a tour are checked in only once they accepted."),
    )

    class Meta:
        verbose_name = _("text to accept")
        verbose_name_plural = _("texts to accept")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="guest_notice_version")
        ]

    def __str__(self) -> str:
        return f"{self.label} (v{self.version})"

    @property
    def localized_body(self) -> str:
        return self.localized("body")


class NoticeAcceptance(models.Model):
    visitor = models.ForeignKey(
        Visitor, verbose_name=_("visitor"), on_delete=models.CASCADE, related_name="acceptances"
    )
    notice = models.ForeignKey(
        GuestNotice, verbose_name=_("text"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveSmallIntegerField(_("version"))
    name = models.CharField(_("accepted as"), max_length=100)
    accepted_at = models.DateTimeField(_("accepted at"), auto_now_add=True)
    at_kiosk = models.BooleanField(_("at the kiosk"), default=False)

    class Meta:
        verbose_name = _("acceptance")
        verbose_name_plural = _("acceptances")
        constraints = [
            models.UniqueConstraint(fields=["visitor", "notice"], name="one_acceptance_per_text")
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.notice_id} v{self.version}"


class VisitorPass(models.Model):
    """A visitor's pass: a QR with a short code beside it, valid on the visit's days at its
    site, revoked when the visit is cancelled or the visitor removed."""

    visit = models.ForeignKey(
        VisitRequest, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="passes"
    )
    visitor = models.ForeignKey(
        Visitor,
        verbose_name=_("visitor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="passes",
    )
    code = models.CharField(_("short code"), max_length=12, unique=True, default=new_pass_code)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("visitor pass")
        verbose_name_plural = _("visitor passes")
        constraints = [
            models.UniqueConstraint(
                fields=["visitor"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_pass_per_visitor",
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def qr_text(self) -> str:
        return f"{PASS_QR_PREFIX}{self.code}"


class PassOutcome(models.TextChoices):
    CHECKED_IN = "checked_in", _("Checked in")
    VALID = "valid", _("Valid")
    UNKNOWN = "unknown", _("Unknown code")
    REVOKED = "revoked", _("Revoked")
    TOO_EARLY = "too_early", _("Not yet valid")
    EXPIRED = "expired", _("Expired")
    WRONG_SITE = "wrong_site", _("Another site")
    NOT_OPEN = "not_open", _("Visit not open for check-in")
    ALREADY_IN = "already_in", _("Already checked in")
    NOTICES_MISSING = "notices_missing", _("Texts not accepted")
    THROTTLED = "throttled", _("Too many tries")
    HELD = "held", _("Held for security")


class PassScan(models.Model):
    """Every code the desk, the gate or a kiosk was given, with what it answered."""

    at = models.DateTimeField(_("time"), auto_now_add=True)
    code = models.CharField(_("code given"), max_length=40)
    site = models.ForeignKey(
        Site, verbose_name=_("site"), null=True, blank=True, on_delete=models.SET_NULL
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kiosk = models.ForeignKey(
        "LobbyKiosk", verbose_name=_("kiosk"), null=True, blank=True, on_delete=models.SET_NULL
    )
    visitor_pass = models.ForeignKey(
        VisitorPass, verbose_name=_("pass"), null=True, blank=True, on_delete=models.SET_NULL
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=PassOutcome.choices)

    class Meta:
        verbose_name = _("pass scan")
        verbose_name_plural = _("pass scans")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.code} · {self.outcome}"


class LobbyKiosk(models.Model):
    """A tablet in a site's lobby: planned visitors check themselves in. It opens with its
    secret URL, no login, like the welcome screen."""

    name = models.CharField(_("name"), max_length=100)
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="+"
    )
    token = models.CharField(
        _("secret"), max_length=64, unique=True, default=new_kiosk_token, editable=False
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("lobby kiosk")
        verbose_name_plural = _("lobby kiosks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BadgeFormat(Bilingual, models.Model):
    """A printed badge's size (policy data: the 86×54 mm card, the 100×70 mm label, A6)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=50, blank=True)
    width_mm = models.PositiveSmallIntegerField(
        _("width (mm)"), validators=[MinValueValidator(30), MaxValueValidator(300)]
    )
    height_mm = models.PositiveSmallIntegerField(
        _("height (mm)"), validators=[MinValueValidator(30), MaxValueValidator(300)]
    )
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("badge size")
        verbose_name_plural = _("badge sizes")
        ordering = ["ordering", "code"]

    def __str__(self) -> str:
        return f"{self.label} ({self.width_mm}×{self.height_mm} mm)"


colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour such as #c0392b."))


class GradeColour(models.Model):
    """The colour a grade's badges carry (policy data)."""

    grade = models.OneToOneField(
        ReceptionGrade, verbose_name=_("grade"), on_delete=models.CASCADE, related_name="+"
    )
    colour = models.CharField(_("colour"), max_length=7, validators=[colour_validator])

    class Meta:
        verbose_name = _("badge colour")
        verbose_name_plural = _("badge colours")

    def __str__(self) -> str:
        return f"{self.grade} {self.colour}"
