"""Importing departments and people from a spreadsheet: preview first, re-import updates."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from reception.accounts import staff_import
from reception.accounts.roles import Role
from reception.models import Department, StaffMembership, User
from tests.factories import DepartmentFactory, user_with

pytestmark = pytest.mark.django_db

HEADER = "name,login,email,phone,department,department_name,title,roles,wecom_userid\n"


def csv_file(body: str, header: str = HEADER) -> SimpleUploadedFile:
    return SimpleUploadedFile("staff.csv", (header + body).encode("utf-8"), "text/csv")


@pytest.fixture
def admin_browser(client):
    admin = user_with(Role.ADMINISTRATOR, username="boss", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def errors_by_line(text: str) -> dict[int, list[str]]:
    rows = staff_import.preview(staff_import.read_rows("s.csv", (HEADER + text).encode()))
    return {row.line: row.errors for row in rows}


def test_preview_names_each_rows_problem():
    found = errors_by_line(
        "王芳,wangfang,wf@example.com,,,,,营业员,\n"  # fine
        "李雷,lilei,,,,,,astronaut,\n"  # unknown role
        "韩梅,hanmei,not-an-email,,,,,,\n"  # bad email
        ",nobody,,,,,,,\n"  # missing name
        "张三,zhang,,,,,,,\n"
        "张三二,ZHANG,,,,,,,\n"  # the same login twice (logins ignore case)
    )
    assert found[2] == []
    assert found[3] == ["Unknown role “astronaut”."]
    assert found[4] == ["“not-an-email” is not an email address."]
    assert found[5] == ["The name is missing."]
    assert "appears more than once" in found[6][0] and "appears more than once" in found[7][0]


def test_roles_are_read_by_code_chinese_or_english_label():
    rows = staff_import.preview(
        staff_import.read_rows(
            "s.csv", (HEADER + '甲,a,,,,,,"sales、前台, Gate security",\n').encode()
        )
    )
    assert rows[0].errors == []
    words = staff_import._role_words()
    assert staff_import.row_roles(rows[0], words) == ["sales", "front_desk", "security"]


def test_the_admin_preview_saves_nothing_until_confirmed(admin_browser):
    url = reverse("admin:reception_user_import")
    upload = csv_file(
        "王芳,wangfang,wf@example.com,13800000001,sales,销售部,经理,营业员,WangFang\n"
    )
    response = admin_browser.post(url, {"file": upload})
    assert response.status_code == 200
    assert [r.action for r in response.context["rows"]] == ["create"]
    assert not User.objects.filter(username="wangfang").exists()
    assert not Department.objects.filter(code="sales").exists()

    confirm = admin_browser.post(url, {"rows": response.context["rows_json"], "confirm": "1"})
    assert confirm.status_code == 302
    person = User.objects.get(username="wangfang")
    assert (
        person.full_name,
        person.channel_accounts.get(platform="wecom").external_id,
        person.has_usable_password(),
    ) == (
        "王芳",
        "WangFang",
        False,
    )
    membership = StaffMembership.objects.get(user=person)
    assert (membership.department.name, membership.title) == ("销售部", "经理")
    assert list(person.groups.values_list("name", flat=True)) == ["sales"]


def test_a_file_with_errors_cannot_be_confirmed(admin_browser):
    url = reverse("admin:reception_user_import")
    response = admin_browser.post(url, {"file": csv_file("李雷,lilei,,,,,,astronaut,\n")})
    assert response.context["has_errors"]
    assert b'name="confirm"' not in response.content
    rows_json = staff_import.rows_to_json(response.context["rows"])
    admin_browser.post(url, {"rows": rows_json, "confirm": "1"})
    assert not User.objects.filter(username="lilei").exists()


def test_reimporting_updates_instead_of_duplicating():
    dept = DepartmentFactory(code="office", name="办公室")
    first = "王芳,wangfang,wf@example.com,,office,,文员,office,\n"
    staff_import.import_staff(rows=staff_import.read_rows("s.csv", (HEADER + first).encode()))
    again = "王芳,WangFang,new@example.com,,办公室,,主任,office,\n"
    rows = staff_import.read_rows("s.csv", (HEADER + again).encode())
    assert [r.action for r in staff_import.preview(rows)] == ["update"]
    report = staff_import.import_staff(rows=rows)
    assert report.counts["created"] == 0 and report.counts["updated"] == 1
    person = User.objects.get()
    assert person.email == "new@example.com"
    assert StaffMembership.objects.get(user=person, department=dept).title == "主任"
    assert Group.objects.get(name="office").user_set.count() == 1


def test_importing_an_unchanged_file_again_changes_nothing():
    text = (HEADER + "王芳,wangfang,wf@example.com,,sales,销售部,经理,营业员,\n").encode()
    staff_import.import_staff(rows=staff_import.read_rows("s.csv", text))
    report = staff_import.import_staff(rows=staff_import.read_rows("s.csv", text))
    assert report.counts == {"created": 0, "updated": 0, "departments": 0}


def test_an_xlsx_file_with_chinese_headers_is_read():
    book = Workbook()
    book.active.append(["姓名", "登录名", "电话", "钉钉"])
    book.active.append(["王芳", "wangfang", 13800000001, "ding01"])
    out = io.BytesIO()
    book.save(out)
    rows = staff_import.preview(staff_import.read_rows("staff.xlsx", out.getvalue()))
    assert rows[0].errors == []
    assert (rows[0].values["phone"], rows[0].values["dingtalk_userid"]) == ("13800000001", "ding01")


def test_the_templates_download_and_import_cleanly(admin_browser):
    for fmt in ("xlsx", "csv"):
        url = reverse("admin:reception_user_import_template", kwargs={"fmt": fmt})
        response = admin_browser.get(url)
        assert response.status_code == 200
        rows = staff_import.preview(staff_import.read_rows(f"t.{fmt}", response.content))
        assert [r.errors for r in rows] == [[]]


def test_the_command_checks_without_commit_and_saves_with_it(tmp_path, capsys):
    path = tmp_path / "staff.csv"
    path.write_text(HEADER + "王芳,wangfang,,,,,,营业员,\n", encoding="utf-8")
    call_command("import_staff", str(path))
    assert not User.objects.exists()
    call_command("import_staff", str(path), "--commit")
    call_command("import_staff", str(path), "--commit")
    assert User.objects.filter(username="wangfang").count() == 1


def test_the_command_refuses_a_file_with_errors(tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text(HEADER + "王芳,wangfang,bad,,,,,,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="1 of 1 rows have errors"):
        call_command("import_staff", str(path), "--commit")
    assert not User.objects.exists()


def test_the_user_list_links_to_the_import(admin_browser):
    page = admin_browser.get(reverse("admin:reception_user_changelist"))
    assert reverse("admin:reception_user_import") in page.content.decode()
    assert admin_browser.get(reverse("admin:reception_user_import")).status_code == 200


def test_a_value_too_long_for_its_field_is_a_row_error():
    found = errors_by_line(f"王芳,wangfang,,,,,{'长' * 101},,\n")
    assert found[2] == ["The title is longer than 100 characters.", "A title needs a department."]


# The text rules, the row limit read as a stream, what an update changes ----------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("name", "王\u202e芳"),  # a right-to-left override
        ("name", "王\x07芳"),  # a control character
        ("title", "经\u200b理"),
        ("department_name", "销售\x00部"),
        ("wecom_userid", "Wang\u2066Fang"),
        ("roles", "sales\u200d"),
    ],
)
def test_the_text_rules_apply_to_every_column(column, value):
    values = dict.fromkeys(HEADER.strip().split(","), "")
    values.update(name="王芳", login="wangfang", department="sales", title="经理")
    values[column] = value
    line = ",".join(f'"{values[k]}"' for k in HEADER.strip().split(",")) + "\n"
    (errors,) = errors_by_line(line).values()
    assert any(e.startswith(f"The {column}:") and "character" in e for e in errors), errors


def test_a_row_with_an_invisible_character_cannot_be_imported(admin_browser):
    url = reverse("admin:reception_user_import")
    response = admin_browser.post(url, {"file": csv_file("王\u202e芳,wangfang,,,,,,,\n")})
    assert response.context["has_errors"]
    admin_browser.post(url, {"rows": response.context["rows_json"], "confirm": "1"})
    assert not User.objects.filter(username="wangfang").exists()


def counted_rows(monkeypatch) -> list:
    """The rows the reader takes from the file, as it takes them."""
    taken = []
    reader = staff_import._table_rows

    def counting(name, stream):
        for row in reader(name, stream):
            taken.append(row)
            yield row

    monkeypatch.setattr(staff_import, "_table_rows", counting)
    return taken


def test_a_csv_past_the_row_limit_is_refused_without_reading_the_rest(monkeypatch):
    body = "".join(f"某人,user{n}\n" for n in range(150_000)).encode()
    stream = io.BytesIO(b"name,login\n" + body)
    taken = counted_rows(monkeypatch)
    with pytest.raises(staff_import.StaffFileError, match="At most 5000 people"):
        staff_import.read_rows("big.csv", stream)
    assert len(taken) == staff_import.MAX_ROWS + 2  # the header, 5,000 people and one more
    assert stream.tell() < len(stream.getvalue()) / 10  # the file's first tenth, at most


def test_an_xlsx_past_the_row_limit_is_refused_without_reading_the_rest(monkeypatch):
    monkeypatch.setattr(staff_import, "MAX_ROWS", 50)
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["name", "login"])
    for n in range(2_000):
        sheet.append(["某人", f"user{n}"])
    out = io.BytesIO()
    book.save(out)
    taken = counted_rows(monkeypatch)
    with pytest.raises(staff_import.StaffFileError, match="At most 50 people"):
        staff_import.read_rows("big.xlsx", out.getvalue())
    assert len(taken) == 52


def test_a_file_past_the_size_limit_is_refused_before_it_is_read(monkeypatch):
    monkeypatch.setattr(staff_import, "MAX_FILE_BYTES", 1000)
    taken = counted_rows(monkeypatch)
    with pytest.raises(staff_import.StaffFileError, match="larger than"):
        staff_import.read_rows("big.csv", ("name,login\n" + "某人,x\n" * 200).encode())
    assert taken == []


def test_the_admin_refuses_a_file_past_the_row_limit(admin_browser, monkeypatch):
    monkeypatch.setattr(staff_import, "MAX_ROWS", 3)
    body = "".join(f"某人,user{n},,,,,,,\n" for n in range(10))
    response = admin_browser.post(reverse("admin:reception_user_import"), {"file": csv_file(body)})
    assert response.status_code == 200 and "At most 3 people" in response.context["problem"]


def test_a_gbk_csv_is_read_even_when_its_first_rows_are_plain_ascii():
    text = HEADER + "Li Lei,lilei,,,,,,,\n" * 3000 + "王芳,wangfang,,,,,,,\n"
    rows = staff_import.read_rows("s.csv", text.encode("gb18030"))
    assert len(rows) == 3001 and rows[-1].values["name"] == "王芳"
    assert [r.line for r in rows[:2]] == [2, 3]


def test_the_preview_says_when_a_row_renames_a_person_or_changes_their_email(admin_browser):
    user_with(Role.SALES, username="wangfang", full_name="王芳", email="wf@example.com")
    user_with(Role.SALES, username="lilei", full_name="李雷", email="ll@example.com")
    url = reverse("admin:reception_user_import")
    upload = csv_file(
        "王小芳,wangfang,new@example.com,,,,,,\n"  # renamed, new email
        "李雷,LiLei,ll@example.com,,,,,,\n"  # the same person, nothing changes
    )
    response = admin_browser.post(url, {"file": upload})
    first, second = response.context["rows"]
    assert first.changes == [
        "Renames “王芳” to “王小芳”.",
        "Changes the email from “wf@example.com” to “new@example.com”.",
    ]
    assert second.changes == [] and second.action == "update"
    assert "Renames “王芳” to “王小芳”." in response.content.decode()


def test_the_command_prints_what_an_update_changes(tmp_path, capsys):
    user_with(Role.SALES, username="wangfang", full_name="王芳")
    path = tmp_path / "staff.csv"
    path.write_text(HEADER + "王小芳,wangfang,,,,,,,\n", encoding="utf-8")
    call_command("import_staff", str(path))
    assert "update Renames “王芳” to “王小芳”." in capsys.readouterr().out


def test_an_xlsx_that_unpacks_past_the_limit_is_refused_before_its_rows_are_read(monkeypatch):
    monkeypatch.setattr(staff_import, "MAX_XLSX_PART_BYTES", 20_000)
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["name", "login"])
    for n in range(1_000):  # some 50 KB of sheet XML, a few KB zipped
        sheet.append(["某人", f"user{n}"])
    out = io.BytesIO()
    book.save(out)
    taken = counted_rows(monkeypatch)
    with pytest.raises(staff_import.StaffFileError, match="At most 5000 people"):
        staff_import.read_rows("big.xlsx", out.getvalue())
    assert taken == []


def test_a_file_that_is_not_a_workbook_is_said_so():
    with pytest.raises(staff_import.StaffFileError, match="not an .xlsx"):
        staff_import.read_rows("staff.xlsx", b"name,login\n")
