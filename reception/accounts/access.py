"""What a user may do, read once and kept between requests: their permissions, their roles and
whether they belong to a department.

Every page asks these questions (the navbar alone asks a dozen), and reading them took four
queries a request. They are kept in the cache under a key that holds the user's
`access_version`, a number on their own row, which the auth middleware reads anyway. Whatever
changes the answers bumps that number (the signals below): a role given or taken, a group's
permissions, a membership, a department's head, a policy setting about who sees what (then
everyone's). The next request of that user, in any
process, then misses the cache and reads them again. ACCESS_CACHE_SECONDS bounds how long an
entry lives even so.

Measured 2026-12-07 (one warm request, the least of 20, with and without in turns; 2,000-visit
company, PostgreSQL): it saves four queries and 3–11 ms of CPU a page (home 11 ms, reports 7.7,
the queue 5.2, the visit lists 2.7–4.8, the bell 4.0), over the 1 ms a replacement of Django's
own per-request permission caching must save to stay.
"""

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db.models import Exists, F, Model, OuterRef, Q, QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone

from ..models import Department, ReceptionPolicy, StaffMembership, User
from .roles import role_group_ids, user_roles

M = TypeVar("M", bound=Model)

# The attributes the answers are kept in on the user object for the request: Django's
# permission caches (ModelBackend), the roles (reception.accounts.roles) and the department
# question.
FACTS = (
    "_user_perm_cache",
    "_group_perm_cache",
    "_perm_cache",
    "_jiedai_roles",
    "_jiedai_role_ids",
    "_departments",
    "_colleagues_see_requests",
)


def departments(user) -> dict[int, bool]:
    """The departments the user belongs to or heads: {id: whether they are a member} (a
    member may take a task nobody holds; a head who is not one assigns it instead). Kept with
    the user's answers: a membership or a head changed raises their access_version. Home
    reads it (its department's tasks): one query fewer a request there."""
    if not user.is_authenticated:
        return {}
    if not hasattr(user, "_departments"):
        member = StaffMembership.objects.filter(user=user, department=OuterRef("pk"))
        rows = (
            Department.objects.filter(Q(memberships__user=user) | Q(head=user))
            .annotate(member=Exists(member))
            .values_list("pk", "member")
            .distinct()
        )
        user._departments = dict(rows)
    return user._departments


def works_in_a_department(user) -> bool:
    """Belongs to or heads any department (kept on the user for the request)."""
    return bool(departments(user))


def colleagues_see_requests(user) -> bool:
    """The policy's colleague setting (ReceptionPolicy.colleagues_see_requests), kept with the
    user's answers: a change of it raises everyone's access_version (POLICY_FIELDS below)."""
    if not hasattr(user, "_colleagues_see_requests"):
        user._colleagues_see_requests = ReceptionPolicy.get().colleagues_see_requests
    return user._colleagues_see_requests


def _key(user) -> str:
    joined = int(user.date_joined.timestamp() * 1_000_000)  # a new user never reuses an entry
    flags = f"{int(user.is_active)}{int(user.is_superuser)}"
    return f"jiedai:access:{user.pk}:{joined}:{user.access_version}:{flags}"


def load(user) -> None:
    """Set the user's answers from the cache, or read them and keep them."""
    if not user.is_authenticated or settings.ACCESS_CACHE_SECONDS <= 0:
        return
    key = _key(user)
    facts = cache.get(key)
    if facts is None:
        user.get_all_permissions()
        user_roles(user)
        role_group_ids(user)
        departments(user)
        colleagues_see_requests(user)
        facts = {name: getattr(user, name) for name in FACTS if hasattr(user, name)}
        cache.set(key, facts, settings.ACCESS_CACHE_SECONDS)
    else:
        for name, value in facts.items():
            setattr(user, name, value)


def bump(user_ids) -> None:
    """The answers of these users changed: their next request reads them again."""
    ids = {pk for pk in user_ids if pk is not None}
    if ids:
        User.objects.filter(pk__in=ids).update(access_version=F("access_version") + 1)


