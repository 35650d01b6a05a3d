from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from io import StringIO
from time import monotonic
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache, caches
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from approvals import selectors as approval_selectors
from reception.accounts.roles import Role
from tests.factories import user_with
from visits import selectors

# The time of day every test runs at, unless it is marked `real_clock`: today (in the
# company's time zone) from 10:20, a working hour. The demo's "today" visit, the board and the
# reminders depend on the time of day; pinned, a run at 17:03 behaves as one at 10:20. The clock
# ticks (tick=True), and runs on across the session (a test starts at 10:20 plus the real time
# since the session began), so durations are real and what a later test writes is never dated
# before what an earlier one kept (the policy snapshot's history rows).
TEST_TIME_OF_DAY = time(10, 20)
_SESSION_STARTED = monotonic()


@pytest.fixture(autouse=True)
def _working_hours_clock(request):
    if request.node.get_closest_marker("real_clock"):
        yield
        return
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.combine(datetime.now(zone).date(), TEST_TIME_OF_DAY, tzinfo=zone)
    with time_machine.travel(start + timedelta(seconds=monotonic() - _SESSION_STARTED), tick=True):
        yield


@pytest.fixture(autouse=True)
def _nothing_kept_from_an_earlier_test():
    """What a user may do is kept between requests (reception/accounts/access.py), their visit
    scope and approval queue between calls (visits.selectors.visible_visits,
    approvals.selectors.queue_for), keyed by the user's id, creation time and access_version.
    A test starts with nothing an earlier one kept: on SQLite a rolled-back test's ids are
    given out again."""
    cache.clear()
    caches["template_fragments"].clear()  # rendered rows (a rolled-back test's ids recur)
    selectors._SCOPES.clear()
    approval_selectors._QUEUES.clear()
    # a request in Chinese leaves Chinese active in this thread: the next test starts in the
    # settings' language, whatever ran before it
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def make_user(db):
    """make_user(Role.SALES, username="x") -> a saved user holding those roles."""
    return user_with


