"""Seed 001 §7 (division of labour) and seed 000 D (preparation, audits, technical
customers) as preparation task templates. `grades` names a group of grades per scheme."""

from typing import Any

from .models.requests import COMMERCIAL_GUESTS, NON_COMMERCIAL_GUESTS, PICKED_UP

# Seed 001 十.2: guests other than business customers are the office's. What marketing does
# for customers (organising, brochures, quotations, the project marketing lead's contact) and
# what only customers ask about (lead times, component brands, after-sales) is for these
# kinds of guest only; the office organises the others.
COMMERCIAL = [str(k) for k in COMMERCIAL_GUESTS]
NON_COMMERCIAL = [str(k) for k in NON_COMMERCIAL_GUESTS]

# Grade groups per scheme: which grades get the elaborate VIP extras, which get a car.
GRADE_GROUPS = {
    "four-tier": {"top": ["vip"], "high": ["vip", "guest"], "car": ["vip", "guest", "business"]},
    "abc": {"top": ["a"], "high": ["a", "b"], "car": ["a", "b"]},
}

DEPARTMENTS = {
    # code: (Chinese, English) — created by load_policy when a company has none yet
    "leadership": ("公司领导", "Company leadership"),
    "marketing": ("营销部", "Marketing"),
    "technology": ("技术部", "Technology"),
    "production": ("生产部", "Production"),
    "supply": ("供应部", "Supply"),
    "quality": ("品质保障部", "Quality assurance"),
    "office": ("办公室", "Office"),
    "logistics": ("后勤保障部", "Logistics"),
    "workshop": ("车间", "Workshop"),
}

# Seed 001 十.2: "商务客户外其他来宾接待由办公室负责": the department that receives
# non-commercial guests (ReceptionPolicy.non_commercial_department); its head hosts them.
NON_COMMERCIAL_DEPARTMENT = "office"

AUDITS = ["product_audit", "system_audit"]

# A site's own templates, for a plant whose division of labour differs: {site code: [template,
# with "replaces": the code of the group's template it stands in for at that site]}. A site
# without its own follows the group's (TEMPLATES); a site code the company lacks is passed
# over. The stock rulebooks give none.
SITE_TEMPLATES: dict[str, list[dict[str, Any]]] = {}

