"""The visit app's choices in every template, so templates compare against the enum
(`task.status == PrepStatus.DONE`), never against a string literal."""

from approvals.models import DecidedAs, StepState

from .models import (
    BoardStatus,
    EventKind,
    ExportStatus,
    PrepStatus,
    StandardHint,
    VisitStatus,
    WalkInStatus,
)


def choices(request) -> dict:
    return {
        "VisitStatus": VisitStatus,
        "PrepStatus": PrepStatus,
        "StepState": StepState,
        "DecidedAs": DecidedAs,
        "EventKind": EventKind,
        "WalkInStatus": WalkInStatus,
        "BoardStatus": BoardStatus,
        "StandardHint": StandardHint,
        "ExportStatus": ExportStatus,
    }
