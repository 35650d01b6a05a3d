"""Deciding on the card: buttons that act, through the same services and rules as the pages.

reception names no app above it. An app registers what a button does from its AppConfig.ready():

    register_card_action("approval_step", decide_from_card)

and puts buttons on the notifications it sends (`notify(..., buttons=[Button(...)])`). A
button either acts (`action`, `target`, `choice`: the platform calls back with them) or opens a
page (`url`: through the sign-in, e.g. "Return…", which needs a comment). When the platform calls
back (callbacks.py, verified per platform), `perform()` finds the person by their messaging
account, runs the handler in their language and records the event: the same event id twice is
a replay and does nothing again (it gets the first answer), so a decision is taken once.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from ...errors import RuleError
from .models import CardActionEvent, ChannelAccount


@dataclass(frozen=True)
class Button:
    label: Any  # a lazy string or Msg, rendered in the reader's language
    action: str = ""
    target: int = 0
    choice: str = ""
    url: str = ""  # a page to open instead of acting
    primary: bool = False

    def value(self) -> dict:
        return {"action": self.action, "target": self.target, "choice": self.choice}


@dataclass
class Outcome:
    """What a card says after an action: its title, what happened and who did it."""

    text: str
    done: bool = False
    title: str = ""
    url: str = ""
    replay: bool = False
    extra: dict = field(default_factory=dict)


Handler = Callable[..., Outcome]  # handler(*, user, target: int, choice: str) -> Outcome
_handlers: dict[str, Handler] = {}


def register_card_action(name: str, handler: Handler) -> None:
    _handlers[name] = handler


def perform(
    *, platform: str, external_id: str, event_id: str, value: dict, language: str = ""
) -> Outcome:
    """Run a card action once per event; a replayed event gets the first outcome back."""
    seen = CardActionEvent.objects.filter(platform=platform, event_id=event_id).first()
    if seen is not None:
        return Outcome(
            text=seen.outcome, done=seen.done, title=seen.title, url=seen.url, replay=True
        )
    account = (
        ChannelAccount.objects.filter(platform=platform, external_id=external_id)
        .select_related("user")
        .first()
    )
    user = account.user if account is not None else None
    with translation.override(language or (user.preferred_language if user else None)):
        handler = _handlers.get(str(value.get("action", "")))
        if user is None or not user.is_active:
            outcome = Outcome(text=_("Your account on this platform is not linked to Jiedai."))
        elif handler is None:
            outcome = Outcome(text=_("This button no longer does anything: open the page."))
        else:
            try:
                target = int(value.get("target") or 0)
                outcome = handler(user=user, target=target, choice=str(value.get("choice", "")))
            except RuleError as error:
                outcome = Outcome(text=str(error.message))
            except (ValueError, TypeError, LookupError):
                outcome = Outcome(text=_("This button no longer does anything: open the page."))
        outcome.text, outcome.title = str(outcome.text), str(outcome.title)
    try:
        with transaction.atomic():
            CardActionEvent.objects.create(
                platform=platform,
                event_id=event_id[:100],
                user=user,
                action=str(value.get("action", ""))[:40],
                target=int(value.get("target") or 0),
                choice=str(value.get("choice", ""))[:40],
                done=outcome.done,
                title=outcome.title[:200],
                outcome=outcome.text[:1000],
                url=outcome.url[:300],
            )
    except IntegrityError:  # the same event, processed at the same moment: the first one wins
        outcome.replay = True
    return outcome
