"""Where a view may send the user back to: only a path on this site."""

from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, fallback: str, *args, target: str | None = None) -> str:
    """The POSTed (or GET) `next`, if it stays on this site; otherwise `fallback`.

    `fallback` is a URL or a URL name (with `args`). `target` overrides the `next` parameter,
    e.g. for a link stored on a notification.
    """
    if target is None:
        target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(fallback, *args)
