"""What the API answers and takes (Pydantic, through django-ninja): the OpenAPI schema's words."""

from datetime import date, datetime

from ninja import Schema
from pydantic import ConfigDict, Field


class Error(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(default_factory=dict)


class Person(Schema):
    id: int
    username: str
    full_name: str


class VisitOut(Schema):
    id: int
    reference: str | None
    status: str
    client_id: int | None
    client: str | None
    site: str | None
    arrival_at: datetime | None
    departure_at: datetime | None
    headcount: int | None
    applicant: Person
    main_host: Person | None
    grade: str | None
    updated_at: datetime


class VisitPage(Schema):
    items: list[VisitOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class VisitorOut(Schema):
    id: int
    name: str
    title: str
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    added_at_desk: bool


class VisitorIn(Schema):
    name: str
    title: str = ""
    phone: str = ""
    id_number: str = ""
    notes: str = ""


class VisitIn(Schema):
    """The filing form's fields (FILED_FIELDS), ids for the choices; left out: empty."""

    client: int | None = None
    contacts: list[int] = []
    origin: str | None = None
    guest_kind: str | None = None
    purposes: list[str] = []
    purpose_other: str = ""
    reason: str = ""
    proposed_grade: int | None = None
    site: int | None = None
    arrival_at: str | None = Field(None, description="YYYY-MM-DD HH:MM, local time")
    departure_at: str | None = Field(None, description="YYYY-MM-DD HH:MM")
    arrival_mode: str | None = None
    arrival_point: str = ""
    departure_point: str = ""
    headcount: int | None = None
    services: list[str] = []
    banner_text: str = ""
    service_other: str = ""
    meals: int | None = None
    meal_staff: int | None = None
    rooms: int | None = None
    nights: int | None = None
    wine_bottles: int | None = None
    cigarette_packs: int | None = None
    main_host: int | None = None
    accompanying_staff: list[int] = []
    sales_lead: int | None = None
    project_engineer: int | None = None
    meeting_room: str = ""
    notes: str = ""
    late_reason: str = ""
    visitors: list[VisitorIn] = []
    submit: bool = Field(False, description="Submit for approval at once (else a draft).")
    submission_token: str | None = Field(
        None, description="A UUID of your choosing: filing twice with it files once."
    )


class CheckIn(Schema):
    visitor_ids: list[int] | None = Field(None, description="Some visitors; empty: the group.")


class CheckedOut(Schema):
    visitors: list[VisitorOut]


class WalkInIn(Schema):
    company: str
    names: str
    headcount: int = 1
    phone: str = ""
    wants_to_see: int = Field(
        description="The user id of the person asked for (the staff upsert answers it)."
    )
    purpose: str = ""


class WalkInOut(Schema):
    id: int
    company: str
    headcount: int
    status: str
    recorded_at: datetime


class TaskOut(Schema):
    id: int
    visit_id: int
    name: str
    department: str
    due_date: date
    status: str
    needs_recheck: bool
    assignee: str | None


class TaskDone(Schema):
    note: str = ""
    car: str = ""
    driver: str = ""


class ClientIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str
    name_en: str = ""
    category: str = ""
    industry: str = ""
    scale: str | None = None
    cooperation_status: str | None = None
    notes: str = ""


class ClientOut(Schema):
    id: int
    external_id: str | None
    name: str
    name_en: str
    category: str
    industry: str
    created: bool = False


class StaffIn(Schema):
    model_config = ConfigDict(extra="forbid")

    username: str
    full_name: str
    email: str = ""
    phone: str = ""
    is_active: bool = True


class StaffOut(Schema):
    id: int
    employee_number: str | None
    username: str
    full_name: str
    email: str
    is_active: bool
    created: bool = False
