"""HTTP helpers: where a view may send the user back to, and who the client is."""

import unicodedata

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def is_local_path(target: str, request: HttpRequest) -> bool:
    """A path of this site: starts with one "/" (not "//" or "/\\"), no scheme, no host, no
    control character. Anything else ("x", "evil.example", "javascript:…") is not a place to
    send anyone: Django's redirect() would even take a bare word for a URL name."""
    return (
        target.startswith("/")
        and not any(unicodedata.category(char) == "Cc" for char in target)
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    )


def safe_next(request: HttpRequest, fallback: str, *args, target: str | None = None) -> str:
    """The POSTed (or GET) `next`, if it is a path of this site; otherwise `fallback`.

    `fallback` is a URL or a URL name (with `args`). `target` overrides the `next` parameter,
    e.g. for a link stored on a notification. A `next` that is not a local path (a bare
    word, another site, a scheme) counts as absent.
    """
    if target is None:
        target = request.POST.get("next") or request.GET.get("next") or ""
    if target and is_local_path(target, request):
        return target
    return resolve_url(fallback, *args)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the
    outermost of them saw (taken from the right of X-Forwarded-For, which a client can prefix
    with anything but cannot shorten)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")
