import re

from django.http import Http404, QueryDict
from django.utils import translation

from .accounts import access


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
    """The user's permissions, roles and departments from the cache
    (reception/accounts/access.py)."""

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


# Control characters no query value or path needs; a tab, a line break and a carriage return
# may come from a pasted search and do no harm.
KEPT_CONTROLS = {"\t", "\n", "\r"}
_CONTROLS = {
    c: None for c in (*range(0x00, 0x20), *range(0x7F, 0xA0)) if chr(c) not in KEPT_CONTROLS
}


def without_controls(text: str) -> str:
    return text.translate(_CONTROLS)


class ControlCharactersMiddleware:
    """Control characters never reach a view from the URL: PostgreSQL refuses a NUL in any
    text, so `?q=a%00b` answered 500 wherever a search or filter reached the database.

    Query-string keys and values lose them (what is left is searched for); a path holding one
    names no page (404): no URL of the project has one, and a token or a slug read from the
    path would reach a query. Form fields refuse them with a message on the field
    (reception/validators.py, TextRulesMixin; Django's own CharField refuses a NUL)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if without_controls(request.path_info) != request.path_info:
            raise Http404
        query = request.GET
        if any(
            without_controls(text) != text
            for key, values in query.lists()
            for text in (key, *values)
        ):
            cleaned = QueryDict(mutable=True)
            for key, values in query.lists():
                for value in values:
                    cleaned.appendlist(without_controls(key), without_controls(value))
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)
