"""Approval chains (policy, per grade) and the approval steps of each subject (what is approved,
settings.APPROVALS_SUBJECT_MODEL)."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from reception.accounts.roles import has_role, role_label
from reception.models import Bilingual, ReceptionGrade, RoleRank, Site


class ApprovalChainQuerySet(models.QuerySet):
    def applying(self, grade: ReceptionGrade | None, site: Site | None = None):
        """The chain for a grade at a site: the site's own, else the group's (no site)."""
        if grade is None:
            return None
        group = models.Q(site__isnull=True)
        chains = self.filter(group | models.Q(site=site) if site is not None else group)
        return chains.filter(grade=grade).order_by(models.F("site").asc(nulls_last=True)).first()


class ApprovalChain(models.Model):
    """The ordered steps a request of one grade goes through: the group's (no site), or one
    site's own, which replaces the group's for requests at that site."""

    grade = models.ForeignKey(
        ReceptionGrade,
        verbose_name=_("grade"),
        on_delete=models.CASCADE,
        related_name="approval_chains",
    )
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="approval_chains",
        help_text=_(
            "Empty: the group's chain, for every site without its own. A site's chain "
            "replaces the group's for requests at that site."
        ),
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = ApprovalChainQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("approval chain")
        verbose_name_plural = _("approval chains")
        ordering = ["grade__scheme__code", "grade__rank", "site__ordering", "site__code"]
        constraints = [
            models.UniqueConstraint(fields=["grade", "site"], name="one_chain_per_grade_and_site"),
            models.UniqueConstraint(
                fields=["grade"],
                condition=models.Q(site__isnull=True),
                name="one_group_chain_per_grade",
                violation_error_message=_("The group has a chain for this grade already."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grade} · {self.site}" if self.site_id else str(self.grade)


class Approver(Bilingual, models.Model):
    """Who decides a step: anyone holding a role, or one named person."""

    name = models.CharField(_("step name"), max_length=100)
    name_en = models.CharField(_("step name (English)"), max_length=100, blank=True)
    role = models.ForeignKey(
        Group,
        verbose_name=_("role"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("named person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    grades_visit = models.BooleanField(
        _("fixes the grade"),
        default=False,
        help_text=_(
            "The approver of this step assesses the grade; changing it re-routes the chain."
        ),
    )

    class Meta:
        abstract = True

    @property
    def approver_label(self) -> str:
        if self.user_id:
            return str(self.user)
        return str(role_label(self.role.name)) if self.role is not None else "—"

    def can_be_decided_by(self, user) -> bool:
        if self.user_id:
            return self.user_id == user.pk
        return self.role is not None and has_role(user, self.role.name)


def _one_approver(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(role__isnull=False, user__isnull=True)
        | models.Q(role__isnull=True, user__isnull=False),
        name=name,
        violation_error_message=_("Name either a role or a person, not both."),
    )


class ApprovalChainStep(Approver):
    chain = models.ForeignKey(
        ApprovalChain, verbose_name=_("chain"), on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveSmallIntegerField(_("position"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("approval chain step")
        verbose_name_plural = _("approval chain steps")
        ordering = ["chain", "position"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "position"], name="unique_chain_position"),
            _one_approver("chain_step_role_or_user"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.label} ({self.approver_label})"

    def clean(self):
        super().clean()
        if self.pk is None:
            return
        for target in self.escalation_targets.filter(kind=EscalationTargetKind.ROLE):
            if target.role_id and ranks_below(target.role, self):
                raise ValidationError(
                    {
                        "role": _(
                            "“%(target)s”, an escalation target of this step, ranks below its "
                            "approver: escalation never goes down. Change the step's escalation "
                            "targets first."
                        )
                        % {"target": role_label(target.role.name)}
                    }
                )

    @property
    def escalation_summary(self) -> str:
        targets = self.escalation_targets.all()
        if not targets:
            return str(_("the rulebook's default: the approvers' delegates, then administrators"))
        return " → ".join(t.label for t in targets)


def approver_rank(approver: Approver) -> int | None:
    """The rank of the authority a step names: its role's, or the best of its person's roles
    (None: not ranked, below every ranked role)."""
    if approver.role_id:
        return RoleRank.best([approver.role_id])
    if approver.user is not None:
        return RoleRank.best(approver.user.groups.values_list("pk", flat=True))
    return None


def ranks_below(role: Group, approver: Approver) -> bool:
    """True when `role` may not take over `approver`'s step: escalation goes only to ranked
    roles, at or above the step's own rank."""
    target = RoleRank.best([role.pk])
    if target is None:
        return True
    own = approver_rank(approver)
    return own is not None and target > own