def _group_members(group_ids) -> list[int]:
    return list(User.objects.filter(groups__in=group_ids).values_list("pk", flat=True))


# ---- what changes the answers --------------------------------------------------------------


@receiver(m2m_changed, sender=User.groups.through)
@receiver(m2m_changed, sender=User.user_permissions.through)
def _roles_or_own_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:  # user.groups.add(...): this user
        bump([instance.pk])
    elif action == "pre_clear":  # group.user_set.clear(): everyone in it
        bump(instance.user_set.values_list("pk", flat=True))
    else:  # group.user_set.add(users)
        bump(pk_set or [])


@receiver(m2m_changed, sender=Group.permissions.through)
def _group_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:  # group.permissions.add(...): the group's members
        bump(_group_members([instance.pk]))
    elif action == "pre_clear":  # permission.group_set.clear()
        bump(_group_members(instance.group_set.values_list("pk", flat=True)))
    else:
        bump(_group_members(pk_set or []))


@receiver(pre_delete, sender=Group)
def _group_deleted(sender, instance, **kwargs):
    bump(_group_members([instance.pk]))


@receiver(pre_delete, sender=Permission)
def _permission_deleted(sender, instance, **kwargs):
    bump(
        User.objects.filter(
            Q(user_permissions=instance) | Q(groups__permissions=instance)
        ).values_list("pk", flat=True)
    )


@receiver(pre_save, sender=StaffMembership)
@receiver(pre_save, sender=Department)
def _remember_who_it_was(sender, instance, **kwargs):
    field = "user_id" if sender is StaffMembership else "head_id"
    instance._access_before = (
        sender.objects.filter(pk=instance.pk).values_list(field, flat=True).first()
        if instance.pk
        else None
    )


@receiver(post_save, sender=StaffMembership)
@receiver(post_delete, sender=StaffMembership)
def _membership_changed(sender, instance, **kwargs):
    bump([instance.user_id, getattr(instance, "_access_before", None)])


@receiver(post_save, sender=Department)
@receiver(post_delete, sender=Department)
def _head_changed(sender, instance, **kwargs):
    bump([instance.head_id, getattr(instance, "_access_before", None)])


# The policy settings that decide who sees what (visits.selectors.visible_visits reads them
# when it builds a user's scope): a change makes everyone's next request build it again.
POLICY_FIELDS = ("colleagues_see_requests",)


def _policy_access(policy) -> tuple:
    return tuple(getattr(policy, name) for name in POLICY_FIELDS)


@receiver(pre_save, sender=ReceptionPolicy)
def _remember_policy(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and not set(update_fields) & set(POLICY_FIELDS):
        instance._access_before = _policy_access(instance)  # not saved: nothing to compare
        return
    stored = sender.objects.filter(pk=instance.pk).values_list(*POLICY_FIELDS).first()
    # a new row starts from the fields' defaults, which no scope has been built without
    instance._access_before = stored or _policy_access(ReceptionPolicy())


@receiver(post_save, sender=ReceptionPolicy)
def _policy_changed(sender, instance, **kwargs):
    if getattr(instance, "_access_before", None) != _policy_access(instance):
        User.objects.update(access_version=F("access_version") + 1)


def kept_for_user(
    store: dict[tuple, QuerySet[M]],
    user: User,
    build: Callable[[User], QuerySet[M]],
    *,
    limit: int = 1000,
) -> QuerySet[M]:
    """A queryset built once per user and kept in `store` (a process's dict) while what it
    depends on holds: the user (their access_version, raised by every change of roles,
    memberships or delegations; active and superuser flags) and the day (a delegation's dates).
    What it reads of other rows are subqueries, read by each query. Answers a copy: the kept
    one is never evaluated. A full store is emptied (a process holds a few hundred)."""
    key = (
        user.pk,
        user.date_joined,
        getattr(user, "access_version", None),
        user.is_active,
        user.is_superuser,
        timezone.localdate(),
    )
    kept = store.get(key)
    if kept is None:
        if len(store) >= limit:
            store.clear()
        kept = store[key] = build(user)
    return kept.all()
