"""Clients and staff kept in step with the company's other systems (the API, docs/api.md):
upserts by the CRM's external id and the HR system's employee number, checked by the same
forms and permissions as the pages, each in one transaction (nothing half-written)."""

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms.models import model_to_dict

from ..forms import ClientForm
from ..models import Client, User
from ..validators import TextRulesMixin
from .selectors import editable_clients


class InvalidData(ValueError):
    """The form's errors, in the active language."""

    def __init__(self, form: forms.BaseForm) -> None:
        super().__init__("invalid")
        self.form = form


def _form_data(instance_values: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    data = {k: v for k, v in instance_values.items() if v is not None}
    data.update({k: v for k, v in changes.items() if v is not None})
    return {k: ("on" if v is True else v) for k, v in data.items() if v is not False}


def upsert_client(*, by: User, external_id: str, data: dict[str, Any]) -> tuple[Client, bool]:
    """Create the client with this external id, or update the given fields of it."""
    with transaction.atomic():
        client = Client.objects.select_for_update().filter(external_id=external_id).first()
        if client is None:
            if not by.has_perm("reception.add_client"):
                raise PermissionDenied
            client = Client(external_id=external_id)
        elif not editable_clients(by).filter(pk=client.pk).exists():
            raise PermissionDenied
        created = client.pk is None
        current = model_to_dict(client, fields=ClientForm.Meta.fields)  # new: the defaults
        form = ClientForm(_form_data(current, data), instance=client, user=by)
        if not form.is_valid():
            raise InvalidData(form)
        return form.save(), created


class StaffForm(TextRulesMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["username", "full_name", "email", "phone", "is_active"]


def upsert_staff(*, by: User, employee_number: str, data: dict[str, Any]) -> tuple[User, bool]:
    """Create the person with this employee number (no password: they log in through the
    directory or a reset), or update the given fields."""
    with transaction.atomic():
        user = User.objects.select_for_update().filter(employee_number=employee_number).first()
        needed = "reception.add_user" if user is None else "reception.change_user"
        if not by.has_perm(needed):
            raise PermissionDenied
        created = user is None
        user = user or User(employee_number=employee_number)
        current = model_to_dict(user, fields=StaffForm.Meta.fields)
        form = StaffForm(_form_data(current, data), instance=user)
        if not form.is_valid():
            raise InvalidData(form)
        user = form.save(commit=False)
        if created:
            user.set_unusable_password()
        user.save()
        return user, created


def deactivate_staff(*, by: User, employee_number: str) -> User | None:
    with transaction.atomic():
        user = User.objects.select_for_update().filter(employee_number=employee_number).first()
        if user is None:
            return None
        if not by.has_perm("reception.change_user"):
            raise PermissionDenied
        if user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
        return user
