"""Importing departments and people from a spreadsheet (.xlsx or .csv).

One row per person. Columns (headers in English or Chinese, any order; only name and login are
required):

    name 姓名 | login 登录名 | email 邮箱 | phone 电话 | department 部门 | department_name 部门名称
    | title 职务 | roles 角色 | wecom_userid 企业微信 | dingtalk_userid 钉钉 | feishu_userid 飞书

`department` is a department's code or name; an unknown code creates the department (named
`department_name`, or the code). `roles` lists role codes or labels (Chinese or English),
separated by commas, 、 or semicolons. The login is the key: importing the same file again
updates the people it created and creates nobody twice. Blank cells leave what a person has.

`read_rows` reads a file, `preview` checks every row without saving anything, `import_staff`
saves a checked file in one transaction (all or nothing).
"""

import csv
import io
import json
import re
import zipfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from ..models import Department, StaffMembership, User, phone_validator
from ..notifications.channels.models import ChannelAccount, Platform
from ..policy.loading import LoadReport
from ..validators import single_line
from .roles import Role

# Column key -> header aliases (compared lower-case, without spaces).
COLUMNS = {
    "name": ("name", "fullname", "姓名"),
    "login": ("login", "username", "登录名", "账号", "用户名"),
    "email": ("email", "e-mail", "邮箱", "电子邮箱"),
    "phone": ("phone", "mobile", "电话", "手机"),
    "department": ("department", "部门"),
    "department_name": ("department_name", "departmentname", "部门名称"),
    "title": ("title", "职务", "职位"),
    "roles": ("roles", "role", "角色"),
    "wecom_userid": ("wecom_userid", "wecom", "企业微信", "企业微信id"),
    "dingtalk_userid": ("dingtalk_userid", "dingtalk", "钉钉", "钉钉id"),
    "feishu_userid": ("feishu_userid", "feishu", "飞书", "飞书id"),
}
# The template's header row: Chinese, as most administrators will fill it in.
TEMPLATE_HEADERS = [
    "姓名",
    "登录名",
    "邮箱",
    "电话",
    "部门",
    "部门名称",
    "职务",
    "角色",
    "企业微信",
    "钉钉",
    "飞书",
]
TEMPLATE_EXAMPLE = [
    "王芳",
    "wangfang",
    "wangfang@example.com",
    "13800000001",
    "sales",
    "销售部",
    "销售经理",
    "营业员",
    "WangFang",
    "manager1234",
    "ou_7d8a6e6df7621556ce0d21922b676706",
]
MAX_ROWS = 5000
# 5,000 people take well under 1 MB; a larger file is refused before it is read.
MAX_FILE_BYTES = 10 * 1024 * 1024
# The largest part an .xlsx may unpack to: 5,000 people of 11 columns take 2–4 MB of sheet XML
# (or of shared strings). It also bounds openpyxl's scan of a sheet without a dimension record.
MAX_XLSX_PART_BYTES = 8 * 1024 * 1024
# The longest value each column's field holds.
MAX_LENGTHS = {
    "name": 100,
    "email": 254,
    "department_name": 100,
    "title": 100,
    "wecom_userid": 64,
    "dingtalk_userid": 64,
    "feishu_userid": 64,
}
_ROLE_SPLIT = re.compile(r"[,，、;；/]+")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,40}$")  # Department.code


class StaffFileError(ValueError):
    """The file as a whole cannot be read (not a row's problem)."""


# Columns holding a person's id on a messaging platform (reception/notifications/channels).
PLATFORM_COLUMNS = {
    "wecom_userid": Platform.WECOM,
    "dingtalk_userid": Platform.DINGTALK,
    "feishu_userid": Platform.FEISHU,
}


@dataclass
class Row:
    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    action: str = ""  # "create" or "update" once checked
    # What an update changes that the administrator should see: a new name, a new email.
    changes: list[str] = field(default_factory=list)
    new_department: bool = False


