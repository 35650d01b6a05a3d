from .accounts.roles import role_label, user_roles
from .models import Notification
from .navigation import ACCOUNT, NAVBAR_SHOWN, entries_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
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
        "account_items": [
            {"entry": entry, "url": entry.url()} for entry in entries_for(user, ACCOUNT)
        ],
        "user_role_labels": sorted(str(role_label(code)) for code in user_roles(user)),
        "unread_notifications": Notification.objects.filter(
            recipient=user, read_at__isnull=True
        ).count(),
    }
