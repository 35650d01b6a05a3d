"""Generated inputs against every form and every query parameter the demo roles reach; no
answer is a server error.

What is fuzzed is found, not listed: the forms the pages of each demo role render (and of a
visitor not logged in: log-in, password reset, the lobby screen), and for every page and
export they reach, the query parameters its filter set declares, its GET forms and links
use, and its view's code reads (`request.GET.get("…")`). A new form, filter or parameter is
fuzzed without touching this file; `test_the_fuzz_reaches_every_page_of_the_urlconf` fails
when a new page is reached by no walk.

Each input changes one to three fields or parameters of what a browser would send, to values
drawn by hypothesis: any text (control and invisible characters, every script), numbers
beyond every integer column, impossible and far dates, digits Python's `isdigit` accepts and
`int` refuses, huge strings, injections, the form's own option values. Each request runs in a
savepoint that is rolled back, so every input meets the same data.

FUZZ_EXAMPLES sets how many inputs (default 1,000; e.g. FUZZ_EXAMPLES=10000 before a
release); FUZZ_SEED draws another sequence (the default run is the same every time). A
failure prints every input that answered 5xx, grouped by cause."""

import inspect
import os
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field

import pytest
from django.urls import resolve
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from .html_forms import Form, local, query_names
from .site import all_url_names, submit, url_name

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "1000"))
SEED = os.environ.get("FUZZ_SEED")

# Pages no walk fuzzes, and why. Everything else of the URLconf must be reached.
NOT_FUZZED = {
    "logout": "ends the session the walk runs in",
    "health": "answers ok or failing, for load balancers (tests/test_health.py)",
    "visits:visitor_information_pdf": "PDFs: seconds each; their one parameter is tested "
    "in tests/visits/test_documents.py",
    "visits:application_form_pdf": "as above",
    "visits:calendar_ics": "a token in the path, no parameters (tests/test_control_characters)",
    "visits:calendar_arrivals_ics": "as above",
    "password_reset_confirm": "reached only from an emailed link",
    "password_reset_complete": "a page without input",
    "password_reset_done": "a page without input",
    "notification_open": "posted from the bell's items, which the walk opens as links",
    "visits:task_assignee": "loaded into a task's row by htmx",
    "approvals:step": "a notification's link: redirects by the step in its path, reads no "
    "input (tests/visits/test_notification_links.py; ?step= is fuzzed on the queue)",
    "visits:task": "as above, by the task in its path (?visit= is fuzzed on the task pages)",
    "visits:undo_check": "posted by the board's undo bar for an event of the last minute; its "
    "one input is the event in its path (tests/visits/test_desk_undo.py)",
    "visits:export_job": "an export job's page, by the job in its path, its owner's only; the "
    "demo has no job (tests/visits/test_export_jobs.py)",
    "visits:export_download": "as above, the job's file",
    "visits:arrival": "an arrival at the gate, by the arrival in its path, opened from the gate's "
    "list; its forms are the check-in/out and decision posts (tests/visits/test_gate.py)",
    "visits:watch_entry": "a watch-list entry by its path, security's only; the demo keeps no "
    "watch list (tests/visits/test_gate.py)",
    "visits:watch_hit": "as above, a watch-list match",
    "visits:roll_call": "a roll call by its path; the demo starts none (tests/visits/test_gate.py)",
    "visits:guest_invitation": "a signed link opened without a session: its token is the input; "
    "bad, expired and revoked tokens and the form's input in tests/visits/test_guests.py",
    "visits:guest_accept": "as above",
    "visits:kiosk": "a kiosk's secret in the path, no session (tests/visits/test_guests.py)",
    "im_login": "the IM apps' sign-in: a platform's code and state, verified against the "
    "platform (tests/reception/test_im_login.py)",
    "im_login_callback": "as above",
    "im_card_action": "the platforms' signed card callbacks: forged, old and replayed ones in "
    "tests/reception/test_card_actions.py",
    "oidc_authentication_init": "OpenID Connect, off unless configured "
    "(tests/reception/test_oidc.py)",
    "oidc_authentication_callback": "as above",
}
ALWAYS_TRIED = {"page", "next", "q"}
READS_GET = re.compile(r"""GET\.get(?:list)?\(\s*(?:f)?["']([\w-]+)["']""")

