"""The company apps' access tokens, cached (Django cache) and refreshed before they expire."""

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache

# A token is fetched again this long before the platform says it expires.
REFRESH_MARGIN = 300


def cache_key(platform: str) -> str:
    return f"channels:token:{platform}"


def get_token(platform: str, fetch: Callable[[], tuple[str, int]]) -> str:
    """The cached token, or a new one from fetch() -> (token, expires_in seconds)."""
    token = cache.get(cache_key(platform))
    if token:
        return token
    token, expires_in = fetch()
    timeout = max(int(expires_in) - getattr(settings, "CHANNEL_TOKEN_MARGIN", REFRESH_MARGIN), 1)
    cache.set(cache_key(platform), token, timeout)
    return token


def forget_token(platform: str) -> None:
    cache.delete(cache_key(platform))
