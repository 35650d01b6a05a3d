"""Deciding from the card in the IM apps (reception/notifications/channels/actions.py): accept a
walk-in, tick a preparation task. The same services and rules as the pages; declining a walk-in
needs a reason, so its button opens the page."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reception.notifications.channels.actions import Button, Outcome

from .. import links
from ..models import PrepTask, WalkIn

WALK_IN, TASK = "walk_in", "prep_task"


def walk_in_buttons(walk_in: WalkIn) -> list[Button]:
    return [
        Button(
            gettext_lazy("Accept"), action=WALK_IN, target=walk_in.pk, choice="accept", primary=True
        ),
        Button(gettext_lazy("Decline…"), url=reverse("visits:walk_in", args=[walk_in.pk])),
    ]


def task_buttons(task: PrepTask) -> list[Button]:
    return [Button(gettext_lazy("Done"), action=TASK, target=task.pk, choice="done", primary=True)]


def _at() -> str:
    return timezone.localtime().strftime("%H:%M")


def walk_in_from_card(*, user, target: int, choice: str) -> Outcome:
    from .walk_ins import accept_walk_in

    walk_in = WalkIn.objects.filter(pk=target).first()
    if walk_in is None:
        return Outcome(text=_("This walk-in no longer exists."))
    url = reverse("visits:walk_in", args=[walk_in.pk])
    title = f"{walk_in.names} · {walk_in.company}"
    if choice != "accept":
        return Outcome(text=_("Declining needs a reason: open the page."), title=title, url=url)
    visit = accept_walk_in(walk_in=walk_in, by=user)
    return Outcome(
        done=True,
        title=title,
        text=_("Accepted by %(user)s at %(time)s.") % {"user": user, "time": _at()},
        url=reverse("visits:detail", args=[visit.pk]),
    )


def task_from_card(*, user, target: int, choice: str) -> Outcome:
    from .preparation import complete_task

    task = PrepTask.objects.select_related("visit").filter(pk=target).first()
    if task is None:
        return Outcome(text=_("This task no longer exists."))
    title = f"{task.visit.reference} · {task.label}"
    task = complete_task(task=task, by=user)
    return Outcome(
        done=True,
        title=title,
        text=_("Done, ticked by %(user)s at %(time)s.") % {"user": user, "time": _at()},
        url=links.task(task),
    )


def register() -> None:
    from reception.notifications.channels.actions import register_card_action

    register_card_action(WALK_IN, walk_in_from_card)
    register_card_action(TASK, task_from_card)