class EscalationTargetKind(models.TextChoices):
    DELEGATE = "delegate", _("The approvers' delegates (during an absence)")
    ROLE = "role", _("A role ranked at or above the step's")
    ADMINISTRATOR = "administrator", _("The administrators")


class EscalationTarget(models.Model):
    """Where a step goes when nobody may decide it or it waits too long: tried in order, the
    first with someone who may decide takes it; the next overdue period moves it on. The
    administrators come last in any case. A step without targets follows the rulebook: the
    approvers' delegates, then the administrators."""

    step = models.ForeignKey(
        ApprovalChainStep,
        verbose_name=_("chain step"),
        on_delete=models.CASCADE,
        related_name="escalation_targets",
    )
    position = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(
        _("escalates to"),
        max_length=20,
        choices=EscalationTargetKind.choices,
        default=EscalationTargetKind.ROLE,
    )
    role = models.ForeignKey(
        Group,
        verbose_name=_("role"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("For “a role”: ranked (Role ranks) at or above the step's own role."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("escalation target")
        verbose_name_plural = _("escalation targets")
        ordering = ["step", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["step", "position"], name="unique_escalation_target_position"
            ),
            models.CheckConstraint(
                condition=models.Q(kind=EscalationTargetKind.ROLE, role__isnull=False)
                | (~models.Q(kind=EscalationTargetKind.ROLE) & models.Q(role__isnull=True)),
                name="escalation_target_role_iff_kind_role",
                violation_error_message=_("Name a role for a role target, and only for one."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.label}"

    @property
    def label(self) -> str:
        if self.kind == EscalationTargetKind.ROLE and self.role is not None:
            return str(role_label(self.role.name))
        return str(self.get_kind_display())

    def clean(self):
        super().clean()
        if self.kind != EscalationTargetKind.ROLE:
            if self.role_id:
                raise ValidationError({"role": _("Only a role target names a role.")})
            return
        if self.role_id is None:
            raise ValidationError({"role": _("Choose the role the step escalates to.")})
        step = self._step()
        if RoleRank.best([self.role_id]) is None:
            raise ValidationError(
                {
                    "role": _(
                        "“%(role)s” has no rank: give it one under Role ranks first. Steps "
                        "escalate only to ranked roles."
                    )
                    % {"role": role_label(self.role.name)}
                }
            )
        if step is not None and ranks_below(self.role, step):
            raise ValidationError(
                {
                    "role": _(
                        "“%(role)s” ranks below the approver of “%(step)s”: escalation never "
                        "goes down. Choose a role ranked at or above it, the delegates or the "
                        "administrators."
                    )
                    % {"role": role_label(self.role.name), "step": step.label}
                }
            )

    def _step(self) -> ApprovalChainStep | None:
        try:
            return self.step
        except ApprovalChainStep.DoesNotExist:
            return None


class StepState(models.TextChoices):
    WAITING = "waiting", _("Waiting for earlier steps")
    PENDING = "pending", _("Waiting for a decision")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")
    REJECTED = "rejected", _("Rejected")
    SKIPPED = "skipped", _("No longer needed")


DECIDED_STATES = (StepState.APPROVED, StepState.RETURNED, StepState.REJECTED)


class DecidedAs(models.TextChoices):
    """In what capacity a step was decided."""

    APPROVER = "approver", _("Approver")
    DELEGATE = "delegate", _("Delegate of an absent approver")
    ESCALATION = "escalation", _("Escalation")
    ADMINISTRATOR = "administrator", _("Administrator, with a stated reason")


class EscalationReason(models.TextChoices):
    STALLED = "stalled", _("Nobody may decide it")
    OVERDUE = "overdue", _("Pending too long")
    DECIDED_EARLIER = "decided_earlier", _("Its approvers decided another step of the request")


class ApprovalStep(Approver):
    """One step of one subject's approval (settings.APPROVALS_SUBJECT_MODEL, read through
    approvals.subject.Subject), copied from the chain when the round starts."""

    subject = models.ForeignKey(
        settings.APPROVALS_SUBJECT_MODEL,
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="approval_steps",
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    position = models.PositiveSmallIntegerField(_("position"))
    template = models.ForeignKey(
        ApprovalChainStep,
        verbose_name=_("copied from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The chain step whose escalation targets this step follows."),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=StepState.choices, default=StepState.WAITING
    )
    activated_at = models.DateTimeField(_("waiting since"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approval_decisions",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    decided_as = models.CharField(
        _("decided as"), max_length=20, choices=DecidedAs.choices, blank=True
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    escalated_to = models.ForeignKey(
        Group,
        verbose_name=_("escalated to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A role that may decide the step as well as its own approvers."),
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation level"),
        default=0,
        help_text=_("How far along its escalation targets the step has gone (0: not escalated)."),
    )
    escalation_reason = models.CharField(
        _("why escalated"), max_length=20, choices=EscalationReason.choices, blank=True
    )
    reminded_at = models.DateTimeField(_("approvers reminded at"), null=True, blank=True)
    grade_before = models.ForeignKey(
        ReceptionGrade,
        verbose_name=_("grade before"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    grade_after = models.ForeignKey(
        ReceptionGrade,
        verbose_name=_("grade fixed"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["subject", "round", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "round", "position"], name="unique_step_position"
            ),
            models.UniqueConstraint(
                fields=["subject"],
                condition=models.Q(state="pending"),
                name="one_pending_step_per_subject",
            ),
            _one_approver("approval_step_role_or_user"),
        ]
        indexes = [
            models.Index(fields=["state", "role"]),
            models.Index(fields=["state", "user"]),
            # The approval queue: steps pending for a role, or for a named person.
            models.Index(
                fields=["role"],
                condition=models.Q(state="pending"),
                name="step_pending_by_role_idx",
            ),
            models.Index(
                fields=["user"],
                condition=models.Q(state="pending"),
                name="step_pending_by_user_idx",
            ),
        ]
        permissions = [
            (
                "oversee_approvals",
                _("Can see stalled and overdue steps and decide any step with a reason"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} · {self.label}"

    @property
    def is_decided(self) -> bool:
        return self.state in DECIDED_STATES

    @property
    def escalation_target_label(self) -> str:
        """Whom the step was escalated to: a role, or the approvers' delegates ("" if not)."""
        if self.escalated_to is not None:
            return str(role_label(self.escalated_to.name))
        if self.escalated_at:
            return str(_("the approvers' delegates"))
        return ""


class DelegationQuerySet(models.QuerySet):
    def active(self, on=None):
        """Delegations whose absence period includes the day (today by default)."""
        day = on or timezone.localdate()
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class Delegation(models.Model):
    """An approver's absence: during it the delegate sees and decides the approver's steps,
    recorded as "delegate on behalf of approver"."""

    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("absent approver"),
        on_delete=models.CASCADE,
        related_name="delegations_given",
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("delegate"),
        on_delete=models.CASCADE,
        related_name="delegations_received",
    )
    starts_on = models.DateField(_("absent from"))
    ends_on = models.DateField(_("absent until (inclusive)"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(approver=models.F("delegate")),
                name="delegation_not_to_oneself",
                violation_error_message=_("Choose someone else as delegate."),
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="delegation_ends_after_start",
                violation_error_message=_("The absence cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.approver} → {self.delegate} ({self.starts_on} – {self.ends_on})"