TEMPLATES: list[dict[str, Any]] = [
    # ---- main host leader ----
    {
        "code": "leader-vip-pickup",
        "department": "leadership",
        "name": "主陪领导亲自接送贵宾",
        "name_en": "Main host leader picks up and sees off the VIP guests",
        "grades": "top",
        "assign_to": "main_host",
        "time": "time",
        "due": 0,
    },
    # ---- office ----
    {
        "code": "office-organise",
        "department": "office",
        "name": "非商务来宾：组织安排接待工作，确认接待人员和日程，与来宾保持联系",
        "name_en": "Non-commercial guests: organise the reception, confirm the hosts and the "
        "schedule, stay in touch with the guests",
        "description": "商务客户外其他来宾接待由办公室负责，标准同上（接待管理制度 十.2）。",
        "description_en": "Guests other than business customers are received by the office, "
        "with the same standards (seed 001, section 十.2).",
        "guest_kinds": NON_COMMERCIAL,
        "time": "date",
        "due": 2,
    },
    {
        "code": "office-car",
        "department": "office",
        "name": "安排接站、送站车辆",
        "name_en": "Arrange the pick-up and drop-off car",
        "description": "按接待等级派车；确认航班/车次、接站地点和司机。",
        "description_en": "Car class by grade; confirm flight or train, pick-up point and driver.",
        "grades": "car",
        "services": ["car"],
        "due": 2,
        "quantity": "visitors",
        "standard": "car",
    },
    {
        "code": "office-meeting-room",
        "department": "office",
        "name": "会议室布置：茶水、水果、桌椅、投影、环境卫生，专人现场服务",
        "name_en": "Meeting room: tea, fruit, seating, projector, cleaning, a staff member on hand",
        "time": "none",
        "due": 1,
        "quantity": "seats",
    },
    {
        "code": "office-flowers-cards",
        "department": "office",
        "name": "贵宾会议室摆放鲜花、桌牌",
        "name_en": "Flowers and table name cards in the VIP meeting room",
        "grades": "top",
        "time": "none",
        "due": 1,
        "quantity": "seats",
    },
    {
        "code": "office-welcome-screen",
        "department": "office",
        "name": "制作大屏幕欢迎词",
        "name_en": "Welcome message on the big screen",
        "services": ["welcome_banner"],
        "time": "none",
        "due": 1,
    },
    {
        "code": "office-offsite-meals",
        "department": "office",
        "name": "公司外就餐安排",
        "name_en": "Off-site meals",
        "grades": "high",
        "needs_meals": True,
        "due": 2,
        "quantity": "meals",
        "standard": "meal",
    },
    {
        "code": "office-gifts",
        "department": "office",
        "name": "按领导指示准备礼品",
        "name_en": "Gifts as the main host directs",
        "grades": "high",
        "time": "none",
        "due": 2,
        "quantity": "visitors",
    },
    {
        "code": "office-hotel",
        "department": "office",
        "name": "来宾住宿安排",
        "name_en": "Book the guests' hotel",
        "needs_rooms": True,
        "time": "date",
        "due": 2,
        "quantity": "rooms",
        "standard": "hotel",
    },
    {
        "code": "office-return-tickets",
        "department": "office",
        "name": "购买返程车船票",
        "name_en": "Buy the return tickets",
        "arrival_modes": list(PICKED_UP),
        "time": "date",
        "due": 1,
        "quantity": "visitors",
    },
    # ---- logistics ----
    {
        "code": "logistics-cleaning",
        "department": "logistics",
        "name": "楼内及厂区卫生清理",
        "name_en": "Clean the buildings and the plant grounds",
        "time": "none",
        "due": 1,
    },
    {
        "code": "logistics-gate",
        "department": "logistics",
        "name": "开放公司大门迎接来宾车辆",
        "name_en": "Open the main gate for the guests",
        "due": 0,
    },
    {
        "code": "logistics-fruit",
        "department": "logistics",
        "name": "采购水果",
        "name_en": "Buy fruit",
        "services": ["fruit"],
        "time": "none",
        "due": 1,
        "quantity": "seats",
    },
    {
        "code": "logistics-flowers",
        "department": "logistics",
        "name": "采购鲜花",
        "name_en": "Buy flowers",
        "grades": "top",
        "time": "none",
        "due": 1,
    },
    {
        "code": "logistics-canteen",
        "department": "logistics",
        "name": "公司内就餐安排",
        "name_en": "On-site meals in the company canteen",
        "needs_meals": True,
        "due": 1,
        "quantity": "meals",
        "standard": "meal",
    },
    # ---- marketing and the project marketing lead ----
    {
        "code": "marketing-organise",
        "department": "marketing",
        "name": "组织安排接待工作，确认接待人员和日程",
        "name_en": "Organise the reception: confirm the hosts and the schedule",
        "guest_kinds": COMMERCIAL,
        "assign_to": "receptionist",
        "time": "date",
        "due": 2,
    },
    {
        "code": "marketing-brochures",
        "department": "marketing",
        "name": "准备产品样册、资质文件",
        "name_en": "Product brochures and certificates",
        "guest_kinds": COMMERCIAL,
        "time": "none",
        "due": 1,
        "quantity": "visitors",
    },
    {
        "code": "marketing-quotation",
        "department": "marketing",
        "name": "准备报价及资质介绍",
        "name_en": "Quotation and qualification presentation",
        "purposes": ["contract_signing", "cooperation", "inspection"],
        "guest_kinds": COMMERCIAL,
        "time": "none",
        "due": 2,
    },
    {
        "code": "marketing-lineup",
        "department": "marketing",
        "name": "组织陪同接待人员迎宾",
        "name_en": "Welcome line-up of the accompanying staff",
        "guest_kinds": COMMERCIAL,
        "grades": "high",
        "due": 0,
    },
    {
        "code": "applicant-keep-informed",
        "department": "marketing",
        "name": "与来宾保持联系，确认最新人数、名单、到访时间",
        "name_en": "Stay in touch with the guests; confirm the latest headcount, names and times",
        "guest_kinds": COMMERCIAL,
        "assign_to": "sales_lead",
        "time": "none",
        "due": 2,
        "quantity": "visitors",
    },
    # ---- technology, incl. the project engineer for technical customers ----
    {
        "code": "tech-tour-guide",
        "department": "technology",
        "name": "引领参观，介绍产品种类、功能、工艺流程",
        "name_en": "Guide the tour: products, functions, process flow",
        "services": ["guided_tour"],
        "time": "none",
        "due": 1,
        "quantity": "visitors",
    },
    {
        "code": "tech-discussion",
        "department": "technology",
        "name": "技术沟通交底、方案准备",
        "name_en": "Technical discussion and solution",
        "purposes": ["technical_discussion", "cooperation"],
        "time": "none",
        "due": 2,
    },
    {
        "code": "engineer-technical-preparation",
        "department": "technology",
        "name": "项目工程师：确认来访目的和技术议题，参照客户接待员做好准备",
        "name_en": "Project engineer: confirm the purpose and technical agenda; prepare as the "
        "receptionist would",
        "client_categories": ["existing_technical"],
        "assign_to": "project_engineer",
        "time": "none",
        "due": 2,
    },
    # ---- production, supply, quality, workshop ----
    {
        "code": "production-schedule",
        "department": "production",
        "name": "介绍生产排产及工期、现场安装情况",
        "name_en": "Production scheduling, lead times and on-site installation",
        "purposes": ["inspection", "tour", "cooperation", "contract_signing"],
        "guest_kinds": COMMERCIAL,
        "time": "none",
        "due": 1,
    },
    {
        "code": "supply-components",
        "department": "supply",
        "name": "介绍元器件品牌、质量情况",
        "name_en": "Component brands and quality",
        "purposes": ["inspection", "product_audit", "technical_discussion"],
        "guest_kinds": COMMERCIAL,
        "time": "none",
        "due": 1,
    },
    {
        "code": "quality-certification",
        "department": "quality",
        "name": "产品认证及检验、试验介绍",
        "name_en": "Certification, inspection and testing",
        "purposes": ["inspection", "tour", "cooperation"],
        "time": "none",
        "due": 1,
    },
    {
        "code": "quality-after-sales",
        "department": "quality",
        "name": "售后服务介绍",
        "name_en": "After-sales service",
        "purposes": ["inspection", "tour", "cooperation"],
        "guest_kinds": COMMERCIAL,
        "time": "none",
        "due": 1,
    },
    {
        "code": "workshop-tidy",
        "department": "workshop",
        "name": "车间环境卫生整洁，规范员工着装、言行礼节",
        "name_en": "Tidy workshop; staff dress and manners",
        "purposes": ["inspection", "tour", *AUDITS],
        "time": "none",
        "due": 1,
    },
    # ---- the customer audit procedure (seed 000 D 4) ----
    {
        "code": "audit-plan",
        "department": "quality",
        "name": "审核：确认审核计划、范围和陪审人员",
        "name_en": "Audit: confirm the audit plan, scope and the people who accompany",
        "purposes": AUDITS,
        "time": "none",
        "due": 3,
    },
    {
        "code": "audit-documents",
        "department": "quality",
        "name": "审核：准备体系文件、程序文件和质量记录",
        "name_en": "Audit: system documents, procedures and quality records",
        "purposes": AUDITS,
        "time": "none",
        "due": 2,
    },
    {
        "code": "audit-inspection-records",
        "department": "quality",
        "name": "审核：准备检验、试验记录及不合格品处理记录",
        "name_en": "Audit: inspection and test records, nonconformity handling",
        "purposes": AUDITS,
        "time": "none",
        "due": 2,
    },
    {
        "code": "audit-site-check",
        "department": "production",
        "name": "审核：现场自查（5S、标识、设备点检记录）",
        "name_en": "Audit: site self-check (5S, labelling, equipment check records)",
        "purposes": AUDITS,
        "time": "none",
        "due": 1,
    },
]


