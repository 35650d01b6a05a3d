"""What every card holds, whatever the platform: title, text, a button to the exact page."""

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext


@dataclass
class Card:
    title: str
    text: str
    link: str
    button: str


def absolute(url: str) -> str:
    if not url:
        return settings.SITE_URL.rstrip("/") + "/"
    if url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL.rstrip("/") + url


def make_card(*, title: str, text: str, url: str, language: str) -> Card:
    with translation.override(language):
        button = gettext("Open in Jiedai")
    return Card(title=title, text=text, link=absolute(url), button=button)
