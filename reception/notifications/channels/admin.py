"""Admin for company messaging: robots (secrets never shown again), accounts, routes, outbox."""

from urllib.parse import urlsplit

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import delivery
from .models import ChannelAccount, ChannelMessage, ChannelRoute, GroupRobot, MessageStatus
from .validators import validate_webhook_url

KEEP = _("Leave empty to keep the saved value.")


def masked(value: str) -> str:
    return "••••••" + value[-4:] if len(value) > 12 else ("••••••" if value else "")


class GroupRobotForm(forms.ModelForm):
    """Webhook and secret are write-only: the form never renders the saved values."""

    webhook_url = forms.CharField(
        label=_("webhook address"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"size": 80}),
    )
    secret = forms.CharField(
        label=_("signing secret"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"size": 60}),
    )

    class Meta:
        model = GroupRobot
        fields = ["name", "platform", "webhook_url", "secret", "department", "role", "language"]
        fields += ["active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["webhook_url"].help_text = KEEP
            self.fields["secret"].help_text = KEEP

    def clean_webhook_url(self):
        value = self.cleaned_data["webhook_url"].strip()
        if not value:
            if not self.instance.pk or not self.instance.webhook_url:
                raise forms.ValidationError(gettext("Enter the robot's webhook address."))
            return self.instance.webhook_url
        return value

    def clean_secret(self):
        value = self.cleaned_data["secret"].strip()
        return value or (self.instance.secret if self.instance.pk else "")

    def clean(self):
        data = super().clean()
        if data.get("webhook_url") and data.get("platform"):
            try:
                validate_webhook_url(data["webhook_url"], data["platform"])
            except forms.ValidationError as error:
                self.add_error(None, error)
        return data


@admin.register(GroupRobot)
class GroupRobotAdmin(admin.ModelAdmin):
    form = GroupRobotForm
    list_display = ["name", "platform", "webhook_host", "signed", "department", "role", "active"]
    list_filter = ["platform", "active"]
    search_fields = ["name"]

    @admin.display(description=_("webhook address"))
    def webhook_host(self, robot: GroupRobot) -> str:
        return f"https://{urlsplit(robot.webhook_url).hostname or ''}/… {masked(robot.webhook_url)}"

    @admin.display(description=_("signed"), boolean=True)
    def signed(self, robot: GroupRobot) -> bool:
        return bool(robot.secret)


class ChannelAccountInline(admin.TabularInline):
    """On the user's page: their ids on WeCom, DingTalk, Feishu."""

    model = ChannelAccount
    extra = 0


@admin.register(ChannelAccount)
class ChannelAccountAdmin(admin.ModelAdmin):
    list_display = ["user", "platform", "external_id"]
    list_filter = ["platform"]
    search_fields = ["user__username", "user__full_name", "external_id"]
    autocomplete_fields = ["user"]


@admin.register(ChannelRoute)
class ChannelRouteAdmin(admin.ModelAdmin):
    list_display = ["kind", "platform", "target", "robot", "active"]
    list_filter = ["platform", "target", "active"]
    search_fields = ["kind"]


@admin.register(ChannelMessage)
class ChannelMessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "platform",
        "recipient",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "error_code",
        "error",
    ]
    list_filter = ["status", "platform", "error_code"]
    search_fields = ["target", "error_code", "error"]
    # The field's own label, "to", shares its msgid with the timeline's status change (新状态):
    # the admin names it "recipient" instead.
    readonly_fields = fields = [  # type: ignore[assignment]  # a list of names is fine
        "recipient" if f.name == "target" else f.name for f in ChannelMessage._meta.fields
    ]
    actions = ["retry_now"]

    @admin.display(description=_("recipient"), ordering="target")
    def recipient(self, message):
        return message.target

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Send the failed messages again"))
    def retry_now(self, request, queryset):
        count = delivery.retry(
            list(queryset.filter(status=MessageStatus.FAILED).values_list("pk", flat=True))
        )
        self.message_user(
            request,
            ngettext("%(count)d message queued again.", "%(count)d messages queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )
