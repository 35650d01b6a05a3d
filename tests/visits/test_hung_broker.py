"""A broker that accepts connections and never answers (a stuck Redis, a half-open firewall)
never holds a page: the page gives up on the broker by itself (its time limits, BROKER_TIMEOUT:
about a second in all), the notifications wait unsent, and the sweep emails them once the
broker is back.

The broker is a real TCP listener on a free local port that accepts every connection and
never sends a byte, not a mock. It notes who ends each connection: the app, after its time
limit, or the listener itself after HANG_UP_AFTER seconds, which only a page without time
limits would wait for. So the tests need no stopwatch (a loaded machine made one fail). The
test commits its rows (transaction=True) so that the on-commit publishing runs exactly as in
production.
"""

import socket
import threading
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from approvals.models import StepState
from approvals.services import approvers_of
from reception.models import Notification
from reception.notifications.notify import broker_pause
from reception.notifications.tasks import send_unsent_notification_emails
from tests.conftest import celery_broker
from tests.factories import ClientFactory
from tests.visits.test_filing_page import post_data
from visits.models import VisitRequest, VisitStatus

pytestmark = pytest.mark.django_db(transaction=True)

# Without time limits a publish would wait forever: the listener hangs up after this long (16
# times BROKER_TIMEOUT), and notes it, so that such a regression fails the test instead of
# hanging it.
HANG_UP_AFTER = 8.0


@pytest.fixture
def hung_broker():
    """redis://127.0.0.1:<port>/0 where the port accepts connections and never answers."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)
    held, hung_up, stop = [], [], threading.Event()
    open_since = {}

    def client_left(conn) -> bool:
        """Read (and drop) what the client sent; True once it has closed the connection."""
        try:
            while data := conn.recv(4096):
                del data
        except BlockingIOError:
            return False
        except OSError:
            return True
        return True

    def accept_and_hold():
        while not stop.is_set():
            for conn, since in list(open_since.items()):
                if client_left(conn):
                    del open_since[conn]
                elif time.monotonic() - since > HANG_UP_AFTER:
                    hung_up.append(conn)
                    conn.close()
                    del open_since[conn]
            try:
                conn, _address = server.accept()
            except OSError:  # the accept timed out: look at `stop` again
                continue
            conn.setblocking(False)
            held.append(conn)
            open_since[conn] = time.monotonic()

    thread = threading.Thread(target=accept_and_hold, daemon=True)
    thread.start()
    port = server.getsockname()[1]
    try:
        yield SimpleNamespace(
            url=f"redis://127.0.0.1:{port}/0",
            accepted=held,
            hung_up=hung_up,
        )
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        server.close()


def test_filing_and_approving_give_up_on_the_broker_by_themselves_and_the_sweep_mails_later(
    hung_broker, four_tier, sales, staff, client
):
    company = ClientFactory(name="远航汽车零部件集团")
    with celery_broker(hung_broker.url):
        client.force_login(sales)
        assert client.get(reverse("visits:create")).status_code == 200  # the user opens the form
        response = client.post(
            reverse("visits:create"), post_data(four_tier["routine"], company, submit="1")
        )
        assert response.status_code == 302, response.content[:500]
        assert hung_broker.accepted and not hung_broker.hung_up
        visit = VisitRequest.objects.get()
        decisions = 0
        while step := visit.approval_steps.filter(state=StepState.PENDING).first():
            broker_pause.reset()  # each page meets the hung broker afresh: the worst case
            client.force_login(next(iter(approvers_of(step))))
            data = {f"step{step.pk}-decision": StepState.APPROVED}
            if step.grades_visit:
                data[f"step{step.pk}-grade"] = four_tier["routine"].pk
            tried = len(hung_broker.accepted)
            response = client.post(reverse("approvals:decide", args=[step.pk]), data)
            assert response.status_code == 302
            # it met the broker afresh, and gave up by itself (none waited for the hang-up)
            assert len(hung_broker.accepted) > tried and not hung_broker.hung_up, step.label
            decisions += 1
        assert hung_broker.accepted, "the pages never tried the broker"
    visit.refresh_from_db()
    assert visit.status == VisitStatus.APPROVED and decisions >= 2
    unsent = Notification.objects.filter(email_sent_at__isnull=True).count()
    assert unsent >= 3 and mail.outbox == []

    # The broker is back (tasks run again): the next sweep sends every email held back.
    sent = send_unsent_notification_emails(now=timezone.now() + timedelta(minutes=2))
    assert sent == unsent == len(mail.outbox)
    assert not Notification.objects.filter(email_sent_at__isnull=True).exists()


def test_after_one_failed_publish_the_process_waits_before_trying_the_broker_again(
    hung_broker, four_tier, sales, staff, client
):
    company = ClientFactory(name="远航汽车零部件集团")
    with celery_broker(hung_broker.url):
        client.force_login(sales)
        client.post(reverse("visits:create"), post_data(four_tier["routine"], company, submit="1"))
        tried = len(hung_broker.accepted)
        client.post(reverse("visits:create"), post_data(four_tier["routine"], company, submit="1"))
        assert broker_pause.active()
        assert len(hung_broker.accepted) == tried  # no new connection: nothing to wait for
    assert VisitRequest.objects.count() == 2
