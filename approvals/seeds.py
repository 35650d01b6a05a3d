"""The rulebooks' approval chains: marketing grades the visit, the grade's approver signs,
the product director confirms the arrangements fit the grade (seed 001 §4, seed 000 D)."""

from typing import Any

from reception.roles import Role

GRADING = {
    "name": "营销部评定接待等级",
    "name_en": "Marketing assesses the grade",
    "role": Role.MARKETING,
    "grades_visit": True,
}
CONFIRMATION = {
    "name": "产品经理/总监确认接待安排",
    "name_en": "Product director confirms the arrangements fit the grade",
    "role": Role.PRODUCT_DIRECTOR,
}
GM = {"name": "总经理审批", "name_en": "General manager approves", "role": Role.GENERAL_MANAGER}
DEPUTY_GM = {
    "name": "主管副总经理审批",
    "name_en": "Deputy general manager in charge approves",
    "role": Role.DEPUTY_GM,
}
MARKETING_HEAD = {
    "name": "营销部长审批",
    "name_en": "Marketing head approves",
    "role": Role.MARKETING_HEAD,
}

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
