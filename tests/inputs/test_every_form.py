"""Every form each demo role's pages render is submitted as rendered (its own values, once per
submit button) and once with one valid change, as htmx posts it when it is an htmx form and
as a plain browser posts it; no answer is a server error. The pages themselves open without
one too.

A form that posts to the wrong function (as the visit page's staff form once did: every
submission answered 500) fails here, whoever renders it."""

import random

from .changes import one_change
from .site import submit, url_name

# Forms these tests must have reached, so that a walk that quietly stops finding them fails:
# the staff form of the visit page, an approval decision, a desk check-in or -out, a task's
# buttons, a walk-in answer, the filing form, a client, a summary, a delegation.
MUST_REACH = {
    "visits:staff",
    "approvals:decide",
    "visits:check",
    "visits:task_action",
    "visits:walk_in",
    "visits:create",
    "reception:client_create",
    "visits:summary",
    "approvals:delegations",
    "visits:itinerary",
    "visits:expenses",
}


def variants(form, rng):
    """(data, htmx, label): as rendered with each button, then one change."""
    buttons = form.buttons or [("", "")]
    for button in dict.fromkeys(buttons):
        yield form.data(button), form.htmx, f"as rendered, button {button[0]}={button[1]!r}"
    change = one_change(form, rng)
    if change is not None:
        changed, what = change
        yield changed.data(buttons[0]), False, f"changed {what}"


def test_every_form_every_role_renders_submits_without_a_server_error(demo_site, db):
    rng = random.Random(22)
    failures = [f for w in demo_site.walks.values() for f in w.failures]
    sent, reached = 0, set()
    for username, walked in demo_site.walks.items():
        client = demo_site.client_for(username)
        for form in walked.forms():
            reached.add(url_name(form.action))
            target = form.action if form.method == "post" else form.path
            for data, htmx, label in variants(form, rng):
                outcome = submit(client, form.method, target, data, htmx=htmx)
                sent += 1
                if outcome.server_error:
                    failures.append(
                        f"{username}: {form.describe()}\n    {label}: {data}\n"
                        f"    -> {outcome.status} {outcome.error}"
                    )
    pages = sum(len(w.pages) for w in demo_site.walks.values())
    print(f"{len(demo_site.walks)} roles, {pages} pages, {sent} form submissions")
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures)
    assert reached >= MUST_REACH, MUST_REACH - reached
