from django.contrib.auth.models import Group

from reception.loading import LoadReport, load_row
from reception.models import ReceptionGrade

from .models import ApprovalChain, ApprovalChainStep
from .seeds import CHAINS


def _step_values(step: dict) -> dict:
    return {
        "name": step["name"],
        "name_en": step["name_en"],
        "role": Group.objects.get(name=step["role"]),
        "user": None,
        "grades_visit": step.get("grades_visit", False),
    }


def load_chains(*, scheme_code: str, report: LoadReport) -> None:
    """Load the scheme's approval chains. A chain the company already has keeps its steps
    (added, removed or changed in the admin); a reset restores the rulebook's steps and removes
    the others."""
    for grade_code, steps in CHAINS[scheme_code].items():
        grade = ReceptionGrade.objects.get(scheme__code=scheme_code, code=grade_code)
        chain = load_row(ApprovalChain, {"grade": grade}, {}, report)
        if not (report.reset or report.created_in_this_run(chain)):
            if _differs(chain, steps):
                report.keep(chain, "its steps differ from the rulebook")
            continue
        for position, step in enumerate(steps, start=1):
            lookup = {"chain": chain, "position": position}
            load_row(ApprovalChainStep, lookup, _step_values(step), report)
        for extra in chain.steps.filter(position__gt=len(steps)):
            extra.delete()
            report.record("updated", chain, f"step removed: {extra}")


def _differs(chain: ApprovalChain, steps: list[dict]) -> bool:
    have = [
        (s.name, s.name_en, s.role_id, s.user_id, s.grades_visit)
        for s in chain.steps.order_by("position")
    ]
    want = [tuple(_step_values(s).values()) for s in steps]
    want = [(n, ne, role.pk, user, gv) for n, ne, role, user, gv in want]
    return have != want
