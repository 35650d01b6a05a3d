"""The app's URLs plus two references of `make bench`: the ceiling, an authenticated view that
does nothing but pass the same middleware (session, user, CSRF, locale), and the layout, an
empty page in base.html (navbar, bell, the user's menu): what every page costs before its own
content. Loaded only by bench_settings."""

from django.http import HttpResponse
from django.urls import path
from django.views.generic import TemplateView

from .urls import urlpatterns as app_urlpatterns


def ceiling(request):
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


urlpatterns = [
    path("bench/ceiling/", ceiling, name="bench_ceiling"),
    path("bench/layout/", TemplateView.as_view(template_name="base.html"), name="bench_layout"),
    *app_urlpatterns,
]
