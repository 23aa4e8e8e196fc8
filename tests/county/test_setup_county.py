"""setup_county: the county's own organisation from one workbook (command and admin page).

The demo workbook must describe exactly the demo county of tests/data/demo_county.json;
a workbook with errors writes nothing and lists every problem; re-runs are no-ops,
renames keep the unit, removed units are deactivated; accounts created in bulk get
one-time passwords that work once and must be changed at first login.
"""

import base64
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from county.audit import Action
from county.choices import Role, UnitKind
from county.models import (
    AuditEvent,
    Leader,
    SpecialGroup,
    Supervision,
    Unit,
    User,
    Village,
)
from county.setup.apply import in_use, run_setup
from county.setup.reader import read_workbook
from county.setup.report import SetupReport
from county.setup.template import DEMO_WORKBOOK

DATA = Path(__file__).resolve().parents[1] / "data"
DEMO_JSON = json.loads((DATA / "demo_county.json").read_text(encoding="utf-8"))


def demo_bytes():
    return DEMO_WORKBOOK.read_bytes()


def edited(change, source=None):
    """The demo workbook (or ``source``) after ``change(workbook)``, as bytes."""
    workbook = openpyxl.load_workbook(io.BytesIO(source or demo_bytes()))
    change(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row_of(sheet, column, value):
    """The 1-based row whose ``column`` cell (a letter) holds ``value``."""
    for cell in sheet[column]:
        if cell.value == value:
            return cell.row
    raise AssertionError(f"{value} not in column {column} of {sheet.title}")


def snapshot():
    models = (Unit, Village, Leader, SpecialGroup, Supervision)
    counts = [m.objects.count() for m in models] + [m.history.count() for m in models]
    return [*counts, User.objects.count(), AuditEvent.objects.count()]


def write(tmp_path, data, name="county.xlsx"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


# ---- the demo workbook is the demo county ------------------------------------------------
def test_demo_workbook_holds_the_demo_county_of_the_json():
    data = read_workbook(demo_bytes(), SetupReport())
    assert [e["name"] for e in data.townships] == [t["name"] for t in DEMO_JSON["townships"]]
    assert [e["kind"] for e in data.townships] == [t["kind"] for t in DEMO_JSON["townships"]]
    assert [e["code"] for e in data.townships] == [f"T{i:02d}" for i in range(1, 21)]
    assert [e["name"] for e in data.departments] == DEMO_JSON["departments"]
    assert [e["code"] for e in data.departments] == [f"D{i:02d}" for i in range(1, 41)]
    villages = [(e["township"], e["name"]) for e in data.villages]
    assert villages == [(t["name"], v) for t in DEMO_JSON["townships"] for v in t["villages"]]
    assert [(e["name"], e["title"]) for e in data.leaders] == [
        (leader["name"], leader["title"]) for leader in DEMO_JSON["leaders"]
    ]
    assert [e["name"] for e in data.groups] == DEMO_JSON["reform_special_groups"]


def assert_county_is_the_demo_json():
    """The database holds exactly the county of tests/data/demo_county.json."""
    townships = list(Unit.objects.townships().order_by("order"))
    assert [(u.code, u.name, u.township_kind, u.order) for u in townships] == [
        (f"T{i:02d}", t["name"], t["kind"], i) for i, t in enumerate(DEMO_JSON["townships"], 1)
    ]
    for unit, item in zip(townships, DEMO_JSON["townships"], strict=True):
        assert sorted(unit.villages.values_list("name", flat=True)) == sorted(item["villages"])
        assert unit.is_active and unit.alias_list == []
    aliases = {}
    for short, full in DEMO_JSON["department_aliases"].items():
        aliases.setdefault(full, []).append(short)
    departments = list(Unit.objects.departments().order_by("order"))
    assert [(u.code, u.name, u.order, u.alias_list) for u in departments] == [
        (f"D{i:02d}", name, i, aliases.get(name, []))
        for i, name in enumerate(DEMO_JSON["departments"], 1)
    ]
    assert Village.objects.count() == sum(len(t["villages"]) for t in DEMO_JSON["townships"])
    assert Village.objects.get(township__name="文昌街道", name="坝星社区").kind == "社区"
    leaders = list(Leader.objects.order_by("order").prefetch_related("liaison_townships"))
    assert [
        (leader.name, leader.title, sorted(t.name for t in leader.liaison_townships.all()))
        for leader in leaders
    ] == [
        (item["name"], item["title"], sorted(item["liaison_townships"]))
        for item in DEMO_JSON["leaders"]
    ]
    assert [(g.name, g.order) for g in SpecialGroup.objects.order_by("order")] == [
        (name, i) for i, name in enumerate(DEMO_JSON["reform_special_groups"], 1)
    ]
    supervisions = {(s.workstream, s.unit.name) for s in Supervision.objects.select_related("unit")}
    assert supervisions == {
        ("reforms", "县委改革办"),
        ("reforms", "县委目标绩效办"),
        ("landplan", "县自然资源局"),
        ("abandoned_land", "县农业农村局"),
        ("environment", "县住房和城乡建设局"),
        ("environment", "县农业农村局"),
        ("environment", "县生态环境局"),
        ("environment", "县委目标绩效办"),
        ("assessment", "县委目标绩效办"),  # 督查板块 "考核": sets the 考核 formula
    }


def test_load_demo_gives_the_county_of_the_json(demo):
    assert_county_is_the_demo_json()
    d37 = User.objects.get(username="d37")
    assert (d37.unit.name, d37.role, d37.must_change_password) == (
        "国网示范县供电公司",
        "staff",
        False,
    )
    assert User.objects.get(username="leader03").leader.name == DEMO_JSON["leaders"][2]["name"]
    assert User.objects.get(username="admin").is_superuser


@pytest.mark.django_db(transaction=True)
def test_setup_county_on_the_template_from_an_empty_database(tmp_path):
    call_command("flush", interactive=False, verbosity=0)
    template = tmp_path / "模板.xlsx"
    call_command("setup_county", "--template", str(template), stdout=io.StringIO())
    assert template.read_bytes() == demo_bytes()
    out = tmp_path / "passwords.xlsx"
    call_command("setup_county", str(template), "--passwords-out", str(out), stdout=io.StringIO())
    assert_county_is_the_demo_json()
    accounts = User.objects.filter(must_change_password=True)
    assert accounts.count() == 77
    assert set(passwords_from(out.read_bytes())) == set(accounts.values_list("username", flat=True))
    assert AuditEvent.objects.filter(action=Action.SETUP, target="模板.xlsx").count() == 1


# ---- refusing a workbook with errors ------------------------------------------------------
def broken(workbook):
    villages = workbook["村（社区）"]
    villages["A5"] = "幸福镇"  # unknown township
    departments = workbook["部门（含简称）"]
    departments[f"B{row_of(departments, 'B', '县审计局')}"] = "城关镇"  # a township's name
    departments[f"C{row_of(departments, 'B', '县交通运输局')}"] = "县住建局"  # alias clash
    leaders = workbook["县级领导（含联系乡镇）"]
    leaders[f"C{row_of(leaders, 'A', '陈明')}"] = "北坝镇、月亮乡"  # unknown township
    accounts = workbook["账号"]
    accounts[f"C{row_of(accounts, 'A', 'd05')}"] = "科员"  # unknown role
    return workbook


def test_a_workbook_with_errors_is_refused_with_every_problem_and_writes_nothing(demo, tmp_path):
    before = snapshot()
    path = write(tmp_path, edited(broken))
    out = tmp_path / "passwords.xlsx"
    stderr = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("setup_county", str(path), "--passwords-out", str(out), stderr=stderr)
    assert exit_.value.code == 1
    listed = stderr.getvalue()
    statistics = row_of(openpyxl.load_workbook(path)["部门（含简称）"], "B", "城关镇")
    expected = [
        "「村（社区）」第5行「所属乡镇」：没有这个乡镇“幸福镇”",
        f"「部门（含简称）」第{statistics}行「名称」：单位名称“城关镇”重复（「乡镇（街道）」第3行已有）",
        "「部门（含简称）」",  # the alias clash, below
        "「县级领导（含联系乡镇）」第4行「联系乡镇」：没有这个乡镇“月亮乡”",
        "「账号」第6行「角色」：没有这个角色“科员”",
    ]
    for text in expected:
        assert text in listed
    assert re.search(r"「部门（含简称）」第\d+行「简称」：简称“县住建局”与.*“.*”的简称重复", listed)
    assert "「账号」第27行「所属单位」：没有这个单位“县审计局”" in listed  # d26's unit, renamed
    assert "共 6 处问题" in listed
    assert snapshot() == before
    assert not out.exists()


def test_a_broken_workbook_lists_problems_as_json(demo, tmp_path):
    path = write(tmp_path, edited(broken))
    stdout = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("setup_county", str(path), "--dry-run", "--json", stdout=stdout)
    result = json.loads(stdout.getvalue())
    sheets = [e["sheet"] for e in result["errors"]]
    assert sheets == sorted(
        sheets,
        key=[
            "乡镇（街道）",
            "村（社区）",
            "部门（含简称）",
            "县级领导（含联系乡镇）",
            "专项小组",
            "账号",
        ].index,
    )
    assert {
        "sheet": "村（社区）",
        "row": 5,
        "column": "所属乡镇",
        "message": "没有这个乡镇“幸福镇”",
    } in result["errors"]


def test_a_missing_sheet_and_a_file_that_is_not_xlsx_are_refused(demo):
    report = run_setup(edited(lambda wb: wb.remove(wb["县级领导（含联系乡镇）"])))
    assert [str(e) for e in report.errors] == [
        "文件：工作簿缺少工作表 「县级领导（含联系乡镇）」（文件中的工作表："
        "「填写说明」、「乡镇（街道）」、「村（社区）」、「部门（含简称）」、「专项小组」、「账号」）。"
    ]
    report = run_setup(b"name,code\n", name="county.csv")
    assert "不是 Excel 工作簿" in str(report.errors[0])


# ---- re-runs ------------------------------------------------------------------------------
def test_a_second_run_of_the_same_workbook_changes_nothing(demo, tmp_path):
    before = snapshot()
    stdout = io.StringIO()
    call_command("setup_county", str(write(tmp_path, demo_bytes())), "--json", stdout=stdout)
    result = json.loads(stdout.getvalue())
    assert (result["created"], result["updated"], result["removed"]) == (0, 0, 0)
    assert result["unchanged"] == 60 + 214 + 12 + 6 + 9 + 77  # 9 督查分工 (考核 too)
    after = snapshot()
    assert after[:-1] == before[:-1]
    assert after[-1] == before[-1] + 1  # the run itself is in the audit log


def test_headers_anywhere_synonyms_and_other_sheet_names_read_the_same(demo):
    sheet_names = {
        "乡镇（街道）": "乡镇(街道)",
        "部门（含简称）": "部门",
        "县级领导（含联系乡镇）": "县级领导",
    }
    synonyms = {
        "乡镇(街道)": {"名称": "乡镇名称"},
        "村（社区）": {"名称": "村名", "所属乡镇": "所属乡镇（街道）"},
        "部门": {"名称": "部门名称", "简称": "简称/别名"},
        "县级领导": {"联系乡镇": "联系乡镇（街道）"},
        "账号": {"用户名": "登录名", "手机号": "联系电话"},
    }

    def disguise(workbook):
        for old, new in sheet_names.items():
            workbook[old].title = new
        for sheet in workbook.worksheets[1:]:
            for cell in sheet[1]:
                cell.value = synonyms.get(sheet.title, {}).get(cell.value, cell.value)
            last = sheet.max_column
            sheet.move_range(f"A1:A{sheet.max_row}", cols=last)  # first column to the end
            sheet.insert_cols(1)
            sheet["A1"] = "序号"
            sheet.insert_rows(1, 2)
            sheet["A1"] = f"示范县{sheet.title}名单"
        return workbook

    report = run_setup(edited(disguise), dry_run=True)
    assert report.ok, [str(e) for e in report.errors]
    assert report.changed_count() == 0
    assert report.counts["unchanged"] == 60 + 214 + 12 + 6 + 9 + 77  # 9 督查分工 (考核 too)


def test_a_rename_keeps_the_unit_and_its_history(demo, tmp_path, unit_named):
    unit = unit_named("县住房和城乡建设局")
    users = set(unit.users.values_list("username", flat=True))

    def rename(workbook):
        departments = workbook["部门（含简称）"]
        departments[f"B{row_of(departments, 'B', '县住房和城乡建设局')}"] = "县住房城乡建设局"
        accounts = workbook["账号"]
        accounts[f"D{row_of(accounts, 'A', 'd18')}"] = "县住建局"  # by its short name
        accounts[f"D{row_of(accounts, 'A', 'sup_d18')}"] = "县住房城乡建设局"
        villages = workbook["村（社区）"]
        row = row_of(villages, "B", "坪福村")
        villages[f"B{row}"], villages[f"D{row}"] = "坪福社区", "坪福村"
        villages[f"C{row}"] = "社区"

    def forgotten(workbook):
        accounts = workbook["账号"]
        accounts[f"D{row_of(accounts, 'A', 'sup_d18')}"] = "县住房和城乡建设局"

    data = edited(rename)
    report = run_setup(edited(forgotten, data), dry_run=True)
    assert [str(e) for e in report.errors] == [
        "「账号」第64行「所属单位」：没有这个单位“县住房和城乡建设局”："
        "编码 D18 的单位在本工作簿中已改名为“县住房城乡建设局”，请在这里也改用新名称或简称"
    ]
    village = Village.objects.get(township__name="城关镇", name="坪福村")
    report = run_setup(data)
    assert report.ok, [str(e) for e in report.errors]
    renamed = Unit.objects.get(pk=unit.pk)
    assert (renamed.name, renamed.code, renamed.alias_list) == (
        "县住房城乡建设局",
        "D18",
        ["县住建局"],
    )
    assert set(renamed.users.values_list("username", flat=True)) == users
    assert User.objects.get(username="sup_d18").supervises("environment")
    names = list(renamed.history.order_by("-history_date").values_list("name", flat=True)[:2])
    assert names == ["县住房城乡建设局", "县住房和城乡建设局"]
    village.refresh_from_db()
    assert (village.name, village.kind) == ("坪福社区", "社区")
    assert report.by_kind["部门"]["updated"] == 1
    history = snapshot()
    again = run_setup(data)
    assert again.ok and again.changed_count() == 0
    assert snapshot() == history


def test_a_removed_unit_in_use_is_deactivated_and_unused_villages_are_deleted(unit_named):
    power = Unit.objects.get(name="国网示范县供电公司")
    assert in_use(power)
    # A village typed into the admin but not in the workbook, and one in use whose row goes.
    spare = Village.objects.create(township=unit_named("青龙镇"), name="试点新村", kind="村")
    used = next(v for v in Village.objects.select_related("township") if in_use(v))

    def remove(workbook):
        departments = workbook["部门（含简称）"]
        departments.delete_rows(row_of(departments, "B", "国网示范县供电公司"))
        accounts = workbook["账号"]
        accounts.delete_rows(row_of(accounts, "A", "d37"))
        villages = workbook["村（社区）"]
        for cell in villages["B"]:
            if cell.value == used.name and villages[f"A{cell.row}"].value == used.township.name:
                villages.delete_rows(cell.row)
                break

    data = edited(remove)
    report = run_setup(data)
    assert report.ok, [str(e) for e in report.errors]
    power.refresh_from_db()
    assert power.is_active is False and power.code == "D37"
    assert power.history.latest().is_active is False
    assert not Village.objects.filter(pk=spare.pk).exists()
    assert Village.objects.filter(pk=used.pk).exists()
    assert f"村（社区）“{used}”不在工作簿中，但仍被业务记录引用，已保留。" in report.notes
    assert report.by_kind["村（社区）"]["removed"] == 1
    assert report.by_kind["部门"]["removed"] == 1
    assert any("国网示范县供电公司" in note and "1 个账号" in note for note in report.notes)
    history = snapshot()
    assert run_setup(data).changed_count() == 0
    assert snapshot() == history
    # Listed again, it is active again: the same unit, not a new one.
    report = run_setup(demo_bytes())
    assert report.ok
    assert Unit.objects.get(code="D37").pk == power.pk and Unit.objects.get(pk=power.pk).is_active


# ---- accounts and their one-time passwords ----------------------------------------------
NEW_ACCOUNTS = [
    ("zhangsan", "张三", "单位工作人员", "县农业局", "13800000001", "zhangsan@example.com"),
    ("lisi", "李四", "督查人员", "县改革办", "", ""),
    ("wangwu", "王五", "系统管理员", "", "", ""),
]


def with_accounts(workbook):
    accounts = workbook["账号"]
    for row in NEW_ACCOUNTS:
        accounts.append(list(row))
    d21 = row_of(accounts, "A", "d21")
    accounts[f"B{d21}"] = "赵六"
    accounts[f"E{d21}"] = "13900000021"
    return workbook


def passwords_from(data):
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    header = [c.value for c in sheet[3]]
    assert header == ["用户名", "姓名", "角色", "所属单位", "初始密码"]
    return {row[0]: row[4] for row in sheet.iter_rows(min_row=4, values_only=True)}


def test_accounts_in_bulk_get_one_time_passwords_delivered_once(demo, tmp_path, client):
    path = write(tmp_path, edited(with_accounts))
    out = tmp_path / "初始密码.xlsx"
    stdout = io.StringIO()
    call_command("setup_county", str(path), "--passwords-out", str(out), stdout=stdout)
    passwords = passwords_from(out.read_bytes())
    assert set(passwords) == {"zhangsan", "lisi", "wangwu"}
    zhang = User.objects.get(username="zhangsan")
    assert (zhang.get_full_name(), zhang.role, zhang.unit.name) == (
        "张三",
        Role.STAFF,
        "县农业农村局",
    )
    assert (zhang.phone, zhang.email, zhang.must_change_password) == (
        "13800000001",
        "zhangsan@example.com",
        True,
    )
    assert User.objects.get(username="lisi").supervises("reforms")
    assert User.objects.get(username="wangwu").is_county_admin
    for username, password in passwords.items():
        user = User.objects.get(username=username)
        assert password not in user.password and user.check_password(password)
        assert client.login(username=username, password=password)
        client.logout()
    d21 = User.objects.get(username="d21")
    assert (d21.get_full_name(), d21.phone, d21.must_change_password) == (
        "赵六",
        "13900000021",
        False,
    )
    assert d21.check_password("demo1234")  # an existing account keeps its password
    event = AuditEvent.objects.get(action=Action.ACCOUNTS)
    assert event.target == "county.xlsx" and "zhangsan" in event.detail
    assert AuditEvent.objects.filter(action=Action.SETUP).count() == 1
    # A second run creates nobody and needs no passwords file.
    hashes = dict(User.objects.values_list("username", "password"))
    call_command("setup_county", str(path), stdout=io.StringIO())
    assert dict(User.objects.values_list("username", "password")) == hashes


def test_new_accounts_without_a_passwords_file_are_refused(demo, tmp_path):
    before = snapshot()
    stderr = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("setup_county", str(write(tmp_path, edited(with_accounts))), stderr=stderr)
    assert (
        "「账号」：将新建 3 个账号（zhangsan、lisi、wangwu），请用 --passwords-out"
        in stderr.getvalue()
    )
    assert snapshot() == before


def test_account_rows_are_checked(demo):
    def bad_accounts(workbook):
        accounts = workbook["账号"]
        accounts.append(["d01", "重复", "单位工作人员", "县委办"])
        accounts.append(["周七", "周七", "单位工作人员", "县不存在局", "12ab", "mail"])
        accounts.append(["zhou8", "周八", "县级领导"])
        accounts.append(["zhou9", "周九", "督查人员"])
        accounts.append(["leader99", "李建国", "县级领导"])

    report = run_setup(edited(bad_accounts), dry_run=True)
    messages = [str(e) for e in report.sorted_errors()]
    rows = 1 + 77
    assert messages == [
        f"「账号」第{rows + 1}行「用户名」：用户名“d01”重复（「账号」第2行已有）",
        f"「账号」第{rows + 2}行「所属单位」：没有这个单位“县不存在局”",
        f"「账号」第{rows + 2}行「手机号」：手机号“12ab”格式不对",
        f"「账号」第{rows + 2}行「电子邮箱」：电子邮箱“mail”格式不对",
        f"「账号」第{rows + 3}行「姓名」："
        "县级领导账号的姓名“周八”不在「县级领导（含联系乡镇）」表中",
        f"「账号」第{rows + 4}行「所属单位」：单位工作人员和督查人员必须填写所属单位",
        f"「账号」第{rows + 5}行「姓名」：县级领导“李建国”已有账号（「账号」第{rows - 12}行）",
    ]


# ---- first login: change the password -----------------------------------------------------
@pytest.fixture
def fresh_user(demo):
    user = User.objects.create_user(
        "newbie", password="Initial-Pass-8k", role=Role.STAFF, must_change_password=True
    )
    user.unit = Unit.objects.get(name="城关镇")
    user.save()
    return user


def test_first_login_forces_the_password_change(client, fresh_user):
    assert client.login(username="newbie", password="Initial-Pass-8k")
    for url in (reverse("county:todo"), reverse("county:profile"), "/reforms/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url == reverse("password_change")
    assert client.get("/api/reforms/items/").status_code == 403
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "一次性初始密码" in page.content.decode()
    same = client.post(
        reverse("password_change"),
        {
            "old_password": "Initial-Pass-8k",
            "new_password1": "Initial-Pass-8k",
            "new_password2": "Initial-Pass-8k",
        },
    )
    assert "新密码不能与原密码相同" in same.content.decode()
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "Initial-Pass-8k",
            "new_password1": "Qiyue-Chun-2024",
            "new_password2": "Qiyue-Chun-2024",
        },
    )
    assert response.status_code == 302 and response.url == reverse("password_change_done")
    fresh_user.refresh_from_db()
    assert fresh_user.must_change_password is False and fresh_user.check_password("Qiyue-Chun-2024")
    assert client.get(reverse("county:todo")).status_code == 200  # still signed in
    assert AuditEvent.objects.filter(
        action=Action.ACCOUNTS, target="newbie", detail="首次登录修改初始密码"
    ).exists()


def test_logout_stays_possible_before_the_change(client, fresh_user):
    client.login(username="newbie", password="Initial-Pass-8k")
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response.url == reverse("login")


# ---- the admin's page ---------------------------------------------------------------------
@pytest.mark.parametrize("username", ["d21", "t02", "sup_d03", "leader01"])
def test_the_setup_page_is_for_admins_only(client, user_named, username):
    client.force_login(user_named(username))
    for name in ("setup:upload", "setup:template", "setup:export"):
        assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse("setup:confirm"), {"token": "0" * 32}).status_code == 403


