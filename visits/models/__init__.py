from .desk import ItineraryItem, ProcedureStep, WalkIn, WalkInStatus, WelcomeDisplay
from .preparation import PrepStatus, PrepTask, PrepTaskTemplate, QuantityHint, StandardHint
from .requests import (
    ArrivalMode,
    EventKind,
    GuestKind,
    Origin,
    Purpose,
    Service,
    VisitEvent,
    Visitor,
    VisitRequest,
    VisitStatus,
    mask_id_number,
)
from .summary import VisitSummary

__all__ = [
    "ArrivalMode",
    "EventKind",
    "GuestKind",
    "ItineraryItem",
    "Origin",
    "PrepStatus",
    "PrepTask",
    "PrepTaskTemplate",
    "ProcedureStep",
    "Purpose",
    "QuantityHint",
    "Service",
    "StandardHint",
    "VisitEvent",
    "VisitRequest",
    "VisitStatus",
    "VisitSummary",
    "Visitor",
    "WalkIn",
    "WalkInStatus",
    "WelcomeDisplay",
    "mask_id_number",
]