# Reminder rules (seed 000 B and D, seed 001 §6). "offset": "handover" takes the policy's
# hand-over working days (2 by default) as the number of working days before arrival.
REMINDER_RULES: list[dict[str, Any]] = [
    {
        "code": "handover-not-approved",
        "name": "交接预警：来访申请尚未审批",
        "name_en": "Hand-over warning: the visit is still not approved",
        "description": "经审批的来访人员信息表须于来访前2个工作日送达客户接待员。"
        "届时仍未审批完毕的，提醒待审批人和申请人。",
        "description_en": "The approved visitor information form must reach the customer "
        "receptionist 2 working days before the visit. A request still waiting then warns "
        "the pending approver and the applicant.",
        "kind": "not_approved",
        "anchor": "arrival",
        "offset": "handover",
        "time": "08:30",
        "parties": ["pending_approvers", "applicant"],
    },
    {
        "code": "handover-visitor-information",
        "name": "交接：来访人员信息表送达客户接待员",
        "name_en": "Hand-over: the visitor information reaches the customer receptionist",
        "description": "来访前2个工作日，已审批的来访人员信息送达客户接待员。",
        "description_en": "2 working days before the visit the approved visitor information "
        "reaches the customer receptionist.",
        "kind": "visitor_information",
        "anchor": "arrival",
        "offset": "handover",
        "time": "08:30",
        "parties": ["receptionist"],
    },
    {
        "code": "handover-open-tasks",
        "name": "交接：各部门未完成的准备工作",
        "name_en": "Hand-over: each department's open preparation tasks",
        "description": "来访前2个工作日，仍有未完成准备工作的部门收到本部门的清单。",
        "description_en": "2 working days before the visit every department with open "
        "preparation tasks receives its list.",
        "kind": "open_tasks",
        "anchor": "arrival",
        "offset": "handover",
        "time": "08:30",
        "parties": ["task_departments"],
    },
    {
        "code": "front-desk-arrivals",
        "name": "前台：今日来访",
        "name_en": "Front desk: today's arrivals",
        "description": "每个工作日早上，前台收到当天到访的客户清单。",
        "description_en": "Every working morning the front desk receives the day's arrivals.",
        "kind": "arrivals_today",
        "anchor": "every_working_day",
        "offset": 0,
        "time": "08:00",
        "roles": ["front_desk"],
    },
    {
        "code": "task-overdue",
        "name": "准备工作逾期：提醒部门负责人",
        "name_en": "Preparation task past due: its department head",
        "description": "准备工作过了截止日期仍未完成，下一个工作日提醒该部门负责人督办。",
        "description_en": "A preparation task still open after its due date reminds its "
        "department head on the next working day.",
        "kind": "task_overdue",
        "anchor": "task_due",
        "offset": 1,
        "time": "09:00",
        "parties": ["task_department_head"],
    },
    {
        "code": "work-summary",
        "name": "接待结束：请撰写工作小结",
        "name_en": "After the visit: please write the work summary",
        "description": "客户离开后的第一个工作日，请人力资源中心和受访部门撰写工作小结。"
        "受访部门指申请人所在部门（营业员为营销部，项目工程师为技术部）：通知其部门负责人和申请人。",
        "description_en": "One working day after departure HR and the visited department are "
        "asked for the work summary. The visited department is the applicant's department "
        "(marketing for sales staff, technology for project engineers): its head and the "
        "applicant are asked.",
        "kind": "work_summary",
        "anchor": "departure",
        "offset": 1,
        "time": "09:00",
        "roles": ["hr"],
        "parties": ["visited_department"],
    },
    {
        "code": "follow-up-due",
        "name": "工作小结后续事项到期：提醒责任人",
        "name_en": "Follow-up action due: its owner",
        "description": "工作小结中的后续事项到期当天仍未完成的，提醒责任人。",
        "description_en": "A follow-up action from the work summary still open on its due "
        "date reminds its owner.",
        "kind": "follow_up_due",
        "anchor": "follow_up_due",
        "offset": 0,
        "time": "09:00",
        "parties": ["follow_up_owner"],
    },
]


