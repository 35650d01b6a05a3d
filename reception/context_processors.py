from .models import Notification
from .navigation import entries_for
from .roles import role_label, user_roles


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = []
    for entry in entries_for(user):
        url = entry.url()
        items.append({"entry": entry, "url": url, "active": request.path.startswith(url)})
    return {
        "nav_items": items,
        "user_role_labels": sorted(str(role_label(code)) for code in user_roles(user)),
        "unread_notifications": Notification.objects.filter(
            recipient=user, read_at__isnull=True
        ).count(),
    }
