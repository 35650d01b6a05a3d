from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reception.roles import Role
from tests.factories import user_with
from visits import selectors


@pytest.fixture(autouse=True)
def _nothing_kept_from_an_earlier_test():
    """What a user may do is kept between requests (reception/access.py) and their visit scope
    between calls (visits.selectors.visible_visits), keyed by the user's id, creation time and
    access_version. A test starts with nothing an earlier one kept: on SQLite a rolled-back
    test's ids are given out again."""
    cache.clear()
    selectors._SCOPES.clear()


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


def _load(scheme):
    from io import StringIO

    from django.core.management import call_command

    call_command("load_policy", scheme, stdout=StringIO())


@pytest.fixture
def four_tier(db):
    _load("four-tier")
    from reception.models import ReceptionGrade

    return {g.code: g for g in ReceptionGrade.objects.filter(scheme__code="four-tier")}


@pytest.fixture
def abc(db):
    _load("abc")
    from reception.models import ReceptionGrade

    return {g.code: g for g in ReceptionGrade.objects.filter(scheme__code="abc")}


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
    from reception.notify import broker_pause

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