def _header_key(text: str) -> str | None:
    text = re.sub(r"\s+", "", str(text or "")).lower()
    for key, aliases in COLUMNS.items():
        if text in aliases:
            return key
    return None


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number Excel stored as a number
    return str(value).strip()


def _csv_rows(stream: BinaryIO, encoding: str) -> Iterator[list[str]]:
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        for row in csv.reader(text):
            yield [_cell(v) for v in row]
    finally:
        text.detach()  # the caller's file stays open


def _check_unpacked_size(stream: BinaryIO) -> None:
    """An .xlsx is a zip of XML: refuse one whose parts unpack past MAX_XLSX_PART_BYTES
    before any is read. Without it a small upload could unpack to gigabytes, and a sheet
    without a dimension record (some libraries write none) is scanned whole by openpyxl
    before its first row is given."""
    try:
        with zipfile.ZipFile(stream) as archive:
            largest = max((info.file_size for info in archive.infolist()), default=0)
    except (zipfile.BadZipFile, OSError) as error:
        raise StaffFileError(_("The file is not an .xlsx workbook.")) from error
    finally:
        stream.seek(0)
    if largest > MAX_XLSX_PART_BYTES:
        raise StaffFileError(_("At most %(n)s people per file.") % {"n": MAX_ROWS})


def _table_rows(name: str, stream: BinaryIO) -> Generator[list[str], None, None]:
    """The file's rows one at a time: nothing past the rows asked for is read (a sheet's XML
    and a CSV's text are read as they are consumed)."""
    if name.lower().endswith(".xlsx"):
        _check_unpacked_size(stream)
        try:
            book = load_workbook(stream, read_only=True, data_only=True)
            sheet = book.worksheets[0]
        except Exception as error:  # openpyxl raises many kinds for a file that is not xlsx
            raise StaffFileError(_("The file is not an .xlsx workbook.")) from error
        try:
            for row in sheet.iter_rows(values_only=True):
                yield [_cell(v) for v in row]
        except Exception as error:  # a damaged sheet: a broken zip member, bad XML
            raise StaffFileError(_("The file is not an .xlsx workbook.")) from error
        finally:
            book.close()
        return
    if name.lower().endswith(".csv"):
        # Excel in China saves CSV as GBK: UTF-8 first, and from the start again as GBK if the
        # text turns out not to be UTF-8 (rows read so far are given again, so none is lost).
        given = 0
        for encoding in ("utf-8-sig", "gb18030"):
            stream.seek(0)
            try:
                for index, cells in enumerate(_csv_rows(stream, encoding)):
                    if index >= given:
                        given += 1
                        yield cells
                return
            except UnicodeDecodeError:
                continue
            except csv.Error as error:  # a field past the csv module's size limit
                raise StaffFileError(_("The file is not a readable CSV file.")) from error
        raise StaffFileError(_("The file is neither UTF-8 nor GBK text."))
    raise StaffFileError(_("Upload an .xlsx or a .csv file."))


