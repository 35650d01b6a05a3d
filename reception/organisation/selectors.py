"""Read-side questions about organisation data that several pages ask."""

from functools import cache

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import translation

from ..accounts.roles import APPLICANT_ROLES, Role, role_label
from ..models import Client, Department, ReceptionGrade, StaffMembership, User
from ..validators import name_key
from .pinyin import full_pinyin, normalise


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


def _matches(key: str, *texts: str) -> bool:
    """Whether the typed key is in one of the texts, as written or in full pinyin."""
    return any(key in normalise(t) or key in full_pinyin(t) for t in texts if t)


@cache
def _role_texts() -> dict[str, tuple[str, ...]]:
    """Each role's label in every language (a fixed list: computed once per process)."""
    texts: dict[str, list[str]] = {role.value: [role.value] for role in Role}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for role in Role:
                texts[role.value].append(str(role.label))
    return {code: tuple(labels) for code, labels in texts.items()}


def search_staff(queryset: QuerySet[User], text: str) -> QuerySet[User]:
    """People by name, username, the name's pinyin (full "zhangwei" or initials "zw"), their
    department (its name in either language or its pinyin), their title there, or their role.
    A company has a few dozen departments and a fixed list of roles: those are matched here,
    the people in one query."""
    text = text.strip()
    key = normalise(text)
    if not key:
        return queryset
    q = Q(full_name__icontains=text) | Q(username__icontains=text) | Q(search_key__contains=key)
    departments = [
        d.pk
        for d in Department.objects.only("pk", "name", "name_en")
        if _matches(key, d.name, d.name_en)
    ]
    if departments:
        q |= Q(memberships__department__in=departments) | Q(headed_departments__in=departments)
    q |= Q(memberships__title__icontains=text)
    roles = [code for code, labels in _role_texts().items() if _matches(key, *labels)]
    if roles:
        q |= Q(groups__name__in=roles)
    return queryset.filter(pk__in=User.objects.filter(q).values("pk"))


def with_departments(queryset: QuerySet[User]) -> QuerySet[User]:
    """Prefetch what staff_label shows: memberships with their departments, and the roles."""
    memberships = StaffMembership.objects.select_related("department").order_by("department__code")
    return queryset.prefetch_related(Prefetch("memberships", queryset=memberships), "groups")


def staff_label(user: User) -> str:
    """'张伟 · 营销部 · 营业员': the name, the departments and the title there (else the roles),
    for pickers and wherever a name alone leaves "which one?" (use with_departments)."""
    memberships = list(user.memberships.all())
    departments = "、".join(dict.fromkeys(m.department.label for m in memberships))
    titles = "、".join(dict.fromkeys(m.title for m in memberships if m.title))
    roles = titles or "、".join(str(role_label(g.name)) for g in user.groups.all())
    return " · ".join(part for part in (user.get_full_name(), departments, roles) if part)


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


def users_with_role(role: str, *, site_id: int | None = None) -> QuerySet[User]:
    """The role's active holders; with site_id, those who work at that site or at every
    site (no site assigned): a site's reception staff."""
    people = User.objects.filter(groups__name=str(role), is_active=True)
    if site_id is not None:
        people = people.filter(serving_site(site_id))
    return people.order_by("pk")


def serving_site(site_id: int | None, path: str = "") -> Q:
    """A filter keeping the people who work at the site, or at every site (none assigned)."""
    if site_id is None:
        return Q()
    prefix = f"{path}__" if path else ""
    assigned = User.sites.through.objects.filter(user_id=OuterRef(f"{prefix}pk"))
    return Q(Exists(assigned.filter(site_id=site_id))) | Q(~Exists(assigned))
