"""The company apps' access tokens, cached (Django cache) and refreshed before they expire."""

import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache

# A token is fetched again this long before the platform says it expires.
REFRESH_MARGIN = 300

# The clock a token's expiry is read against, in seconds (tests move it instead of waiting).
clock: Callable[[], float] = time.time


def cache_key(platform: str) -> str:
    return f"channels:token:{platform}:until"


def get_token(platform: str, fetch: Callable[[], tuple[str, int]]) -> str:
    """The cached token, or a new one from fetch() -> (token, expires_in seconds). A token is
    kept with the moment it must be replaced; the cache entry lives as long."""
    kept = cache.get(cache_key(platform))
    if kept and kept[1] > clock():
        return kept[0]
    token, expires_in = fetch()
    margin = getattr(settings, "CHANNEL_TOKEN_MARGIN", REFRESH_MARGIN)
    lifetime = max(int(expires_in) - margin, 1)
    cache.set(cache_key(platform), (token, clock() + lifetime), lifetime)
    return token


def forget_token(platform: str) -> None:
    cache.delete(cache_key(platform))
