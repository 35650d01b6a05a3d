"""What a decision card shows of its subject beyond the step is filled in by the app that owns
the subject: approvals knows no visits module. That app registers a function (in its
AppConfig.ready) which reads, for a whole page of cards at once, what the cards show; the
queue calls it with the page's subjects and the reader."""

from collections.abc import Callable, Iterable

_preparers: list[Callable] = []


def on_cards(preparer: Callable) -> Callable:
    """Register preparer(subjects, user); it sets what the cards need on each subject."""
    if preparer not in _preparers:
        _preparers.append(preparer)
    return preparer


def prepare(subjects: Iterable, user) -> None:
    subjects = list(subjects)
    if subjects:
        for preparer in _preparers:
            preparer(subjects, user)