@pytest.fixture
def login(client):
    """login(user) -> the test client, logged in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def sales(db):
    return user_with(Role.SALES, username="sales_a", full_name="张伟")


@pytest.fixture
def other_sales(db):
    return user_with(Role.SALES, username="sales_b", full_name="李娜")


@pytest.fixture
def marketing(db):
    return user_with(Role.MARKETING, username="marketing_a", full_name="刘洋")


@pytest.fixture
def count_queries(db):
    """count_queries(fn) -> how many SQL queries fn() runs (after one warm-up call)."""

    def _count(fn):
        fn()
        with CaptureQueriesContext(connection) as ctx:
            fn()
        return len(ctx.captured_queries)

    return _count


# ---- policy and the people of the approval chains ------------------------------------------


def _run_load_policy(scheme):
    call_command("load_policy", scheme, stdout=StringIO())


@dataclass
class PolicySnapshot:
    """The rows `load_policy <scheme>` writes into a database with no policy yet, table by
    table in an order that inserts every row after those it refers to, and the role groups
    (pk, name) they refer to."""

    tables: list[tuple[type[Model], list[dict]]]
    groups: dict[int, str]

    def fits(self) -> bool:
        """Copying the rows in gives what load_policy would: the policy's tables are empty and
        the role groups are the ones the rows name (a transactional test flushes the database,
        and migrate then makes the groups again, with other ids on PostgreSQL)."""
        if dict(Group.objects.values_list("pk", "name")) != self.groups:
            return False
        return not any(
            model._base_manager.exists()
            for model, _rows in self.tables
            if not model._meta.auto_created and not model.__name__.startswith("Historical")
        )

    def copy_in(self) -> None:
        for model, rows in self.tables:
            model._base_manager.bulk_create([model(**row) for row in rows])
        # Rows come with their ids: PostgreSQL's sequences move past them.
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(
                no_style(), [model for model, _rows in self.tables]
            ):
                cursor.execute(sql)


def _insert_order(models: list[type[Model]]) -> list[type[Model]]:
    """The models, each after the models its foreign keys point to (among these)."""
    ordered, left = [], list(models)
    while left:
        for model in left:
            targets = {
                f.related_model
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model is not model
            }
            if not targets & set(left):
                ordered.append(model)
                left.remove(model)
                break
        else:  # a cycle: deferred constraints (PostgreSQL, SQLite) take the rest as it comes
            ordered.extend(left)
            break
    return ordered


def _capture(scheme) -> PolicySnapshot | None:
    """Run load_policy inside a savepoint that is rolled back, and keep what it wrote. None
    when it changed rows that were there before (then only the command does what it does)."""
    models = [
        model
        for model in django_apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]

    def rows(model):
        return list(model._base_manager.order_by("pk").values())

    before = {model: rows(model) for model in models}
    with transaction.atomic():
        _run_load_policy(scheme)
        after = {model: rows(model) for model in models}
        transaction.set_rollback(True)
    changed = [m for m in models if after[m] != before[m]]
    if any(before[m] for m in changed):  # it changed rows that were there: not a copy
        return None
    return PolicySnapshot(
        tables=[(model, after[model]) for model in _insert_order(changed)],
        groups=dict(Group.objects.values_list("pk", "name")),
    )


# Taken the first time a test of the session asks for a scheme on a database without policy.
_SNAPSHOTS: dict[str, PolicySnapshot] = {}


def _no_policy_yet() -> bool:
    from reception.models import Department, GradingScheme, ReceptionGrade, ReceptionPolicy

    return not any(
        m.objects.exists() for m in (GradingScheme, ReceptionGrade, Department, ReceptionPolicy)
    )


def load_policy_fast(scheme: str) -> None:
    """`load_policy <scheme>` as tests need it, hundreds of times a run: the first time the
    command runs for real (and what it writes is kept), later its rows are copied in (two
    dozen inserts instead of ~430 queries and 0.7 s of Python). Where the copy would not be
    what the command does (policy rows already there, other role groups), the command runs."""
    if scheme not in _SNAPSHOTS and _no_policy_yet():
        snapshot = _capture(scheme)
        if snapshot is not None:
            _SNAPSHOTS[scheme] = snapshot
    snapshot = _SNAPSHOTS.get(scheme)
    if snapshot is not None and snapshot.fits():
        snapshot.copy_in()
    else:
        _run_load_policy(scheme)


def _grades(scheme):
    from reception.models import ReceptionGrade

    return {g.code: g for g in ReceptionGrade.objects.filter(scheme__code=scheme)}


@pytest.fixture
def four_tier(db):
    load_policy_fast("four-tier")
    return _grades("four-tier")


@pytest.fixture
def abc(db):
    load_policy_fast("abc")
    return _grades("abc")


@pytest.fixture
def staff(db):
    """One user per approving and receiving role, named after it."""
    from types import SimpleNamespace

    return SimpleNamespace(
        marketing=user_with(Role.MARKETING, username="mkt", full_name="刘洋"),
        marketing_head=user_with(Role.MARKETING_HEAD, username="mkt_head", full_name="陈静"),
        deputy_gm=user_with(Role.DEPUTY_GM, username="dgm", full_name="杨军"),
        gm=user_with(Role.GENERAL_MANAGER, username="gm", full_name="赵敏"),
        director=user_with(Role.PRODUCT_DIRECTOR, username="director", full_name="黄磊"),
        receptionist=user_with(Role.RECEPTIONIST, username="reception", full_name="周婷"),
    )


# ---- Celery against a real (or unreachable) broker -----------------------------------------


@contextmanager
def celery_broker(url: str):
    """Publish tasks to `url` instead of running them eagerly, then restore the test setup."""
    from kombu import pools

    from config.celery import app
    from reception.notifications.notify import broker_pause

    def drop_connections():
        # The app's pools are kombu's global ones, one per broker URL: close and forget them
        # all, and the app's references to them (as Celery does after a fork).
        pools.reset()
        broker_pause.reset()  # a failure under one broker says nothing about the next
        app._pool = None
        if "amqp" in app.__dict__:
            app.amqp._producer_pool = None

    saved = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    drop_connections()
    app.conf.update(broker_url=url, task_always_eager=False)
    try:
        yield app
    finally:
        drop_connections()
        app.conf.update(saved)


@pytest.fixture
def fragments_lost_after_lookup(monkeypatch):
    """The kept fragments a page looked up are gone before it renders them (culled by another
    request's rows, say): every get_many of the fragment cache empties it after answering."""
    from django.core.cache import caches

    fragments = caches["template_fragments"]
    real_get_many = fragments.get_many

    def found_then_lost(keys, version=None):
        found = real_get_many(keys, version=version)
        fragments.clear()
        return found

    monkeypatch.setattr(fragments, "get_many", found_then_lost)
