"""What every card holds, whatever the platform: title, text, a button to the exact page."""

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext


@dataclass
class CardButton:
    """A button as a card shows it: its label in the reader's language, and either the value
    the platform calls back with or a link."""

    label: str
    value: dict | None = None
    link: str = ""
    primary: bool = False


@dataclass
class Card:
    title: str
    text: str
    link: str
    button: str
    actions: list[CardButton] = field(default_factory=list)


def absolute(url: str) -> str:
    if not url:
        return settings.SITE_URL.rstrip("/") + "/"
    if url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL.rstrip("/") + url


def sign_in_link(platform: str, path: str) -> str:
    """The page `path` through the sign-in from the platform's app (reception/accounts/
    im_login.py): a tap in WeCom, DingTalk or Feishu lands on the page signed in."""
    if not platform or path.startswith(("http://", "https://")):
        return path
    return reverse("im_login", args=[platform]) + "?" + urlencode({"next": path or "/"})


def make_card(
    *, title: str, text: str, url: str, language: str, platform: str = "", buttons=()
) -> Card:
    """`buttons`: actions.Button objects (deciding on the card, where the platform can)."""
    with translation.override(language):
        button = gettext("Open in Jiedai")
        actions = [
            CardButton(
                label=str(b.label.render(language) if hasattr(b.label, "render") else b.label),
                value=None if b.url else b.value(),
                link=absolute(sign_in_link(platform, b.url)) if b.url else "",
                primary=b.primary,
            )
            for b in buttons
        ]
    return Card(
        title=title,
        text=text,
        link=absolute(sign_in_link(platform, url)),
        button=button,
        actions=actions,
    )


@dataclass(frozen=True)
class GroupPost:
    """What a group robot posts for one event, whoever of its members the event concerns.

    `key` names the event (e.g. "walk_in:17"): a robot posts once per key, however many
    notify() calls the event makes. `title`/`body` are worded for a group (no "you", phones
    masked); left out, the notification's own title and body are used. `url` is the page a
    group's member opens (the personal link may differ per recipient)."""

    key: str
    title: Any = None
    body: Any = None
    url: str | None = None
