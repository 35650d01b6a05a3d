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

__all__ = [
    "ArrivalMode",
    "EventKind",
    "GuestKind",
    "Origin",
    "PrepStatus",
    "PrepTask",
    "PrepTaskTemplate",
    "Purpose",
    "QuantityHint",
    "Service",
    "StandardHint",
    "VisitEvent",
    "VisitRequest",
    "VisitStatus",
    "Visitor",
    "mask_id_number",
]
