"""Webhooks in the admin: subscriptions (events chosen from the registered kinds) and the
delivery log, with a retry action for failed deliveries."""

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..notifications.channels.models import MessageStatus
from . import kinds
from .models import WebhookDelivery, WebhookSubscription


class SubscriptionForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(
        label=_("events"), choices=kinds.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookSubscription
        fields = ["name", "owner", "url", "kinds", "active", "secret"]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ["name", "url", "active", "failing_since", "paused_at"]
    list_filter = ["active"]
    search_fields = ["name", "url"]
    raw_id_fields = ["owner"]
    readonly_fields = ["failing_since", "paused_at", "created_at"]

    def save_model(self, request, obj, form, change):
        if obj.active and "active" in form.changed_data:  # made active again: a fresh start
            obj.paused_at = obj.failing_since = None
        super().save_model(request, obj, form, change)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "event_id", "subscription", "status", "attempts"]
    list_display += ["response_code", "sent_at"]
    list_filter = ["status", "kind", "subscription"]
    search_fields = ["event_id"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Send the selected failed deliveries again"))
    def retry(self, request, queryset):
        count = queryset.filter(status=MessageStatus.FAILED).update(
            status=MessageStatus.PENDING,
            attempts=0,
            next_attempt_at=timezone.now(),
            created_at=timezone.now(),  # a new deadline
        )
        self.message_user(
            request,
            ngettext("%(n)d delivery queued again.", "%(n)d deliveries queued again.", count)
            % {"n": count},
        )