SPECIAL = [
    "",
    " ",
    "0",
    "-1",
    "1.5",
    "1e309",
    "NaN",
    "inf",
    "²",  # isdigit() but not int()
    "٣",  # an Arabic-Indic 3: int() takes it
    "１２",
    "2147483648",  # one past PostgreSQL's integer
    "9223372036854775808",  # one past bigint
    "-9223372036854775809",
    "99999999999999999999999999",
    "2024-02-30",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2024-13-01T25:61",
    "2100-12-31T23:59",
    "a\x00b",
    "\x00",
    "\x1b[31m",
    "line\nbreak",
    "\u202eevil",
    "\ufeff",
    "<script>alert(1)</script>",
    "' OR '1'='1",
    "%",
    "_",
    "\\",
    "../../etc/passwd",
    "//evil.example/",
    "x",
    "on",
    "true",
    "null",
    "[]",
    "𠀀",
    "🙂",
    "x" * 5000,
    "测" * 600,
]


@dataclass
class Target:
    username: str
    method: str
    path: str
    names: list[str] = field(default_factory=list)  # the parameters or fields to vary
    form: Form | None = None
    known: list[str] = field(default_factory=list)  # values the page itself offers

    def __repr__(self):
        return f"{self.username or 'anonymous'} {self.method.upper()} {self.path}"


def view_parameters(path: str) -> set[str]:
    """The query parameters the view of `path` declares: its filter set's fields, and what
    its module's code reads from request.GET."""
    view = getattr(resolve(path.split("?", 1)[0]).func, "view_class", None)
    if view is None:
        return set()
    names = set()
    filterset = getattr(view, "filterset_class", None)
    if filterset is not None:
        for name, f in filterset.base_filters.items():
            widget = f.field.widget
            suffixes = getattr(widget, "suffixes", None)
            names |= {f"{name}_{s}" if s else name for s in suffixes} if suffixes else {name}
    names |= set(READS_GET.findall(inspect.getsource(inspect.getmodule(view))))
    return names


def fuzz_targets(walks) -> list[Target]:
    targets = []
    for username, walked in walks.items():
        gets: dict[str, set[str]] = defaultdict(set)
        known: dict[str, set[str]] = defaultdict(set)
        crawled = {url_name(local(page.url)) for page in walked.pages}
        for page in walked.pages:
            path = local(page.url)
            gets[path.split("?", 1)[0]] |= query_names(path)
            for link in filter(None, map(local, page.links)):
                base = link.split("?", 1)[0]
                name = url_name(base)
                if name is None or name in NOT_FUZZED:
                    continue
                if base in gets or name not in crawled:  # exports, what scripts load
                    gets[base] |= query_names(link)
            for form in page.forms:
                if form.method == "get":
                    gets[form.path] |= {f.name for f in form.fields}
                    known[form.path] |= {v for f in form.fields for v in f.options + [f.value]}
        for path, names in gets.items():
            names |= view_parameters(path) | ALWAYS_TRIED
            targets.append(Target(username, "get", path, sorted(names), None, sorted(known[path])))
        for form in walked.forms():
            if form.method != "post":
                continue
            names = sorted({f.name for f in form.fields} - {"csrfmiddlewaretoken"})
            values = sorted({v for f in form.fields for v in f.options + [f.value]})
            targets.append(Target(username, "post", form.action, names, form, values))
    return targets


CONTROLS = [chr(c) for c in (*range(0x00, 0x20), *range(0x7F, 0xA0))]
# Every kind of page and form is sent as rendered, then with every parameter and field set to
# each of these at once: the causes of the server errors found so far.
HOSTILE = ["a\x00b\x1b", "²", "9223372036854775808", "0001-01-01", "x", "NaN"]


def kinds(targets: list[Target]) -> dict[tuple, list[Target]]:
    """Targets grouped by what they are (method, URL name, fields): the same form on two
    visits' pages, or the same list seen by two roles, is one kind."""
    grouped = defaultdict(list)
    for target in targets:
        key = (target.method, url_name(target.path), tuple(sorted(map(digitless, target.names))))
        grouped[key].append(target)
    return dict(sorted(grouped.items(), key=lambda kv: repr(kv[0])))


