from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from reception.accounts.admin_roles import RoleChoicesMixin, RoleFilter, role_column
from reception.admin import SiteFieldWithSitesMixin

from .models import ApprovalChain, ApprovalChainStep, ApprovalStep, Delegation, EscalationTarget


class ApprovalChainStepInline(RoleChoicesMixin, admin.TabularInline):
    model = ApprovalChainStep
    extra = 0
    fields = ("position", "name", "name_en", "role", "user", "grades_visit", "escalation")
    readonly_fields = ("escalation",)
    autocomplete_fields = ["user"]
    ordering = ["position"]
    show_change_link = True  # the step's page edits its escalation targets

    @admin.display(description=_("escalates to"))
    def escalation(self, step):
        return step.escalation_summary if step.pk else "—"


class EscalationTargetInline(RoleChoicesMixin, admin.TabularInline):
    """Where the step goes when nobody may decide it or it waits too long, in order. A role
    must rank (Role ranks) at or above the step's own: validation refuses one below."""

    model = EscalationTarget
    extra = 0
    fields = ("position", "kind", "role")
    ordering = ["position"]


@admin.register(ApprovalChain)
class ApprovalChainAdmin(SiteFieldWithSitesMixin, SimpleHistoryAdmin):
    """A chain's site shows where the group has several sites (a one-site company's chains
    are the group's)."""

    list_display = ("grade", "site", "step_summary")
    list_filter = ("grade__scheme", "site")
    list_select_related = ("grade", "site")
    search_fields = ("grade__name", "grade__name_en", "grade__code", "steps__name")
    inlines = [ApprovalChainStepInline]

    @admin.display(description=_("steps"))
    def step_summary(self, chain):
        return " → ".join(f"{s.label} ({s.approver_label})" for s in chain.steps.all())

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("steps__role", "steps__user", "steps__escalation_targets__role")
        )


@admin.register(ApprovalChainStep)
class ApprovalChainStepAdmin(RoleChoicesMixin, SimpleHistoryAdmin):
    """Steps are edited on their chain's page; here each step's change history is kept."""

    list_display = (
        "chain",
        "position",
        "name",
        role_column(ApprovalChainStep, "role"),
        "user",
        "grades_visit",
    )
    list_filter = ("chain__grade__scheme", ("role", RoleFilter))
    search_fields = ("name", "name_en", "chain__grade__name")
    autocomplete_fields = ["user"]
    list_select_related = ("chain__grade", "role", "user")
    inlines = [EscalationTargetInline]


@admin.register(ApprovalStep)
class ApprovalStepAdmin(admin.ModelAdmin):
    list_display = (
        "subject",
        "round",
        "position",
        "name",
        "state",
        "activated_at",
        role_column(ApprovalStep, "escalated_to"),
        "escalation_reason",
        "decided_by",
        "decided_as",
        "on_behalf_of",
        "decided_at",
    )
    list_filter = ("state", "escalation_reason", "decided_as", ("role", RoleFilter), "grades_visit")
    search_fields = ("name", "decided_by__full_name", "comment")
    raw_id_fields = ("subject", "user", "decided_by", "on_behalf_of")
    list_select_related = ("subject", "decided_by", "escalated_to", "on_behalf_of")

    # Read-only: steps are copied from chains when a request is submitted and decided in the
    # approval queue; a decision (who, when, comment, state) is never rewritten or deleted.
    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    """Administrators set an absence for an approver who cannot do it themselves."""

    list_display = ("approver", "delegate", "starts_on", "ends_on", "note")
    list_filter = ("starts_on",)
    search_fields = ("approver__full_name", "approver__username", "delegate__full_name")
    autocomplete_fields = ["approver", "delegate"]
    date_hierarchy = "starts_on"
