"""The app's URLs plus the ceiling of `make bench`: an authenticated view that does nothing
but pass the same middleware (session, user, CSRF, locale). Loaded only by bench_settings."""

from django.http import HttpResponse
from django.urls import path

from .urls import urlpatterns as app_urlpatterns


def ceiling(request):
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


urlpatterns = [path("bench/ceiling/", ceiling, name="bench_ceiling"), *app_urlpatterns]
