"""The rulebooks' approval chains: marketing grades the visit, the grade's approver signs,
the product director confirms the arrangements fit the grade (seed 001 §4, seed 000 D).

Each step's escalation (where it goes when nobody may decide it or it waits too long) keeps the
decision with the authority the rulebook names: first the approvers' delegates, then a role
ranked above the step's (reception.rulebooks.ROLE_RANKS) where the rulebook has one over it — the
marketing head over marketing's grading, the deputy general manager in charge over the marketing
head, the general manager over the deputy — then the administrators. The general manager's
and the product director's decisions go to no other role.
"""

from typing import Any

from reception.accounts.roles import Role

DELEGATE = "delegate"
ADMINISTRATOR = "administrator"

GRADING = {
    "name": "营销部评定接待等级",
    "name_en": "Marketing assesses the grade",
    "role": Role.MARKETING,
    "grades_visit": True,
    "escalation": [DELEGATE, Role.MARKETING_HEAD, ADMINISTRATOR],
}
CONFIRMATION = {
    "name": "产品经理/总监确认接待安排",
    "name_en": "Product director confirms the arrangements fit the grade",
    "role": Role.PRODUCT_DIRECTOR,
    "escalation": [DELEGATE, ADMINISTRATOR],
}
GM = {
    "name": "总经理审批",
    "name_en": "General manager approves",
    "role": Role.GENERAL_MANAGER,
    "escalation": [DELEGATE, ADMINISTRATOR],
}
DEPUTY_GM = {
    "name": "主管副总经理审批",
    "name_en": "Deputy general manager in charge approves",
    "role": Role.DEPUTY_GM,
    "escalation": [DELEGATE, Role.GENERAL_MANAGER, ADMINISTRATOR],
}
MARKETING_HEAD = {
    "name": "营销部长审批",
    "name_en": "Marketing head approves",
    "role": Role.MARKETING_HEAD,
    "escalation": [DELEGATE, Role.DEPUTY_GM, ADMINISTRATOR],
}

# A site's own chains, for a group whose sites approve differently: {scheme: {site code:
# {grade: steps}}}. A grade a site does not list follows the group's chain (CHAINS); a site
# code the company has no site for is passed over. The stock rulebooks give none.
SITE_CHAINS: dict[str, dict[str, dict[str, list[dict[str, Any]]]]] = {"four-tier": {}, "abc": {}}

CHAINS: dict[str, dict[str, list[dict[str, Any]]]] = {
    "four-tier": {
        "vip": [GRADING, GM, CONFIRMATION],
        "guest": [GRADING, DEPUTY_GM, CONFIRMATION],
        "business": [GRADING, DEPUTY_GM, CONFIRMATION],
        "routine": [GRADING, MARKETING_HEAD, CONFIRMATION],
    },
    "abc": {
        "a": [GRADING, GM, CONFIRMATION],
        "b": [GRADING, DEPUTY_GM, CONFIRMATION],
        "c": [GRADING, MARKETING_HEAD, CONFIRMATION],
    },
}
