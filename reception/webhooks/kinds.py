"""The event kinds a subscription may choose: registered by the apps that emit them."""

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class EventKind:
    code: str
    label: str | Promise


_KINDS: dict[str, EventKind] = {}


def register_event_kinds(*kinds: EventKind) -> None:
    for kind in kinds:
        _KINDS[kind.code] = kind


def choices() -> list[tuple[str, str | Promise]]:
    return [(k.code, k.label) for k in _KINDS.values()]


def is_known(code: str) -> bool:
    return code in _KINDS
