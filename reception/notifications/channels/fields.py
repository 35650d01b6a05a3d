"""Secrets kept encrypted in the database: robot webhook addresses and signing secrets.

The keys come from the environment: CHANNEL_SECRET_KEYS, one or more Fernet keys separated by
commas (`Fernet.generate_key()` makes one; docs/im-sign-in.md shows the command).
The first key encrypts; every key decrypts (MultiFernet), so a key is rotated by putting the new
one first, running `manage.py rotate_channel_secrets`, then removing the old one
(docs/im-sign-in.md). Without the setting a key is derived from SECRET_KEY, so that a
development machine works; production sets its own.

A stored value reads `fernet:<token>`; a value without the prefix (written before encryption)
is read as it is and encrypted the next time the row is saved.
"""

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "fernet:"


@cache
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        derived = hashlib.sha256(b"jiedai.channel-secrets:" + secret_key.encode()).digest()
        keys = (base64.urlsafe_b64encode(derived).decode(),)
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError:
        raise ImproperlyConfigured(
            "CHANNEL_SECRET_KEYS must be Fernet keys (32 url-safe base64 bytes), comma-separated."
        ) from None


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.CHANNEL_SECRET_KEYS), settings.SECRET_KEY)


def encrypt(value: str) -> str:
    if not value:
        return ""
    return PREFIX + fernet().encrypt(value.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored or not stored.startswith(PREFIX):
        return stored or ""
    try:
        return fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A channel secret cannot be decrypted with CHANNEL_SECRET_KEYS: was a key removed "
            "before `manage.py rotate_channel_secrets` ran?"
        ) from None


def rotate(stored: str) -> str:
    """The value encrypted again with the first key (plain values encrypted)."""
    if not stored:
        return ""
    if not stored.startswith(PREFIX):
        return encrypt(stored)
    return PREFIX + fernet().rotate(stored[len(PREFIX) :].encode()).decode()


class EncryptedTextField(models.TextField):
    """Text in the program, a Fernet token in the database."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value is not None else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        if isinstance(value, str) and value.startswith(PREFIX):
            return value
        return encrypt(value)
