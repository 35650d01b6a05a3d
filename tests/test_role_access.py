"""Each role sees only its own part: every page of the URLconf, opened by one user of each
role, answers as the table below says (200 shown, 403 not for this role, 404 out of scope,
405 for pages that only take a POST). A page missing from the table fails the test."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from approvals.models import Delegation, StepState
from approvals.services import decide
from reception.accounts.roles import Role
from reception.models import Department
from tests.factories import ClientFactory, file_visit, first_site, user_with
from visits.models import (
    ArrivalKind,
    CalendarFeed,
    ExportJob,
    ExportKind,
    LobbyKiosk,
    WalkIn,
    WatchHit,
    WelcomeDisplay,
)
from visits.services.arrivals import record_arrival
from visits.services.invitations import send_invitation
from visits.services.roll_call import start_roll_call
from visits.services.watch_list import save_entry

pytestmark = pytest.mark.django_db

R = Role
EVERYONE = set(Role)
VISIT_READERS = {
    R.SALES,
    R.MARKETING,
    R.MARKETING_HEAD,
    R.DEPUTY_GM,
    R.PRODUCT_DIRECTOR,
    R.RECEPTIONIST,
    R.DEPARTMENT_MEMBER,
    R.DEPARTMENT_HEAD,
    R.ADMINISTRATOR,
}
CLIENT_READERS = {
    R.SALES,
    R.PROJECT_ENGINEER,
    R.MARKETING,
    R.MARKETING_HEAD,
    R.DEPUTY_GM,
    R.GENERAL_MANAGER,
    R.PRODUCT_DIRECTOR,
    R.RECEPTIONIST,
    R.FRONT_DESK,
    R.OFFICE,
    R.ADMINISTRATOR,
}
APPROVERS = {
    R.MARKETING,
    R.MARKETING_HEAD,
    R.DEPUTY_GM,
    R.GENERAL_MANAGER,
    R.PRODUCT_DIRECTOR,
    R.ADMINISTRATOR,
}
DESK = {R.RECEPTIONIST, R.FRONT_DESK, R.SECURITY, R.ADMINISTRATOR}
TASKS = {R.DEPARTMENT_MEMBER, R.DEPARTMENT_HEAD, R.ADMINISTRATOR}
REPORT_READERS = {R.GENERAL_MANAGER, R.DEPUTY_GM, R.MARKETING_HEAD, R.ADMINISTRATOR}


def rule(allowed, *, ok=200, out=403, **special):
    """allowed roles get `ok`; others `out`; `special` maps a role value to its own answer."""
    return {"allowed": set(allowed), "ok": ok, "out": out, "special": special}


# The access table: URL name -> who gets what. The scenario below explains the objects.
ACCESS = {
    "home": rule(EVERYONE),
    "health": rule(EVERYONE),  # public for load balancers (config/health.py)
    # Signing in from the IM apps: someone signed in goes on to the page; a callback without
    # the state the sign-in sent is refused (tests/reception/test_im_login.py).
    "im_login": rule(EVERYONE, ok=302),
    "im_login_callback": rule(EVERYONE, ok=400),
    "im_card_action": rule(EVERYONE, ok=405),  # the platforms POST, verified by signature
    # Company single sign-on (OIDC): public, off (404) unless configured (test_oidc.py).
    "oidc_authentication_init": rule(EVERYONE, ok=404),
    "oidc_authentication_callback": rule(EVERYONE, ok=404),
    "logout": rule(EVERYONE, ok=405),
    "notifications": rule(EVERYONE),
    # opening a notification follows its link (the sales user's); anyone else's is a 404
    "notification_open": rule({R.SALES}, ok=302, out=404),
    "notifications_read_all": rule(EVERYONE, ok=405),
    "set_language": rule(EVERYONE, ok=302),
    "reception:client_list": rule(CLIENT_READERS),
    "reception:client_detail": rule(CLIENT_READERS),
    "visits:client_visits": rule(CLIENT_READERS),
    "reception:client_create": rule(
        {R.SALES, R.PROJECT_ENGINEER, R.OFFICE, R.MARKETING, R.MARKETING_HEAD, R.ADMINISTRATOR}
    ),
    # the client is owned by the sales user: other applicants may not edit it
    "reception:client_edit": rule(
        {R.SALES, R.MARKETING, R.MARKETING_HEAD, R.ADMINISTRATOR},
        project_engineer=404,
        office=404,
    ),
    "visits:list": rule(VISIT_READERS | {R.PROJECT_ENGINEER, R.GENERAL_MANAGER, R.HR, R.OFFICE}),
    "visits:list_export": rule(
        VISIT_READERS | {R.PROJECT_ENGINEER, R.GENERAL_MANAGER, R.HR, R.OFFICE}
    ),
    "visits:reports": rule(REPORT_READERS),
    "visits:report_export": rule(REPORT_READERS),
    "visits:visitor_log_export": rule(REPORT_READERS | {R.RECEPTIONIST, R.FRONT_DESK}),
    "visits:create": rule({R.SALES, R.PROJECT_ENGINEER, R.OFFICE, R.ADMINISTRATOR}),
    "visits:contact_options": rule({R.SALES, R.PROJECT_ENGINEER, R.OFFICE, R.ADMINISTRATOR}),
    # the searched selects' matches: the filing form's client; its staff, and the visit page's
    "visits:client_options": rule({R.SALES, R.PROJECT_ENGINEER, R.OFFICE, R.ADMINISTRATOR}),
    "visits:staff_options": rule(
        VISIT_READERS | {R.PROJECT_ENGINEER, R.GENERAL_MANAGER, R.HR, R.OFFICE}
    ),
    # an approved guest-grade visit filed by the sales user: the general manager never saw
    # it, the project engineer is in another department
    # approved guest-grade visit: the general manager and the marketing head were not in its
    # chain, HR sees visits once they are over; only its applicant edits it (administrators
    # use the admin)
    "visits:detail": rule(
        VISIT_READERS,
        project_engineer=404,
        general_manager=404,
        marketing_head=404,
        hr=404,
        office=404,
    ),
    "visits:visitor_information_pdf": rule(
        VISIT_READERS,
        project_engineer=404,
        general_manager=404,
        marketing_head=404,
        hr=404,
        office=404,
    ),
    "visits:application_form_pdf": rule(
        VISIT_READERS,
        project_engineer=404,
        general_manager=404,
        marketing_head=404,
        hr=404,
        office=404,
    ),
    # the spending page: whoever may open the visit reads it (entering waits for the visit's end)
    "visits:expenses": rule(
        VISIT_READERS,
        project_engineer=404,
        general_manager=404,
        marketing_head=404,
        hr=404,
        office=404,
    ),
    # only a POST decides an expense line or closes a follow-up action
    "visits:expense_decide": rule(EVERYONE, ok=405),
    "visits:follow_up_done": rule(EVERYONE, ok=405),
    "visits:edit": rule({R.SALES}, project_engineer=404, office=404, administrator=404),
    "visits:submit": rule({R.SALES}, ok=405, project_engineer=405, office=405, administrator=405),
    "visits:cancel": rule({R.SALES}, project_engineer=404, office=404, administrator=404),
    "visits:staff": rule(
        VISIT_READERS, ok=405, project_engineer=405, general_manager=405, hr=405, office=405
    ),
    # out of their scope: 404; in it, the rule visits.edit_itinerary refuses them: 403
    "visits:itinerary": rule(
        {R.SALES, R.RECEPTIONIST, R.DEPUTY_GM, R.ADMINISTRATOR},
        hr=404,
        project_engineer=404,
        office=404,
        general_manager=404,
        marketing_head=404,
    ),
    # sales belongs to the marketing department here: whoever belongs to or heads a
    # department sees its tasks, whatever their role (visits.see_department_tasks)
    "visits:tasks": rule(TASKS | {R.SALES}),
    "visits:my_tasks": rule(EVERYONE),
    # one task's link: to the page that lists it for the user, or "My tasks" saying it is not
    # theirs (the same answer whether it exists or not)
    "visits:task": rule(EVERYONE, ok=302),
    # only a POST acts, and only on a task in the user's reach (else 404)
    "visits:task_action": rule(EVERYONE, ok=405),
    # the office task's "assign" form: its head only (an administrator heads no department)
    "visits:task_assignee": rule({R.DEPARTMENT_HEAD}, administrator=404),
    "visits:preparation": rule({R.RECEPTIONIST, R.ADMINISTRATOR}),
    "visits:board": rule(DESK),
    "visits:desk": rule(DESK),
    "visits:check": rule({R.RECEPTIONIST, R.FRONT_DESK, R.ADMINISTRATOR}, ok=405),
    "visits:undo_check": rule({R.RECEPTIONIST, R.FRONT_DESK, R.ADMINISTRATOR}, ok=405),
    "visits:add_visitor": rule({R.RECEPTIONIST, R.FRONT_DESK, R.ADMINISTRATOR}, ok=405),
    "visits:arrangements": rule({R.RECEPTIONIST, R.ADMINISTRATOR}, ok=405),
    "visits:walk_ins": rule(DESK),
    "visits:walk_in_create": rule(DESK),
    "visits:host_options": rule(DESK),  # whom a walk-in may ask for: for who records them
    # the walk-in asks for the marketing user; the desk roles may look
    "visits:walk_in": rule(DESK | {R.MARKETING}, out=404),
    # the gate (docs/gate.md): whoever records walk-ins; the watch list is security's only
    "visits:gate": rule(DESK),
    # the gate acts on it; the office reads the government arrival it is told of (seed 001 十.2)
    "visits:arrival": rule(DESK, **{R.OFFICE.value: 200}),
    "visits:on_site": rule(DESK),
    "visits:on_site_pdf": rule(DESK),
    "visits:roll_calls": rule(DESK),
    "visits:roll_call": rule(DESK),
    "visits:watch_list": rule({R.SECURITY, R.ADMINISTRATOR}),
    "visits:watch_entry_create": rule({R.SECURITY, R.ADMINISTRATOR}),
    "visits:watch_entry": rule({R.SECURITY, R.ADMINISTRATOR}),
    "visits:watch_hit": rule({R.SECURITY, R.ADMINISTRATOR}, ok=405),
    "visits:welcome": rule(EVERYONE),
    # the guest's signed links open for anyone holding them (docs/guests.md)
    "visits:guest_invitation": rule(EVERYONE),
    "visits:guest_accept": rule(EVERYONE, ok=405),
    "visits:kiosk": rule(EVERYONE),
    "visits:invite": rule({R.SALES, R.PROJECT_ENGINEER, R.OFFICE, R.ADMINISTRATOR}, ok=405),
    "visits:scan": rule(DESK),
    "visits:badges": rule(DESK),
    "visits:calendar_feed": rule(EVERYONE),
    "visits:calendar_feed_rotate": rule(EVERYONE, ok=405),
    # the feeds open with their secret, whoever asks (here the front desk user's feed)
    "visits:calendar_ics": rule(EVERYONE),
    "visits:calendar_arrivals_ics": rule(EVERYONE),
    "visits:export_jobs": rule(EVERYONE),
    # an export job is its owner's (the front desk user's); a 404 for everyone else
    "visits:export_job": rule({R.FRONT_DESK}, out=404),
    "visits:export_download": rule({R.FRONT_DESK}, out=404),
    "visits:summaries": rule(
        APPROVERS | {R.SALES, R.PROJECT_ENGINEER, R.OFFICE, R.HR, R.DEPARTMENT_HEAD}
    ),
    # the visit is approved, not over: the summary page sends everyone back to the visit
    "visits:summary": rule(
        {R.SALES, R.MARKETING, R.DEPUTY_GM, R.PRODUCT_DIRECTOR, R.ADMINISTRATOR, R.DEPARTMENT_HEAD},
        ok=302,
        out=403,
        project_engineer=404,
        office=404,
        general_manager=404,
        marketing_head=404,
        hr=404,
    ),
    "approvals:queue": rule(APPROVERS),
    # a link about a decided step: to the visit page, with what became of it, for whoever may
    # open the visit; a 404 for everyone else, as for a step that does not exist
    "approvals:step": rule(VISIT_READERS, ok=302, out=404, marketing_head=404),
    "approvals:decide": rule(APPROVERS, ok=405),
    "approvals:bulk_approve": rule(APPROVERS, ok=405),
    "approvals:oversight": rule({R.ADMINISTRATOR}),
    "approvals:decide_as_administrator": rule({R.ADMINISTRATOR}, ok=405),
    "approvals:delegations": rule(APPROVERS),
    "approvals:end_delegation": rule(APPROVERS, ok=405),
}
# public: test_every_page_requires_login; the API (tokens): tests/api/test_role_matrix.py
PUBLIC_OR_ADMIN = ("login", "password_reset", "admin:", "api-v1:")


def named_urls():
    def walk(resolver, namespace=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = entry.namespace
                yield from walk(entry, f"{namespace}:{ns}" if namespace and ns else ns or namespace)
            elif isinstance(entry, URLPattern) and entry.name:
                yield f"{namespace}:{entry.name}" if namespace else entry.name

    return {n for n in walk(get_resolver()) if not n.startswith(PUBLIC_OR_ADMIN)}


def test_every_page_is_in_the_access_table():
    assert named_urls() == set(ACCESS), "add new pages to ACCESS, saying who may open them"


@pytest.fixture
def scenario(four_tier):
    users = {role: user_with(role, username=f"u_{role.value}") for role in Role}
    users[R.ADMINISTRATOR].is_superuser = True
    users[R.ADMINISTRATOR].save()
    sales = users[R.SALES]
    office = Department.objects.get(code="office")
    office.memberships.create(user=users[R.DEPARTMENT_MEMBER])
    office.memberships.create(user=users[R.DEPARTMENT_HEAD])
    office.head = users[R.DEPARTMENT_HEAD]
    office.save()
    marketing = Department.objects.get(code="marketing")
    marketing.memberships.create(user=sales)
    client = ClientFactory(account_owner=sales)
    client.contacts.create(name="孙立群")
    arrival = (timezone.localtime() + timedelta(days=1)).replace(hour=10, minute=0)
    visit = file_visit(
        sales,
        four_tier["guest"],
        client=client,
        arrival_at=arrival,
        departure_at=arrival + timedelta(hours=6),
        late_reason="急",
    )
    for role in (R.MARKETING, R.DEPUTY_GM, R.PRODUCT_DIRECTOR):
        step = visit.approval_steps.get(state=StepState.PENDING)
        decide(step=step, by=users[role], decision=StepState.APPROVED)
    task = visit.prep_tasks.filter(department=office).first()
    walk_in = WalkIn.objects.create(
        recorded_by=users[R.SECURITY],
        company="星河电子",
        names="王强",
        phone="13900001111",
        wants_to_see=users[R.MARKETING],
        purpose="参观",
    )
    display = WelcomeDisplay.objects.create(name="大堂")
    gate_arrival = record_arrival(
        by=users[R.SECURITY],
        site=first_site(),
        kind=ArrivalKind.objects.get(code="government"),
        name="赵师傅",
    )
    roll_call = start_roll_call(site=first_site(), by=users[R.SECURITY])
    watched = save_entry(by=users[R.SECURITY], kind="person", name="某人", reason="理由")
    hit = WatchHit.objects.create(entry=watched, where="walk_in", matched="某人", walk_in_id=1)
    invitation = send_invitation(visit=visit, by=sales)
    kiosk = LobbyKiosk.objects.create(name="大堂", site=visit.site)
    desk_feed = CalendarFeed.objects.create(user=users[R.FRONT_DESK])
    delegation = Delegation.objects.create(
        approver=users[R.MARKETING],
        delegate=users[R.MARKETING_HEAD],
        starts_on=timezone.localdate() + timedelta(days=30),  # not yet active
        ends_on=timezone.localdate() + timedelta(days=31),
    )
    note = sales.notifications.first()
    export = ExportJob.objects.create(
        owner=users[R.FRONT_DESK], kind=ExportKind.VISITOR_LOG, fmt="csv", status="done"
    )
    export.file.save("log.csv", ContentFile(b"a,b\n"))
    kwargs = {
        "reception:client_detail": {"pk": client.pk},
        "reception:client_edit": {"pk": client.pk},
        "visits:client_visits": {"pk": client.pk},
        "visits:detail": {"pk": visit.pk},
        "visits:visitor_information_pdf": {"pk": visit.pk},
        "visits:application_form_pdf": {"pk": visit.pk},
        "visits:edit": {"pk": visit.pk},
        "visits:submit": {"pk": visit.pk},
        "visits:cancel": {"pk": visit.pk},
        "visits:staff": {"pk": visit.pk},
        "visits:itinerary": {"pk": visit.pk},
        "visits:summary": {"pk": visit.pk},
        "visits:expenses": {"pk": visit.pk},
        "visits:expense_decide": {"pk": visit.pk, "line": 1},
        "visits:follow_up_done": {"pk": 1},
        "visits:task_action": {"pk": task.pk, "action": "done"},
        "visits:task_assignee": {"pk": task.pk},
        "visits:task": {"pk": task.pk},
        "visits:desk": {"pk": visit.pk},
        "visits:check": {"pk": visit.pk, "direction": "in"},
        "visits:undo_check": {"event": 1},
        "visits:add_visitor": {"pk": visit.pk},
        "visits:arrangements": {"pk": visit.pk},
        "visits:walk_in": {"pk": walk_in.pk},
        "visits:welcome": {"token": display.token},
        "visits:arrival": {"pk": gate_arrival.pk},
        "visits:roll_call": {"pk": roll_call.pk},
        "visits:watch_entry": {"pk": watched.pk},
        "visits:watch_hit": {"pk": hit.pk},
        "visits:list_export": {"fmt": "csv"},
        "visits:report_export": {"key": "visits-by-grade", "fmt": "xlsx"},
        "visits:visitor_log_export": {"fmt": "xlsx"},
        "visits:calendar_ics": {"token": desk_feed.token},
        "visits:calendar_arrivals_ics": {"token": desk_feed.token},
        "approvals:decide": {"pk": visit.approval_steps.first().pk},
        "approvals:step": {"pk": visit.approval_steps.first().pk},
        "approvals:decide_as_administrator": {"pk": visit.approval_steps.first().pk},
        "approvals:end_delegation": {"pk": delegation.pk},
        "notification_open": {"pk": note.pk},
        "im_login": {"platform": "wecom"},
        "im_login_callback": {"platform": "wecom"},
        "im_card_action": {"platform": "feishu"},
        "visits:export_job": {"pk": export.pk},
        "visits:export_download": {"pk": export.pk},
        "visits:guest_invitation": {"token": invitation.token},
        "visits:guest_accept": {"token": invitation.token},
        "visits:kiosk": {"token": kiosk.token},
        "visits:invite": {"pk": visit.pk},
        "visits:badges": {"pk": visit.pk},
    }
    return users, kwargs


def expected(name, role):
    entry = ACCESS[name]
    if role.value in entry["special"]:
        return entry["special"][role.value]
    return entry["ok"] if role in entry["allowed"] else entry["out"]


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_each_role_opens_only_its_own_pages(role, scenario, client):
    users, kwargs = scenario
    client.force_login(users[role])
    wrong = []
    for name in sorted(ACCESS):
        url = reverse(name, kwargs=kwargs.get(name))
        status = client.get(url).status_code
        want = expected(name, role)
        if status != want:
            wrong.append(f"{name}: got {status}, expected {want}")
    assert not wrong, "\n".join(wrong)