def read_rows(name: str, content: bytes | BinaryIO) -> list[Row]:
    """The people in a file, one Row per non-empty line, with its line number. The file is
    read a row at a time and refused once it lists more than MAX_ROWS people, without reading
    the rest; a file larger than MAX_FILE_BYTES is refused before anything is read."""
    stream = io.BytesIO(content) if isinstance(content, bytes) else content
    size = stream.seek(0, io.SEEK_END)
    stream.seek(0)
    if size > MAX_FILE_BYTES:
        raise StaffFileError(
            _("The file is larger than %(n)s MB.") % {"n": MAX_FILE_BYTES // 1024 // 1024}
        )
    table = _table_rows(name, stream)
    header = next(table, None)
    if header is None:
        raise StaffFileError(_("The file is empty."))
    keys = [_header_key(h) for h in header]
    if "name" not in keys or "login" not in keys:
        raise StaffFileError(_("The first row must name the columns, at least name and login."))
    rows: list[Row] = []
    for line, cells in enumerate(table, start=2):
        if not any(cells):
            continue
        if len(rows) == MAX_ROWS:
            table.close()
            raise StaffFileError(_("At most %(n)s people per file.") % {"n": MAX_ROWS})
        values = {key: "" for key in COLUMNS}
        for key, cell in zip(keys, cells, strict=False):
            if key:
                values[key] = cell
        rows.append(Row(line, values))
    return rows


def _role_words() -> dict[str, str]:
    """Each role's code and its labels in every language, lower-case -> role code."""
    words = {}
    for role in Role:
        words[role.value.lower()] = role.value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                words[str(role.label).lower()] = role.value
    return words


# Django's own username rule (a compiled pattern on the validator instance).
USERNAME: re.Pattern[str] = User.username_validator.regex  # type: ignore[assignment]


def _departments() -> dict[str, Department]:
    found: dict[str, Department] = {}
    for dept in Department.objects.all():
        for word in (dept.code, dept.name, dept.name_en):
            if word:
                found.setdefault(word.lower(), dept)
    return found


def row_roles(row: Row, words: dict[str, str]) -> list[str]:
    parts = [p.strip() for p in _ROLE_SPLIT.split(row.values["roles"]) if p.strip()]
    return [words[p.lower()] for p in parts if p.lower() in words]


def preview(rows: list[Row]) -> list[Row]:
    """Check every row (nothing is saved); each Row gets its errors and what would happen."""
    words = _role_words()
    departments = _departments()
    logins = [r.values["login"].lower() for r in rows]
    existing = {
        login: (full_name, email)
        for login, full_name, email in User.objects.annotate(login=Lower("username"))
        .filter(login__in=logins)
        .values_list("login", "full_name", "email")
    }
    for row in rows:
        v = row.values
        for key in COLUMNS:  # the text rules of every form: one line, nothing invisible
            try:
                single_line(v[key])
            except ValidationError as error:
                row.errors.append(
                    _("The %(column)s: %(problem)s") % {"column": key, "problem": error.messages[0]}
                )
        if not v["name"]:
            row.errors.append(_("The name is missing."))
        if not v["login"]:
            row.errors.append(_("The login is missing."))
        elif logins.count(v["login"].lower()) > 1:
            row.errors.append(
                _("The login “%(login)s” appears more than once in the file.")
                % {"login": v["login"]}
            )
        elif not USERNAME.match(v["login"]) or len(v["login"]) > 150:
            row.errors.append(
                _("“%(login)s” is not a valid login: letters, digits and @ . + - _ only.")
                % {"login": v["login"]}
            )
        for key, limit in MAX_LENGTHS.items():
            if len(v[key]) > limit:
                row.errors.append(
                    _("The %(column)s is longer than %(n)s characters.")
                    % {"column": key, "n": limit}
                )
        if v["email"]:
            try:
                validate_email(v["email"])
            except ValidationError:
                row.errors.append(_("“%(email)s” is not an email address.") % {"email": v["email"]})
        if v["phone"]:
            try:
                phone_validator(v["phone"])
            except ValidationError:
                row.errors.append(_("“%(phone)s” is not a phone number.") % {"phone": v["phone"]})
        for part in _ROLE_SPLIT.split(v["roles"]):
            if part.strip() and part.strip().lower() not in words:
                row.errors.append(_("Unknown role “%(role)s”.") % {"role": part.strip()})
        dept = v["department"]
        if dept and dept.lower() not in departments:
            if _SLUG.match(dept):
                row.new_department = True
            else:
                row.errors.append(
                    _(
                        "No department “%(dept)s”: give an existing department's code or name, "
                        "or a new code (letters, digits, - and _) with its name in department_name."
                    )
                    % {"dept": dept}
                )
        if not dept and v["title"]:
            row.errors.append(_("A title needs a department."))
        row.action = "update" if v["login"].lower() in existing else "create"
        if row.action == "update":
            full_name, email = existing[v["login"].lower()]
            if v["name"] and v["name"] != full_name:
                row.changes.append(
                    _("Renames “%(old)s” to “%(new)s”.") % {"old": full_name, "new": v["name"]}
                )
            if v["email"] and v["email"] != email:
                row.changes.append(
                    _("Changes the email from “%(old)s” to “%(new)s”.")
                    % {"old": email or "—", "new": v["email"]}
                )
    return rows


def rows_to_json(rows: list[Row]) -> str:
    """The rows as read, to send back with the confirmation (they are checked again)."""
    return json.dumps([[row.line, row.values] for row in rows], ensure_ascii=False)


def rows_from_json(text: str) -> list[Row]:
    try:
        data = json.loads(text)
        rows = [
            Row(int(line), {k: str(values.get(k, "")) for k in COLUMNS}) for line, values in data
        ]
    except (ValueError, TypeError, AttributeError):
        raise StaffFileError(
            _("The preview could not be read back; upload the file again.")
        ) from None
    if len(rows) > MAX_ROWS:
        raise StaffFileError(_("At most %(n)s people per file.") % {"n": MAX_ROWS})
    return rows


def has_errors(rows: list[Row]) -> bool:
    return any(row.errors for row in rows)


def import_staff(*, rows: list[Row]) -> LoadReport:
    """Save checked rows: create or update each person (key: login), their department, title
    and roles. Refuses a file with any row error; all or nothing."""
    rows = preview([Row(r.line, dict(r.values)) for r in rows])
    if has_errors(rows):
        raise StaffFileError(_("The file has errors; nothing was imported."))
    report = LoadReport()
    report.counts["departments"] = 0
    words = _role_words()
    with transaction.atomic():
        departments = _departments()
        role_groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
        for row in rows:
            v = row.values
            found = User.objects.filter(username__iexact=v["login"]).first()
            created = found is None
            user = User(username=v["login"]) if found is None else found
            if created:
                user.set_unusable_password()  # they set one by "forgot password" (or LDAP)
            changed = False
            for key, attr in (
                ("name", "full_name"),
                ("email", "email"),
                ("phone", "phone"),
            ):
                if v[key] and getattr(user, attr) != v[key]:
                    setattr(user, attr, v[key])
                    changed = True
            if created or changed:
                user.save()
            # Platform ids are the messaging accounts company messaging sends to.
            for key, platform in PLATFORM_COLUMNS.items():
                if v[key]:
                    ChannelAccount.objects.update_or_create(
                        user=user, platform=platform, defaults={"external_id": v[key]}
                    )
            if v["department"]:
                dept = departments.get(v["department"].lower())
                if dept is None:
                    dept = Department.objects.create(
                        code=v["department"], name=v["department_name"] or v["department"]
                    )
                    departments[dept.code.lower()] = dept
                    report.counts["departments"] += 1
                    report.lines.append(f"created {dept._meta.verbose_name}: {dept}")
                membership, new = StaffMembership.objects.get_or_create(
                    user=user, department=dept, defaults={"title": v["title"]}
                )
                if not new and v["title"] and membership.title != v["title"]:
                    membership.title = v["title"]
                    membership.save(update_fields=["title"])
                    changed = True
                changed = changed or new
            codes = row_roles(row, words)
            missing = [c for c in codes if c not in role_groups]
            for code in missing:
                role_groups[code] = Group.objects.get_or_create(name=code)[0]
            wanted = {role_groups[c] for c in codes}
            if wanted - set(user.groups.all()):
                user.groups.add(*wanted)
                changed = True
            if created:
                report.record("created", user)
            elif changed:
                report.record("updated", user)
    return report


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TEMPLATE_HEADERS)
    writer.writerow(TEMPLATE_EXAMPLE)
    return out.getvalue().encode("utf-8-sig")  # with a BOM, so Excel shows the Chinese


def template_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = "staff"
    sheet.append(TEMPLATE_HEADERS)
    sheet.append(TEMPLATE_EXAMPLE)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
