from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import (
    Client,
    ClientContact,
    Department,
    GradingScheme,
    ReceptionExtra,
    ReceptionGrade,
    ReceptionPolicy,
    ReceptionStandard,
    StaffMembership,
    User,
)


class MembershipInline(admin.TabularInline):
    model = StaffMembership
    extra = 0
    autocomplete_fields = ["department"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Jiedai"), {"fields": ("full_name", "phone")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Jiedai"), {"fields": ("full_name", "phone", "email")}),
    )
    list_display = ("username", "full_name", "email", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "groups", "departments")
    search_fields = ("username", "full_name", "email", "phone")
    inlines = [MembershipInline]


class DepartmentMembershipInline(admin.TabularInline):
    model = StaffMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "head", "parent")
    list_filter = ("parent",)
    search_fields = ("code", "name", "name_en")
    autocomplete_fields = ["head", "parent"]
    inlines = [DepartmentMembershipInline]


@admin.register(StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "department", "title")
    list_filter = ("department",)
    search_fields = ("user__username", "user__full_name", "department__name", "title")
    autocomplete_fields = ["user", "department"]


class ClientContactInline(admin.TabularInline):
    model = ClientContact
    extra = 0


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "name_en",
        "category",
        "industry",
        "account_owner",
        "cooperation_status",
    )
    list_filter = ("category", "cooperation_status", "scale", "account_owner")
    search_fields = ("name", "name_en", "industry", "contacts__name")
    autocomplete_fields = ["account_owner"]
    inlines = [ClientContactInline]


@admin.register(ClientContact)
class ClientContactAdmin(admin.ModelAdmin):
    list_display = ("name", "title", "client", "phone", "email")
    list_filter = ("client__category",)
    search_fields = ("name", "title", "client__name", "phone", "email")
    autocomplete_fields = ["client"]


class ReceptionGradeInline(admin.TabularInline):
    model = ReceptionGrade
    extra = 0
    fields = ("code", "name", "name_en", "rank", "active")


@admin.register(GradingScheme)
class GradingSchemeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en")
    search_fields = ("code", "name", "name_en")
    inlines = [ReceptionGradeInline]


class ReceptionStandardInline(admin.StackedInline):
    model = ReceptionStandard
    can_delete = False
    filter_horizontal = ["extras"]


@admin.register(ReceptionGrade)
class ReceptionGradeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "scheme", "rank", "active")
    list_filter = ("scheme", "active")
    list_editable = ("rank", "active")
    search_fields = ("code", "name", "name_en")
    inlines = [ReceptionStandardInline]


@admin.register(ReceptionStandard)
class ReceptionStandardAdmin(admin.ModelAdmin):
    list_display = (
        "grade",
        "meal_per_person",
        "wine_per_bottle",
        "cigarettes_per_pack",
        "hotel_class",
        "car_class",
        "main_host_role",
    )
    list_filter = ("grade__scheme", "main_host_role", "extras")
    search_fields = ("grade__name", "grade__name_en", "grade__code", "hotel_class", "car_class")
    filter_horizontal = ["extras"]


@admin.register(ReceptionExtra)
class ReceptionExtraAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en")
    search_fields = ("code", "name", "name_en")


@admin.register(ReceptionPolicy)
class ReceptionPolicyAdmin(admin.ModelAdmin):
    list_display = ("__str__", "company_name", "scheme", "lead_time_days", "handover_working_days")

    def has_add_permission(self, request):
        return not ReceptionPolicy.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False
