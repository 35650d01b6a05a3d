"""/health/ for load balancers and monitors, with django-health-check.

200 when every check passes, 500 when one fails (what load balancers expect). The body is JSON
that names each check and says "ok" or "failing", nothing more: no host names, versions or
error texts for whoever can reach the URL. Why a check failed goes to the log (a warning with
the reason, from the `health_check` logger) and `manage.py health_check health --no-http`
prints it on the server.

Checks: the database and the cache always; with a broker (CELERY_BROKER_URL set) also the
broker and the beat heartbeat: the reminder sweep that beat starts every 5 minutes records
when it ran (reception.notifications.heartbeats), and the check fails when that is older than three
beat intervals, i.e. when the beat, the broker or every worker has stopped.

`HealthCheckMiddleware`, first in MIDDLEWARE, answers /health/ before host validation and the
HTTPS redirect: a load balancer probes each instance by its own address over plain HTTP.
"""

import asyncio
import dataclasses
from datetime import timedelta

from asgiref.sync import async_to_sync
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from reception.models import Job
from reception.notifications.heartbeats import last_run

from .celery import app as celery_app

HEALTH_PATH = "/health/"
BEAT_ENTRY = "sweep-reminders"  # the CELERY_BEAT_SCHEDULE entry whose task records the heartbeat
MISSED_BEATS = 3


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection."""

    timeout = timedelta(seconds=3)

    def run(self):
        try:
            with celery_app.connection_for_write(settings.CELERY_BROKER_URL) as connection:
                connection.ensure_connection(
                    max_retries=1, interval_start=0, interval_step=0, timeout=2
                )
        except Exception as error:  # kombu wraps most, but a transport may raise its own
            raise ServiceUnavailable("The broker does not answer.") from error


def beat_interval() -> timedelta:
    schedule = settings.CELERY_BEAT_SCHEDULE[BEAT_ENTRY]["schedule"]
    if isinstance(schedule, timedelta):
        return schedule
    return timedelta(seconds=float(schedule))  # type: ignore[arg-type]  # seconds, a number


@dataclasses.dataclass
class BeatHeartbeat(HealthCheck):
    """The reminder sweep, started by beat, ran within the last three beat intervals."""

    def run(self):
        # Runs in a thread of the check's executor, with a connection of its own: close it.
        try:
            last = last_run(Job.REMINDER_SWEEP)
        except DatabaseError as error:
            raise ServiceUnavailable("The heartbeat cannot be read.") from error
        finally:
            connection.close()
        if last is None:
            raise ServiceUnavailable("No reminder sweep has run yet.")
        age = timezone.now() - last
        if age > MISSED_BEATS * beat_interval():
            raise ServiceUnavailable(f"The last reminder sweep ran {age} ago.")


def checks() -> dict[str, HealthCheck]:
    """What /health/ checks, by the name its answer uses (read per request: settings may change
    in tests)."""
    found = {"database": Database(), "cache": Cache()}
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        found |= {"broker": Broker(), "beat": BeatHeartbeat()}
    return found


class HealthView(HealthCheckView):
    """Runs every check at once; JSON whatever the Accept header (no HTML, feeds or metrics).
    `?check=database&check=cache` runs only those (unknown names: 400)."""

    def get_checks(self):  # what `manage.py health_check health --no-http` runs too
        yield from checks().values()

    async def get(self, request, *args, **kwargs):
        named = checks()
        if wanted := request.GET.getlist("check"):
            if unknown := set(wanted) - set(named):
                return JsonResponse({"unknown checks": sorted(unknown)}, status=400)
            named = {name: check for name, check in named.items() if name in wanted}
        with self.get_executor() as executor:
            results = await asyncio.gather(*(c.get_result(executor) for c in named.values()))
        answers = {
            name: "failing" if result.error else "ok"
            for name, result in zip(named, results, strict=True)
        }
        healthy = all(answer == "ok" for answer in answers.values())
        return JsonResponse(
            {"status": "ok" if healthy else "failing", "checks": answers},
            status=200 if healthy else 500,
        )


health = login_not_required(HealthView.as_view())


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.health = async_to_sync(health)

    def __call__(self, request):
        if request.path_info == HEALTH_PATH and request.method in ("GET", "HEAD"):
            return self.health(request)
        return self.get_response(request)
