from django.conf import settings
from django.utils.functional import SimpleLazyObject

from . import fragments as kept
from .accounts.roles import role_label, user_roles
from .models import Notification
from .navigation import ACCOUNT, NAVBAR_SHOWN, entries_for


def navigation(request):
    """The navbar's menus, the user's roles and unread count. Each is worked out when a
    template first reads it: base.html keeps the menus rendered ({% cache %}, keyed by the
    user's access version, the language and the path), so a page whose menus are kept reads
    none of them but the count."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def menus() -> dict:
        items = []
        for entry in entries_for(user):
            url = entry.url()
            items.append({"entry": entry, "url": url, "active": request.path.startswith(url)})
        # On a wide screen the first entries stand in the bar and the rest go under "More", so
        # the bar keeps one line for a person with many roles; a phone's menu lists them all.
        shown = NAVBAR_SHOWN if len(items) > NAVBAR_SHOWN + 1 else len(items)
        return {
            "nav_items": items[:shown],
            "nav_more": items[shown:],
            "nav_more_active": any(item["active"] for item in items[shown:]),
        }

    built = SimpleLazyObject(menus)
    return {
        "nav_items": SimpleLazyObject(lambda: built["nav_items"]),
        "nav_more": SimpleLazyObject(lambda: built["nav_more"]),
        "nav_more_active": SimpleLazyObject(lambda: built["nav_more_active"]),
        "account_items": SimpleLazyObject(
            lambda: [{"entry": entry, "url": entry.url()} for entry in entries_for(user, ACCOUNT)]
        ),
        "user_role_labels": SimpleLazyObject(
            lambda: sorted(str(role_label(code)) for code in user_roles(user))
        ),
        "unread_notifications": SimpleLazyObject(
            lambda: Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        ),
    }


def fragments(request):
    """What a kept fragment's key needs beside the row ({% cache fragment_seconds … %};
    reception/fragments.py): `fragment_scope` (the language and time zone) and
    `fragment_reader` (the reader and their access version), and for a fragment holding a
    form, `fragment_session` (the browser's hashed CSRF secret; the approval queue keys its
    cards in its view with the same fragments.session)."""
    return {
        "fragment_seconds": settings.FRAGMENT_CACHE_SECONDS,
        "fragment_scope": kept.scope(),
        "fragment_reader": kept.reader(getattr(request, "user", None)),
        # For fragments holding a form (the user's menu and the language switcher): this
        # browser's hashed CSRF secret, computed only when a fragment asks for it.
        "fragment_session": SimpleLazyObject(lambda: kept.session(request)),
    }
