import re

from django.utils import translation

from . import access


class UserLanguageMiddleware:
    """A logged-in user's saved language wins over the browser's and the cookie's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class AccessMiddleware:
    """The user's permissions, roles and departments from the cache (reception/access.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            access.load(user)
        return self.get_response(request)


DOWNLOAD_TOKEN = re.compile(r"[A-Za-z0-9_-]{8,64}")
DOWNLOAD_COOKIE = "jiedai_download"


class DownloadStartedMiddleware:
    """A download link or form marked data-download (static/js/jiedai.js) sends a one-off
    token as ?download=…; its response, whatever it is, carries the token back in a short-lived
    cookie. The page polls for it and turns the link's spinner off once the file starts to
    arrive: a PDF or an export that takes seconds shows that it is being prepared."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        token = request.GET.get("download")
        if token and DOWNLOAD_TOKEN.fullmatch(token):
            response.set_cookie(
                DOWNLOAD_COOKIE,
                token,
                max_age=120,
                samesite="Lax",
                secure=request.is_secure(),
                httponly=False,  # read by the page's script
            )
        return response
