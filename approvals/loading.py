from django.contrib.auth.models import Group

from reception.models import ReceptionGrade, Site
from reception.policy.loading import LoadReport, load_row

from .models import ApprovalChain, ApprovalChainStep, EscalationTarget, EscalationTargetKind
from .rulebooks import CHAINS, SITE_CHAINS


def _step_values(step: dict) -> dict:
    return {
        "name": step["name"],
        "name_en": step["name_en"],
        "role": Group.objects.get(name=step["role"]),
        "user": None,
        "grades_visit": step.get("grades_visit", False),
    }


def _target_values(token: str) -> dict:
    """A rulebook escalation token: "delegate", "administrator" or a role code."""
    if token in (EscalationTargetKind.DELEGATE, EscalationTargetKind.ADMINISTRATOR):
        return {"kind": token, "role": None}
    return {"kind": EscalationTargetKind.ROLE, "role": Group.objects.get(name=token)}


def load_chains(*, scheme_code: str, report: LoadReport) -> None:
    """Load the scheme's approval chains: the group's, then the sites' own (SITE_CHAINS, for
    the sites the company has). A chain the company already has keeps its steps (added,
    removed or changed in the admin); a reset restores the rulebook's steps and removes the
    others. Escalation targets are loaded with their step; a step of an existing chain that
    never had any gets the rulebook's (see load_escalation)."""
    grades = {g.code: g for g in ReceptionGrade.objects.filter(scheme__code=scheme_code)}
    for grade_code, steps in CHAINS[scheme_code].items():
        _load_chain(grades[grade_code], None, steps, report)
    sites = {s.code: s for s in Site.objects.all()}
    for site_code, chains in SITE_CHAINS.get(scheme_code, {}).items():
        if site_code not in sites:
            continue
        for grade_code, steps in chains.items():
            _load_chain(grades[grade_code], sites[site_code], steps, report)


def _load_chain(
    grade: ReceptionGrade, site: Site | None, steps: list[dict], report: LoadReport
) -> None:
    chain = load_row(ApprovalChain, {"grade": grade, "site": site}, {}, report)
    if not (report.reset or report.created_in_this_run(chain)):
        if _differs(chain, steps):
            report.keep(chain, "its steps differ from the rulebook")
        else:
            for template, step in zip(chain.steps.order_by("position"), steps, strict=True):
                load_escalation(template, step["escalation"], report)
        return
    for position, step in enumerate(steps, start=1):
        lookup = {"chain": chain, "position": position}
        template = load_row(ApprovalChainStep, lookup, _step_values(step), report)
        load_escalation(template, step["escalation"], report)
    for extra in chain.steps.filter(position__gt=len(steps)):
        extra.delete()
        report.record("updated", chain, f"step removed: {extra}")


def load_escalation(template: ApprovalChainStep, tokens: list[str], report: LoadReport) -> None:
    """The rulebook's escalation targets of one chain step. A step that never had targets gets
    them; targets the company set (or removed: their history remembers) are kept, unless the
    report resets."""
    wanted = [_target_values(token) for token in tokens]
    have = list(template.escalation_targets.order_by("position"))
    configured = have or EscalationTarget.history.filter(step_id=template.pk).exists()
    if configured and not report.reset:
        want = [(w["kind"], w["role"].pk if w["role"] else None) for w in wanted]
        if [(t.kind, t.role_id) for t in have] != want:
            report.keep(template, "its escalation targets differ from the rulebook")
        return
    for position, values in enumerate(wanted, start=1):
        load_row(EscalationTarget, {"step": template, "position": position}, values, report)
    for extra in template.escalation_targets.filter(position__gt=len(wanted)):
        extra.delete()
        report.record("updated", template, f"escalation target removed: {extra}")


def _differs(chain: ApprovalChain, steps: list[dict]) -> bool:
    have = [
        (s.name, s.name_en, s.role_id, s.user_id, s.grades_visit)
        for s in chain.steps.order_by("position")
    ]
    want = [tuple(_step_values(s).values()) for s in steps]
    want = [(n, ne, role.pk, user, gv) for n, ne, role, user, gv in want]
    return have != want
