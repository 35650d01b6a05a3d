from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.forms import inlineformset_factory
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import Client, ClientContact
from .selectors import account_owner_candidates
from .validators import TextRulesMixin, normalize_name


class ClientForm(TextRulesMixin, forms.ModelForm):
    class Meta:
        model = Client
        fields = [
            "name",
            "name_en",
            "category",
            "industry",
            "scale",
            "referred_by",
            "account_owner",
            "cooperation_status",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        owner = self.fields["account_owner"]
        owner.queryset = account_owner_candidates()
        if not user.has_perm("reception.change_any_client"):
            # Sales and project engineers own what they create and keep what they own.
            owner.disabled = True
            owner.help_text = _("You are the account owner of clients you create.")
            if not self.instance.pk:
                self.initial["account_owner"] = user.pk

    def clean_name(self):
        return normalize_name(self.cleaned_data["name"])


class ContactForm(TextRulesMixin, forms.ModelForm):
    class Meta:
        model = ClientContact
        fields = ["name", "title", "phone", "email"]


# max_num and absolute_max: a posted TOTAL_FORMS of a million builds (and shows again) at most
# 200 forms, not Django's 2,000. A form of DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000) fields holds
# fewer contacts than that anyway.
ContactFormSet = inlineformset_factory(
    Client,
    ClientContact,
    form=ContactForm,
    fields=["name", "title", "phone", "email"],
    extra=1,
    can_delete=True,
    max_num=200,
    absolute_max=200,
)


class LocalisedPasswordResetForm(PasswordResetForm):
    """Django's reset form; the email is in the user's language and links to SITE_URL."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        context["site_url"] = settings.SITE_URL.rstrip("/")
        with translation.override(context["user"].preferred_language):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)
