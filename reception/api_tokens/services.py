"""Creating, checking and revoking tokens; the per-token rate limit in the cache."""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import RuleError
from ..models import User
from . import scopes as scope_registry
from .models import ApiToken

TOKEN_START = "jd_"
# last_used_at is written at most once a minute per token, not on every call.
LAST_USED_EVERY = timedelta(minutes=1)


def digest_of(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(
    *,
    user: User,
    name: str,
    scopes: list[str],
    expires_at: datetime | None = None,
    per_minute: int = 120,
) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the token, which is never stored."""
    known = {s.code for s in scope_registry.all_scopes()}
    unknown = [s for s in scopes if s not in known]
    if unknown:
        raise RuleError(_("Unknown scope: %(scopes)s.") % {"scopes": ", ".join(unknown)})
    if not user.is_active:
        raise RuleError(_("An inactive user cannot hold a token."))
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        digest=digest_of(raw),
        scopes=list(dict.fromkeys(scopes)),
        expires_at=expires_at,
        per_minute=per_minute,
    )
    return token, raw


def authenticate(raw: str, *, now: datetime | None = None) -> ApiToken | None:
    """The usable token `raw` is, with its user, or None."""
    now = now or timezone.now()
    if not raw.startswith(TOKEN_START) or raw.count("_") < 2:
        return None
    prefix = raw[len(TOKEN_START) :].split("_", 1)[0]
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, digest_of(raw)):
        return None
    if not token.is_usable(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def over_rate_limit(token: ApiToken, *, now: datetime | None = None) -> bool:
    """Count one call in the token's current minute; True once it passes its limit."""
    if not token.per_minute:
        return False
    now = now or timezone.now()
    key = f"api-rate:{token.pk}:{int(now.timestamp() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        calls = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        calls = 1
    return calls > token.per_minute


def revoke_token(*, token: ApiToken) -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token
