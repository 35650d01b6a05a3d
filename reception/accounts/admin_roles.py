"""Roles (auth groups, named by their codes) shown in the admin by their names in the reader's
language: in list columns, list filters and form choices, "总经理" rather than
"general_manager"."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from .roles import role_label


class RoleFilter(admin.RelatedFieldListFilter):
    """A list filter by a role field, each role by its name."""

    def field_choices(self, field, request, model_admin):
        choices = super().field_choices(field, request, model_admin)
        return sorted(((pk, str(role_label(code))) for pk, code in choices), key=lambda c: c[1])


def role_column(model, field: str):
    """A list column showing the role in `model`'s `field` by its name ("—" when empty)."""

    @admin.display(description=model._meta.get_field(field).verbose_name, ordering=f"{field}__name")
    def column(obj):
        group = getattr(obj, field)
        return role_label(group.name) if group else "—"

    column.__name__ = f"{field}_name"
    return column


def _label(group: Group) -> str:
    return str(role_label(group.name))


class RoleChoicesMixin:
    """Form fields that choose roles list them by name."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.related_model is Group:
            field.label_from_instance = _label
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.related_model is Group:
            field.label_from_instance = _label
        return field


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    """Roles are groups named by their codes (reception/accounts/roles.py): the name beside it."""

    list_display = ("name", "role_name")

    @admin.display(description=_("role"), ordering="name")
    def role_name(self, group):
        return role_label(group.name)