# ---- the guest's side (docs/guests.md) -------------------------------------------------------

# Badge sizes: the ID-card size (ISO/IEC 7810 ID-1), a common label printer's label, A6.
BADGE_FORMATS = [
    {"code": "card", "name": "胸卡", "name_en": "Card", "width_mm": 86, "height_mm": 54},
    {"code": "label", "name": "标签", "name_en": "Label", "width_mm": 100, "height_mm": 70},
    {"code": "a6", "name": "A6", "name_en": "A6", "width_mm": 148, "height_mm": 105},
]

# The texts each visitor accepts (version 1; the company edits them, a new wording is a new
# version). Confidentiality follows seed 001 八.4 (保守秘密).
GUEST_NOTICES = [
    {
        "kind": "safety",
        "name": "安全须知",
        "name_en": "Safety rules",
        "body": (
            "进入厂区请佩戴访客证，由接待人员陪同，沿指定通道行走。\n"
            "参观车间须穿戴公司提供的安全帽、护目镜等防护用品，不触碰设备。\n"
            "发生紧急情况时听从陪同人员指挥，沿疏散标志撤离。"
        ),
        "body_en": (
            "Wear your visitor badge on site, stay with your host and keep to the marked "
            "walkways.\nIn the workshops wear the helmet and goggles provided and touch no "
            "machine.\nIn an emergency follow your host and the exit signs."
        ),
        "required_for_tours": True,
    },
    {
        "kind": "confidentiality",
        "name": "保密承诺",
        "name_en": "Confidentiality",
        "body": (
            "未经许可，不在厂区内拍照、录音、录像。\n"
            "对参观和洽谈中获悉的技术资料、工艺和商业信息保守秘密，不向第三方披露。"
        ),
        "body_en": (
            "No photos, sound or video on site without permission.\nKeep the technical, "
            "process and business information you learn during the visit confidential and "
            "disclose none of it to third parties."
        ),
        "required_for_tours": True,
    },
]

# The badges' band colour per grade code (both rulebooks' schemes); other grades print grey.
GRADE_COLOURS = {
    "vip": "#b8860b",
    "guest": "#c0392b",
    "business": "#1f6feb",
    "routine": "#2e7d32",
    "a": "#c0392b",
    "b": "#1f6feb",
    "c": "#2e7d32",
}
