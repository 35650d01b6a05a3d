import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reception.roles import Role
from tests.factories import user_with


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