def digitless(name: str) -> str:
    return re.sub(r"\d+", "#", name)


def base_data(target: Target, button=None) -> dict[str, list[str]]:
    if target.form is None:
        return {}
    return target.form.data(button or (target.form.buttons or [("", "")])[0])


def hostile_inputs(grouped: dict[tuple, list[Target]]):
    """(target, data): each kind as rendered, then once per HOSTILE value with every
    parameter set to it; the kind's targets (roles, objects) take turns."""
    for i, group in enumerate(grouped.values()):
        yield group[i % len(group)], base_data(group[i % len(group)])
        for j, value in enumerate(HOSTILE, start=1):
            target = group[(i + j) % len(group)]
            yield target, base_data(target) | {name: [value] for name in target.names}


def values(target: Target):
    single = st.one_of(
        st.sampled_from(SPECIAL),
        st.text(max_size=40),
        st.tuples(st.text(max_size=8), st.sampled_from(CONTROLS), st.text(max_size=8)).map("".join),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.dates().map(lambda d: d.isoformat()),
        st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
        *([st.sampled_from(target.known)] if target.known else []),
    )
    return st.lists(single, min_size=1, max_size=2)


@st.composite
def inputs(draw, grouped: dict[tuple, list[Target]]):
    """A kind of page or form (each as likely), one of its targets, and one to three of its
    fields or parameters changed, left out or added."""
    group = draw(st.sampled_from(list(grouped.values())))
    target = draw(st.sampled_from(group))
    buttons = (target.form.buttons or [("", "")]) if target.form is not None else [None]
    data = base_data(target, draw(st.sampled_from(buttons)))
    names = target.names + ["unexpected"]
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
    for name in chosen:
        if data and draw(st.integers(0, 9)) == 0:
            data.pop(name, None)  # a field left out
        else:
            data[name] = draw(values(target))
    htmx = target.form is not None and target.form.htmx and draw(st.booleans())
    return target, data, htmx


def test_the_fuzz_reaches_every_page_of_the_urlconf(demo_site):
    reached = {url_name(t.path) for t in fuzz_targets(demo_site.walks)}
    missing = all_url_names() - reached - set(NOT_FUZZED)
    assert not missing, f"pages no walk reaches (reach them, or say why in NOT_FUZZED): {missing}"


def test_generated_inputs_never_answer_a_server_error(demo_site, db):
    grouped = kinds(fuzz_targets(demo_site.walks))
    clients = {name: demo_site.client_for(name) for name in demo_site.walks}
    failures: dict[str, list[str]] = defaultdict(list)
    sent = 0

    def send(target, data, htmx=False):
        nonlocal sent
        outcome = submit(clients[target.username], target.method, target.path, data, htmx=htmx)
        sent += 1
        if outcome.server_error:
            failures[outcome.cause or f"status {outcome.status}"].append(
                f"{outcome.error}\n      {target!r}{' (htmx)' if htmx else ''} {data!r}"[:900]
            )

    wall, cpu = time.perf_counter(), time.process_time()
    for target, data in hostile_inputs(grouped):
        send(target, data)
    systematic = sent

    @settings(
        max_examples=max(EXAMPLES - systematic, EXAMPLES // 5),
        deadline=None,
        database=None,
        derandomize=SEED is None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(inputs(grouped))
    def fuzz(case):
        send(*case)

    if SEED is not None:
        fuzz = seed(int(SEED))(fuzz)
    fuzz()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"fuzz: {sent} inputs ({systematic} as rendered or with hostile values in every "
        f"field, {sent - systematic} generated) to {len(grouped)} kinds of forms and pages, "
        f"as {len(clients)} roles, in {wall:.0f} s ({cpu:.0f} s of CPU in this process)"
    )
    report = [
        f"{len(cases)} × {cause}\n    " + "\n    ".join(cases[:3])
        for cause, cases in sorted(failures.items(), key=lambda kv: -len(kv[1]))
    ]
    total = sum(len(c) for c in failures.values())
    assert not failures, f"{total} of {sent} inputs answered 5xx:\n" + "\n".join(report)


pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
