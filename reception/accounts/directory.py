"""Directory login (LDAP / Active Directory): which roles a person's directory groups give.

Off unless LDAP_SERVER_URI is set (config/settings.py then puts django-auth-ldap's backend
after django-axes'). On every directory login django-auth-ldap sends `populate_user`;
`on_populate_user` gives the person the roles their groups map to in LDAP_ROLE_GROUPS:

    LDAP_ROLE_GROUPS="sales=CN=Sales,OU=Groups,DC=corp,DC=example;front_desk=CN=Reception,OU=Groups,DC=corp,DC=example"

Entries are separated by ";" (or new lines): a role code, "=", then a group's DN (or its plain
name, e.g. "sales=Sales"). A role may be listed several times, once per group. The directory
decides the roles the mapping names: a mapped role whose groups the person left is taken away
at their next login. Roles the mapping does not name stay as an administrator set them.
"""

import logging

from django.conf import settings
from django.contrib.auth.models import Group

from .roles import Role

log = logging.getLogger(__name__)


def parse_role_groups(text: str) -> dict[str, list[str]]:
    """{role code: [group DN or name, ...]} from the LDAP_ROLE_GROUPS text. An unknown role
    code is left out with a warning (a typo must not stop everybody logging in)."""
    mapping: dict[str, list[str]] = {}
    for entry in text.replace("\n", ";").split(";"):
        if not entry.strip():
            continue
        role, sep, group = entry.partition("=")
        role, group = role.strip(), group.strip()
        if not sep or not group:
            log.warning("LDAP_ROLE_GROUPS: %r is not role=group; ignored", entry.strip())
            continue
        if role not in Role.values:
            log.warning("LDAP_ROLE_GROUPS: unknown role %r; ignored", role)
            continue
        mapping.setdefault(role, []).append(group)
    return mapping


def _normal(name: str) -> str:
    """DNs compare without case and without spaces after commas."""
    return ",".join(part.strip() for part in name.split(",")).lower()


def directory_roles(*, group_dns, group_names, mapping: dict[str, list[str]]) -> set[str]:
    """The mapped roles whose groups (by DN or by name) the person belongs to."""
    held = {_normal(dn) for dn in group_dns} | {_normal(n) for n in group_names}
    return {role for role, groups in mapping.items() if any(_normal(g) in held for g in groups)}


def on_populate_user(sender, user, ldap_user, **kwargs):
    """django-auth-ldap's populate_user: bring the person's mapped roles in line with the
    directory's groups."""
    mapping = parse_role_groups(settings.LDAP_ROLE_GROUPS)
    if not mapping:
        return
    roles = directory_roles(
        group_dns=ldap_user.group_dns, group_names=ldap_user.group_names, mapping=mapping
    )
    if user.pk is None:  # the first login: the backend saves again afterwards
        user.set_unusable_password()
        user.save()
    wanted = [Group.objects.get_or_create(name=role)[0] for role in sorted(roles)]
    dropped = Group.objects.filter(name__in=set(mapping) - roles)
    user.groups.add(*wanted)
    user.groups.remove(*dropped)
