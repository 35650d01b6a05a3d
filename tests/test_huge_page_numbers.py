"""A page number past any list's end answers a page, never a server error: the board and the
lists that read their total with their rows (a window count) turned a page number into an
OFFSET, and 2**63 overflowed the database's integers (found by the fuzz test)."""

import pytest
from django.urls import reverse

from reception.accounts.roles import Role
from tests.factories import user_with

pytestmark = pytest.mark.django_db

HUGE = ["9223372036854775808", "9223372036854775807", "10000001", "1000001"]


@pytest.mark.parametrize("page", HUGE)
@pytest.mark.parametrize(
    "role, url, parameter",
    [
        (Role.FRONT_DESK, "visits:board", "page"),
        (Role.MARKETING, "approvals:queue", "page"),
        (Role.SALES, "reception:client_list", "page"),
        (Role.SALES, "visits:list", "page"),
    ],
)
def test_a_page_number_past_any_end_is_no_server_error(
    client, four_tier, role, url, parameter, page
):
    client.force_login(user_with(role))
    response = client.get(reverse(url), {parameter: page})
    assert response.status_code in (200, 404), response.status_code
