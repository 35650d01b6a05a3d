"""Pages that act on one object ask its rule (visits/permissions.py) of that object."""

from rules.contrib.views import PermissionRequiredMixin


class RuleRequiredMixin(PermissionRequiredMixin):
    """`permission_required` names the rule (django-rules' permission set), asked of
    `get_permission_object()`: 403 when it refuses. `role_permission` is the role's Django
    permission the rule wraps, asked first, so that a role the page is not for gets 403 before
    anything is fetched, and a method the page does not take is 405 (as on every other page,
    tests/test_role_access.py); only then is the object fetched (404 outside the user's scope)
    and the rule asked."""

    role_permission: str = ""

    def dispatch(self, request, *args, **kwargs):
        if self.role_permission and not request.user.has_perm(self.role_permission):
            return self.handle_no_permission()
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)
