"""Time both documents for a visit with 10 visitors and 30 preparation tasks.

    manage.py bench_documents [--repeat 5] [--out DIR]

Everything it creates happens inside one transaction that is rolled back, so the database
is left as it was; `make bench` runs it against a throw-away SQLite file besides. "Cold" is
the first render of a document in a fresh process (the very first one also starts
WeasyPrint's fonts); "warm" is the median of the renders after it.
"""

import shutil
import statistics
import subprocess
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from approvals.models import StepState
from approvals.services import decide
from reception.accounts.roles import Role
from reception.models import Client, ClientCategory, Department, ReceptionGrade, User
from reception.policy.services import ensure_roles
from visits import documents
from visits.models import ArrivalMode, ItineraryItem, PrepStatus, PrepTask
from visits.services.requests import file_visit_request

VISITORS = 10
TASKS = 30
LANGUAGES = ("zh-hans", "en")
RENDERERS = {
    "visitor information": documents.visitor_information_pdf,
    "application form": documents.application_form_pdf,
}
SURNAMES = "王李张刘陈杨黄赵吴周"


class Rollback(Exception):
    pass


def page_count(pdf: bytes) -> str:
    """Pages, as poppler's pdfinfo counts them ("?" without poppler-utils)."""
    if not shutil.which("pdfinfo"):
        return "?"
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, text=False)
    for line in info.stdout.decode(errors="replace").splitlines():
        if line.startswith("Pages:"):
            return line.split()[1]
    return "?"


def _person(role: str, n: int) -> User:
    user = User.objects.create(username=f"bench-{role}-{n}", full_name=f"测试{n}号")
    user.groups.add(Group.objects.get(name=role))
    return user


def _holder(group: Group) -> User:
    return group.user_set.filter(is_active=True).order_by("pk").first() or _person(group.name, 0)


def build_visit():
    """A top-grade visit, filed and approved through the services, with 10 visitors,
    30 preparation tasks (the rulebook's, topped up) and an itinerary."""
    ensure_roles()
    if not ReceptionGrade.objects.current().exists():
        call_command("load_policy", "four-tier", stdout=StringIO())
    grade = ReceptionGrade.objects.current().first()
    applicant = _person(Role.SALES, 1)
    client, _created = Client.objects.get_or_create(
        name="远航汽车零部件集团(性能测试)",
        defaults={"name_en": "Yuanhang Auto Parts (bench)", "category": ClientCategory.REFERRED},
    )
    arrival = (timezone.localtime() + timedelta(days=14)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    data = {
        "client": client,
        "purposes": ["inspection", "contract_signing", "product_audit"],
        "reason": "考察新生产线,审核产品质量并签订年度采购框架协议",
        "proposed_grade": grade,
        "arrival_at": arrival,
        "departure_at": arrival + timedelta(hours=32),
        "arrival_mode": ArrivalMode.AIRPORT,
        "arrival_point": "上海浦东机场 T2,MU5101 09:30 落地",
        "headcount": VISITORS,
        "services": ["car", "guided_tour", "fruit", "welcome_banner", "invite_leader"],
        "banner_text": "热烈欢迎远航汽车零部件集团领导莅临指导",
        "meals": 3,
        "meal_staff": 4,
        "rooms": 6,
        "nights": 1,
        "meeting_room": "一号会议室",
    }
    visitors = [
        {
            "name": f"{SURNAMES[i]}{'立群晓彤志远国华敏杰'[i]}",
            "title": "采购经理",
            "phone": f"1390013{9000 + i}",
            "id_number": f"31010119800101{1000 + i}",
        }
        for i in range(VISITORS)
    ]
    visit = file_visit_request(applicant=applicant, data=data, visitors=visitors, submit=True)
    while step := visit.approval_steps.filter(state=StepState.PENDING).first():
        approver = step.user or _holder(step.role)
        decide(step=step, by=approver, decision=StepState.APPROVED, comment="同意")
    visit.refresh_from_db()
    live = visit.prep_tasks.exclude(status=PrepStatus.CANCELLED)
    department = Department.objects.order_by("code").first()
    PrepTask.objects.bulk_create(
        PrepTask(
            visit=visit,
            department=department,
            name=f"补充准备事项 {n}",
            name_en=f"Extra preparation {n}",
            due_date=arrival.date() - timedelta(days=1),
        )
        for n in range(1, TASKS - live.count() + 1)
    )
    for task in live.order_by("pk")[:10]:
        task.status, task.done_by, task.done_at = PrepStatus.DONE, applicant, timezone.now()
        task.save()
    for hours, title in [(0, "接机"), (1.5, "公司介绍"), (2.5, "参观总装车间"), (4, "午餐")]:
        ItineraryItem.objects.create(
            visit=visit, starts_at=arrival + timedelta(hours=hours), title=title
        )
    return visit


class Command(BaseCommand):
    help = (
        "Print cold and warm render times of both documents for a visit with 10 visitors and "
        "30 preparation tasks. Rolls everything back; `make bench` uses a throw-away database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=5, help="warm renders per document")
        parser.add_argument("--out", type=Path, help="also write the PDFs into this folder")

    def handle(self, *args, repeat, out, **options):
        if repeat < 1:
            raise CommandError("--repeat must be at least 1")
        try:
            # No mail leaves: on-commit notifications never run in a rolled-back transaction.
            with (
                override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
                transaction.atomic(),
            ):
                self.bench(repeat, out)
                raise Rollback
        except Rollback:
            self.stdout.write("(everything the benchmark created was rolled back)")

    def bench(self, repeat, out):
        visit = build_visit()
        tasks = visit.prep_tasks.exclude(status=PrepStatus.CANCELLED).count()
        start = time.perf_counter()
        import weasyprint  # noqa: F401 - timed on its own, so cold renders do not hide it

        imported = time.perf_counter() - start
        self.stdout.write(
            f"{visit.reference}: {visit.visitors.count()} visitors, {tasks} preparation tasks, "
            f"grade {visit.grade}; WeasyPrint {weasyprint.__version__}, "
            f"imported in {imported:.2f} s"
        )
        runs = [(name, lang) for lang in LANGUAGES for name in RENDERERS]
        cold = {run: self.render(visit, *run) for run in runs}
        warm = {run: [self.render(visit, *run) for _ in range(repeat)] for run in runs}
        self.stdout.write(
            f"{'document':<34}{'cold':>8}{'warm':>8}{'max':>8}{'pages':>7}{'KB':>6}{'queries':>9}"
        )
        slowest = 0.0
        for run in runs:
            name, lang = run
            seconds, pdf, queries = cold[run]
            times = [t for t, _pdf, _q in warm[run]]
            median = statistics.median(times)
            slowest = max(slowest, median)
            pages = page_count(pdf)
            self.stdout.write(
                f"{f'{name} ({lang})':<34}{seconds:>7.2f}s{median:>7.2f}s{max(times):>7.2f}s"
                f"{pages:>7}{len(pdf) // 1024:>6}{queries:>9}"
            )
            if out:
                out.mkdir(parents=True, exist_ok=True)
                (out / f"{name.replace(' ', '-')}-{lang}.pdf").write_bytes(pdf)
        verdict = "met" if slowest <= 0.5 else "NOT met"
        self.stdout.write(f"Target warm ≤ 0.50 s each: {verdict} (slowest warm {slowest:.2f} s)")

    def render(self, visit, name, language):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            pdf = RENDERERS[name](visit=visit, language=language)
            seconds = time.perf_counter() - start
        return seconds, pdf, len(ctx.captured_queries)
