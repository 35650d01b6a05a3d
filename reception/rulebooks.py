"""The two rulebooks' grades and standards, as data that `manage.py load_policy` loads.

four-tier: seed 001, 客户接待管理制度 (2014), sections 2, 4, 5, 7 and 9.
abc: seed 000, 接待管理规定, clause B. Its appendix 1 (the contents of each grade) is not in
the excerpt, so the A/B/C standards below mirror the four-tier VIP/guest/routine levels and
say so in their notes: a company using abc edits them in the admin.
"""

from decimal import Decimal
from typing import Any

from .accounts.roles import Role

EXTRAS = [
    # code, Chinese, English
    ("flowers", "鲜花", "Flowers"),
    ("table_name_cards", "桌牌", "Table name cards"),
    ("leader_pickup", "主陪领导亲自接送", "Main host leader picks up and sees off"),
]

_BMW = ("宝马及以上车辆接送", "BMW class or above")
_PASSAT = ("帕萨特及以上车辆接送", "Passat class or above")

SCHEMES: dict[str, dict[str, Any]] = {
    "four-tier": {
        "name": "四级接待（贵宾/嘉宾/商务/业务）",
        "name_en": "Four tiers (VIP / guest / business / routine)",
        "description": "客户接待管理制度（2014）：贵宾级、嘉宾级、商务级、业务级。",
        "grades": [
            {
                "code": "vip",
                "name": "贵宾级",
                "name_en": "VIP",
                "rank": 1,
                "description": "特别重要客户",
                "description_en": "Especially important customer",
                "standard": {
                    "meal_per_person": Decimal("150"),
                    "wine_per_bottle": Decimal("500"),
                    "cigarettes_per_pack": Decimal("40"),
                    "hotel_class": "四星级",
                    "hotel_class_en": "4-star hotel",
                    "car_class": _BMW[0],
                    "car_class_en": _BMW[1],
                    "hotel_room_price": Decimal("600"),
                    "car_trip_price": Decimal("400"),
                    "main_host_role": Role.GENERAL_MANAGER,
                    "main_host_note": "总经理主陪",
                    "main_host_note_en": "The general manager hosts",
                    "extras": ["flowers", "table_name_cards", "leader_pickup"],
                    "notes": "接待规格以嘉宾级为标准，贵宾级适当从繁。活动安排和礼品准备由主陪领导"
                    "根据业务需要确定标准。",
                    "notes_en": "The rules are written for the guest level; VIP is more "
                    "elaborate. Activities and gifts are set by the main host.",
                },
            },
            {
                "code": "guest",
                "name": "嘉宾级",
                "name_en": "Guest",
                "rank": 2,
                "description": "非常重要客户",
                "description_en": "Very important customer",
                "standard": {
                    "meal_per_person": Decimal("110"),
                    "wine_per_bottle": Decimal("300"),
                    "cigarettes_per_pack": Decimal("30"),
                    "hotel_class": "三星级",
                    "hotel_class_en": "3-star hotel",
                    "car_class": _PASSAT[0],
                    "car_class_en": _PASSAT[1],
                    "hotel_room_price": Decimal("450"),
                    "car_trip_price": Decimal("300"),
                    "main_host_role": Role.DEPUTY_GM,
                    "main_host_note": "至少一名副总经理主陪",
                    "main_host_note_en": "At least one deputy general manager hosts",
                    "extras": [],
                    "notes": "本制度的接待规格基本以嘉宾级客户为标准制定。活动安排和礼品准备由主陪"
                    "领导根据业务需要确定标准。",
                    "notes_en": "The reference level of the rules. Activities and gifts are "
                    "set by the main host.",
                },
            },
            {
                "code": "business",
                "name": "商务级",
                "name_en": "Business",
                "rank": 3,
                "description": "重要客户",
                "description_en": "Important customer",
                "standard": {
                    "meal_per_person": Decimal("80"),
                    "wine_per_bottle": Decimal("150"),
                    "cigarettes_per_pack": Decimal("25"),
                    "hotel_class": "高级商务酒店",
                    "hotel_class_en": "Superior business hotel",
                    "car_class": _PASSAT[0],
                    "car_class_en": _PASSAT[1],
                    "hotel_room_price": Decimal("350"),
                    "car_trip_price": Decimal("300"),
                    "main_host_role": Role.DEPUTY_GM,
                    "main_host_note": "至少一名副总经理主陪",
                    "main_host_note_en": "At least one deputy general manager hosts",
                    "extras": [],
                    "notes": "商务级客户应适当从简。活动安排和礼品准备由主陪领导根据业务需要"
                    "确定标准。",
                    "notes_en": "Simplified compared with the guest level. Activities and "
                    "gifts are set by the main host.",
                },
            },
            {
                "code": "routine",
                "name": "业务级",
                "name_en": "Routine",
                "rank": 4,
                "description": "一般客户",
                "description_en": "General customer",
                "standard": {
                    "meal_per_person": Decimal("60"),
                    "wine_per_bottle": Decimal("50"),
                    "cigarettes_per_pack": Decimal("15"),
                    "hotel_class": "一般商务酒店",
                    "hotel_class_en": "Ordinary business hotel",
                    "car_class": "",
                    "car_class_en": "",
                    "hotel_room_price": Decimal("250"),
                    "car_trip_price": Decimal("0"),
                    "main_host_role": Role.MARKETING_HEAD,
                    "main_host_note": "营销部长主陪",
                    "main_host_note_en": "The marketing department head hosts",
                    "extras": [],
                    "notes": "业务级客户应适当从简。活动安排和礼品准备由主陪领导根据业务需要"
                    "确定标准。",
                    "notes_en": "Simplified compared with the guest level. Activities and "
                    "gifts are set by the main host.",
                },
            },
        ],
    },
    "abc": {
        "name": "三级接待（A/B/C）",
        "name_en": "Three grades (A / B / C)",
        "description": "接待管理规定：客户接待等级分为A、B、C三级，内容参见附录1《客户分级接待内容"
        "参考表》。",
        "grades": [
            {
                "code": "a",
                "name": "A级",
                "name_en": "Grade A",
                "rank": 1,
                "description": "最高接待等级",
                "description_en": "Highest reception grade",
                "standard": {
                    "meal_per_person": Decimal("150"),
                    "wine_per_bottle": Decimal("500"),
                    "cigarettes_per_pack": Decimal("40"),
                    "hotel_class": "四星级",
                    "hotel_class_en": "4-star hotel",
                    "car_class": _BMW[0],
                    "car_class_en": _BMW[1],
                    "hotel_room_price": Decimal("600"),
                    "car_trip_price": Decimal("400"),
                    "main_host_role": Role.GENERAL_MANAGER,
                    "main_host_note": "总经理主陪",
                    "main_host_note_en": "The general manager hosts",
                    "extras": ["flowers", "table_name_cards", "leader_pickup"],
                    "notes": "附录1《客户分级接待内容参考表》未随摘录提供；此标准参照四级制贵宾级，"
                    "请按公司附录修改。",
                    "notes_en": "Appendix 1 of the regulation is not in the excerpt; these "
                    "values mirror the four-tier VIP level. Edit them to match your appendix.",
                },
            },
            {
                "code": "b",
                "name": "B级",
                "name_en": "Grade B",
                "rank": 2,
                "description": "中等接待等级",
                "description_en": "Middle reception grade",
                "standard": {
                    "meal_per_person": Decimal("110"),
                    "wine_per_bottle": Decimal("300"),
                    "cigarettes_per_pack": Decimal("30"),
                    "hotel_class": "三星级",
                    "hotel_class_en": "3-star hotel",
                    "car_class": _PASSAT[0],
                    "car_class_en": _PASSAT[1],
                    "hotel_room_price": Decimal("450"),
                    "car_trip_price": Decimal("300"),
                    "main_host_role": Role.DEPUTY_GM,
                    "main_host_note": "至少一名副总经理主陪",
                    "main_host_note_en": "At least one deputy general manager hosts",
                    "extras": [],
                    "notes": "附录1未随摘录提供；此标准参照四级制嘉宾级，请按公司附录修改。",
                    "notes_en": "Appendix 1 is not in the excerpt; these values mirror the "
                    "four-tier guest level. Edit them to match your appendix.",
                },
            },
            {
                "code": "c",
                "name": "C级",
                "name_en": "Grade C",
                "rank": 3,
                "description": "一般接待等级",
                "description_en": "General reception grade",
                "standard": {
                    "meal_per_person": Decimal("60"),
                    "wine_per_bottle": Decimal("50"),
                    "cigarettes_per_pack": Decimal("15"),
                    "hotel_class": "一般商务酒店",
                    "hotel_class_en": "Ordinary business hotel",
                    "car_class": "",
                    "car_class_en": "",
                    "hotel_room_price": Decimal("250"),
                    "car_trip_price": Decimal("0"),
                    "main_host_role": Role.MARKETING_HEAD,
                    "main_host_note": "营销部长主陪",
                    "main_host_note_en": "The marketing department head hosts",
                    "extras": [],
                    "notes": "附录1未随摘录提供；此标准参照四级制业务级，请按公司附录修改。",
                    "notes_en": "Appendix 1 is not in the excerpt; these values mirror the "
                    "four-tier routine level. Edit them to match your appendix.",
                },
            },
        ],
    },
}

# The order of authority among the approving roles (seed 001 §3 and §4: the general manager
# leads the reception group and approves VIP visits, the deputy general managers deputise and
# approve guest and business visits, the department heads — the marketing head approving
# routine visits, the product director confirming arrangements — are its members; marketing
# staff assess the grade). 1 is the highest. Approval steps escalate only to roles ranked at or
# above their own; roles not listed receive no escalation.
ROLE_RANKS = {
    Role.GENERAL_MANAGER: 1,
    Role.DEPUTY_GM: 2,
    Role.MARKETING_HEAD: 3,
    Role.PRODUCT_DIRECTOR: 3,
    Role.MARKETING: 4,
}
