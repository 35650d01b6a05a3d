"""Read-side questions about organisation data that several pages ask."""

from django.db.models import Q, QuerySet

from .models import Client, ReceptionGrade, User
from .roles import APPLICANT_ROLES, Role
from .validators import name_key


def editable_clients(user: User) -> QuerySet[Client]:
    """Clients this user may edit: every client for marketing, otherwise the ones they own."""
    if user.has_perm("reception.change_any_client"):
        return Client.objects.all()
    if user.has_perm("reception.change_client"):
        return Client.objects.filter(account_owner=user)
    return Client.objects.none()


def account_owner_candidates() -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True, groups__name__in=[str(r) for r in APPLICANT_ROLES])
        .distinct()
        .order_by("full_name", "username")
    )


def project_engineer_candidates() -> QuerySet[User]:
    return User.objects.filter(is_active=True, groups__name=str(Role.PROJECT_ENGINEER)).order_by(
        "full_name", "username"
    )


def search_clients(queryset: QuerySet[Client], text: str) -> QuerySet[Client]:
    text = text.strip()
    if not text:
        return queryset
    found = Q(name__icontains=text) | Q(name_en__icontains=text) | Q(contacts__name__icontains=text)
    key = name_key(text)
    if key:  # also as written another way: 遠航 finds 远航, "xinghe." finds "Xinghe"
        found |= Q(name_key__contains=key)
    return queryset.filter(found).distinct()


def search_staff(queryset: QuerySet[User], text: str) -> QuerySet[User]:
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(Q(full_name__icontains=text) | Q(username__icontains=text))


def default_main_host(grade: ReceptionGrade | None) -> User | None:
    """The first active holder of the role the grade's standard names as main host."""
    standard = getattr(grade, "standard", None) if grade else None
    if standard is None or standard.main_host_role_id is None:
        return None
    return (
        User.objects.filter(groups=standard.main_host_role_id, is_active=True)
        .order_by("pk")
        .first()
    )


def users_with_role(role: str) -> QuerySet[User]:
    return User.objects.filter(groups__name=str(role), is_active=True).order_by("pk")
