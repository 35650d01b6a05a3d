from django.contrib.auth.models import Group

from reception.loading import LoadReport, upsert
from reception.models import ReceptionGrade

from .models import ApprovalChain, ApprovalChainStep
from .seeds import CHAINS


def load_chains(*, scheme_code: str, report: LoadReport) -> None:
    """Load the scheme's approval chains; steps beyond the rulebook's are removed."""
    for grade_code, steps in CHAINS[scheme_code].items():
        grade = ReceptionGrade.objects.get(scheme__code=scheme_code, code=grade_code)
        chain = upsert(ApprovalChain, {"grade": grade}, {}, report)
        for position, step in enumerate(steps, start=1):
            values = {
                "name": step["name"],
                "name_en": step["name_en"],
                "role": Group.objects.get(name=step["role"]),
                "user": None,
                "grades_visit": step.get("grades_visit", False),
            }
            upsert(ApprovalChainStep, {"chain": chain, "position": position}, values, report)
        extra = chain.steps.filter(position__gt=len(steps))
        if extra.exists():
            extra.delete()
            report.record("updated", chain)
