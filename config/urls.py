import re

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import Http404
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from reception import views as reception_views
from reception.accounts import im_login, oidc
from reception.notifications.channels import callbacks as card_callbacks
from visits.api.app import urls as api_v1_urls
from visits.views import home as home_views

from .health import health

handler400 = reception_views.bad_request
handler403 = reception_views.permission_denied
# 404: Django's own view renders templates/404.html. 500: templates/500.html, or 503.html with
# Retry-After when the database does not answer; both without a request context, so they need
# neither the database nor a session.
handler500 = reception_views.server_error


def not_found(request):
    raise Http404


admin.site.site_header = _("Jiedai administration")
admin.site.site_title = _("Jiedai")
admin.site.index_title = _("Reception policy and organisation")

urlpatterns = [
    path("", home_views.HomeView.as_view(), name="home"),
    path("accounts/login/", oidc.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password-reset/",
        reception_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        reception_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # Signing in from WeCom, DingTalk and Feishu (reception/accounts/im_login.py), public.
    path("im/<str:platform>/", im_login.start, name="im_login"),
    path("im/<str:platform>/callback/", im_login.callback, name="im_login_callback"),
    # Company single sign-on (OpenID Connect, reception/accounts/oidc.py), public; 404 when off.
    path("oidc/authenticate/", oidc.authenticate, name="oidc_authentication_init"),
    path("oidc/callback/", oidc.callback, name="oidc_authentication_callback"),
    # Card action callbacks (deciding on the card), verified per platform.
    path("im/<str:platform>/card/", card_callbacks.card_action, name="im_card_action"),
    # For load balancers, public: says only "ok" or "failing" per check (config/health.py).
    path("health/", health, name="health"),
    path("i18n/setlang/", reception_views.set_language, name="set_language"),
    path("notifications/", reception_views.NotificationListView.as_view(), name="notifications"),
    path(
        "notifications/<int:pk>/open/",
        reception_views.NotificationOpenView.as_view(),
        name="notification_open",
    ),
    path(
        "notifications/read-all/",
        reception_views.NotificationReadAllView.as_view(),
        name="notifications_read_all",
    ),
    path("admin/", admin.site.urls),
    # The REST API (docs/api.md): tokens, not logins; 401 without one.
    path("api/v1/", api_v1_urls()),
    path("", include("reception.urls")),
    path("", include("visits.urls")),
    path("", include("approvals.urls")),
]

if settings.DEBUG:
    # MEDIA_ROOT/private/ (the export jobs' files) is never served: the download view is the
    # only way to a file, for its owner.
    urlpatterns += [re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}private/", not_found)]
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