def test_the_page_previews_errors_and_writes_nothing(client, user_named, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(user_named("admin"))
    before = snapshot()
    response = client.post(reverse("setup:upload"), {"file": upload("坏.xlsx", edited(broken))})
    page = response.content.decode()
    assert "「村（社区）」第5行「所属乡镇」：没有这个乡镇“幸福镇”" in page
    assert "「县级领导（含联系乡镇）」第4行「联系乡镇」：没有这个乡镇“月亮乡”" in page
    assert 'name="token"' not in page
    assert snapshot() == before
    assert not list(tmp_path.rglob("*.xlsx"))


def upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_the_page_round_trip_delivers_the_passwords_once(client, user_named, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    admin = user_named("admin")
    client.force_login(admin)
    page = client.get(reverse("setup:upload")).content.decode()
    assert reverse("setup:template") in page and "乡镇（街道）" in page
    template = client.get(reverse("setup:template"))
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    assert template.content == demo_bytes()

    preview = client.post(
        reverse("setup:upload"), {"file": upload("本县.xlsx", edited(with_accounts))}
    )
    text = preview.content.decode()
    token = re.search(r'name="token" value="([0-9a-f]{32})"', text)[1]
    assert "将新建 3 个账号" in text and "赵六" in text
    assert not User.objects.filter(username="zhangsan").exists()  # the preview wrote nothing

    done = client.post(reverse("setup:confirm"), {"token": token})
    assert done.status_code == 200 and "no-store" in done["Cache-Control"]
    html = done.content.decode()
    href = re.search(r'href="data:[^;]+;base64,([^"]+)"', html)[1]
    passwords = passwords_from(base64.b64decode(href))
    assert set(passwords) == {"zhangsan", "lisi", "wangwu"}
    assert not list(tmp_path.rglob("*.xlsx"))  # the upload is gone, no passwords on disk
    event = AuditEvent.objects.get(action=Action.SETUP)
    assert (event.user, event.target) == (admin, "本县.xlsx")
    assert AuditEvent.objects.filter(action=Action.ACCOUNTS, user=admin).exists()

    again = client.post(reverse("setup:confirm"), {"token": token})
    assert again.status_code == 302  # a second confirm is refused: the download was once
    client.logout()
    assert client.login(username="lisi", password=passwords["lisi"])
    response = client.get(reverse("county:cockpit"))
    assert response.status_code == 302 and response.url == reverse("password_change")


def test_the_export_reimports_unchanged(client, user_named):
    client.force_login(user_named("admin"))
    response = client.get(reverse("setup:export"))
    report = run_setup(response.content, dry_run=True)
    assert report.ok, [str(e) for e in report.errors]
    assert report.changed_count() == 0


def test_unit_kinds_cannot_be_swapped_by_code(demo):
    def swap(workbook):
        departments = workbook["部门（含简称）"]
        departments[f"A{row_of(departments, 'B', '县委办')}"] = "T01"

    report = run_setup(edited(swap), dry_run=True)
    messages = [str(e) for e in report.errors]
    assert any("编码“T01”重复" in m or "编码“T01”在系统中是乡镇（街道）" in m for m in messages)
    assert not report.ok
    assert Unit.objects.get(code="T01").kind == UnitKind.TOWNSHIP


@pytest.mark.browser
def test_in_the_browser_the_admin_downloads_the_passwords_and_a_new_user_changes_his(
    login, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    workbook = write(tmp_path, edited(with_accounts), "本县.xlsx")
    page = login("admin")
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("nav-setup").click()
    page.set_input_files("input[type=file]", str(workbook))
    page.get_by_role("button", name="上传并预览").click()
    page.get_by_role("button", name="确认写入").click()
    with page.expect_download() as download:
        page.get_by_test_id("passwords-download").click()
    saved = tmp_path / "passwords.xlsx"
    download.value.save_as(saved)
    password = passwords_from(saved.read_bytes())["zhangsan"]
    page.context.clear_cookies()

    page = login("zhangsan", password)
    assert page.url.endswith(reverse("password_change"))
    page.fill("#id_old_password", password)
    page.fill("#id_new_password1", "Qiyue-Chun-2024")
    page.fill("#id_new_password2", "Qiyue-Chun-2024")
    page.get_by_role("button", name="修改密码").click()
    page.get_by_test_id("continue").click()
    assert page.url.endswith(reverse("county:todo"))
    assert not User.objects.get(username="zhangsan").must_change_password


def test_one_time_passwords_are_random_and_hashed_with_the_default_pbkdf2(settings):
    from django.contrib.auth.hashers import check_password, get_hasher

    from county.setup.passwords import ONE_TIME_ITERATIONS, OneTimePasswords

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    made = [OneTimePasswords().make() for _ in range(20)]
    clears = [clear for _hash, clear in made]
    assert len(set(clears)) == 20 and all(len(c) == 12 for c in clears)
    assert all(any(ch.isdigit() for ch in c) and any(ch.isalpha() for ch in c) for c in clears)
    encoded, clear = made[0]
    assert clear not in encoded
    assert encoded.startswith(f"pbkdf2_sha256${ONE_TIME_ITERATIONS}$")
    assert check_password(clear, encoded) and not check_password(clear + "x", encoded)
    assert get_hasher("default").must_update(encoded)  # full rounds at the first login


def test_an_empty_required_cell_is_listed_with_the_other_problems(demo):
    def blanks(workbook):
        workbook["村（社区）"]["B7"] = None
        workbook["县级领导（含联系乡镇）"]["B3"] = None
        workbook["村（社区）"]["A9"] = "幸福镇"

    report = run_setup(edited(blanks), dry_run=True)
    assert [str(e) for e in report.sorted_errors()] == [
        "「村（社区）」第7行「名称」：不能为空",
        "「村（社区）」第9行「所属乡镇」：没有这个乡镇“幸福镇”",
        "「县级领导（含联系乡镇）」第3行「职务」：不能为空",
    ]
