"""Counting in the cache how often something happened lately, to refuse it past a limit.

Each count is a fixed window that starts with its first event. The cache is Django's default
(CACHES): shared by every worker when it is Redis or Memcached, per process otherwise.
"""

from django.core.cache import cache


def within(key: str, *, limit: int, seconds: int) -> bool:
    """Count one more event under `key`; True while the window holds at most `limit` of them.
    A limit or window of 0 turns the check off."""
    if limit <= 0 or seconds <= 0:
        return True
    key = f"throttle:{key}"
    if cache.add(key, 1, timeout=seconds):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr(): a new window
        cache.add(key, 1, timeout=seconds)
        return True
    return count <= limit
