"""Login, 我的待办, profile, admin: what a user sees in the browser-less client."""

import datetime

import pytest
from django.urls import reverse

from tests.testapp.models import Dossier


def test_login_page_is_chinese_and_lists_demo_accounts(client, demo, settings):
    settings.DEBUG = True
    page = client.get(reverse("login")).content.decode()
    assert "用户名" in page and "密码" in page and "登录" in page
    assert "d21" in page and "demo1234" in page


def test_login_page_hides_demo_accounts_in_production(client, demo, settings):
    settings.DEBUG = False
    page = client.get(reverse("login")).content.decode()
    assert "demo1234" not in page


def test_wrong_password_says_so_in_chinese(client, demo):
    response = client.post(reverse("login"), {"username": "d21", "password": "nope"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_staff_login_lands_on_todo(client, demo):
    response = client.post(
        reverse("login"), {"username": "d21", "password": "demo1234"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("county:todo")
    assert "县农业农村局" in response.content.decode()


def test_pages_require_login(client, demo):
    for name in ("county:todo", "county:profile", "county:cockpit"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_todo_lists_the_units_open_dated_work_soonest_first(client, demo, user_named, unit_named):
    agri, housing = unit_named("县农业农村局"), unit_named("县住房和城乡建设局")
    today = datetime.date.today()
    Dossier.objects.create(title="晚些到期", unit=agri, deadline=today + datetime.timedelta(30))
    Dossier.objects.create(title="已经逾期", unit=agri, deadline=today - datetime.timedelta(3))
    Dossier.objects.create(title="已完成的", unit=agri, deadline=today, done=True)
    Dossier.objects.create(title="长期坚持", unit=agri, deadline=None)
    Dossier.objects.create(title="别的单位", unit=housing, deadline=today)
    client.force_login(user_named("d21"))
    page = client.get(reverse("county:todo")).content.decode()
    assert page.index("已经逾期") < page.index("晚些到期")
    assert "已完成的" not in page and "别的单位" not in page and "长期坚持" not in page
    assert 'data-light="overdue"' in page


def test_todo_query_count_does_not_grow_with_items(client, demo, user_named, unit_named):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from county.registry import registry

    agri = unit_named("县农业农村局")
    client.force_login(user_named("d21"))
    Dossier.objects.create(title="一项", unit=agri, deadline=datetime.date.today())
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("county:todo"))
    # a few for the session, user and navigation, then one per registered kind of dated work;
    # +2: the request's own transaction (ATOMIC_REQUESTS) is a savepoint inside the test's
    assert len(few.captured_queries) <= 6 + 2 + len(registry.dated_work())
    Dossier.objects.bulk_create(
        Dossier(title=f"第{i}项", unit=agri, deadline=datetime.date.today()) for i in range(50)
    )
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("county:todo"))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_leader_todo_lists_the_work_he_leads(client, demo, user_named, unit_named):
    leader_user = user_named("leader03")
    Dossier.objects.create(
        title="陈明牵头",
        unit=unit_named("县财政局"),
        leader=leader_user.leader,
        deadline=datetime.date.today(),
    )
    client.force_login(leader_user)
    assert "陈明牵头" in client.get(reverse("county:todo")).content.decode()


def test_profile_shows_unit_and_role(client, demo, user_named):
    client.force_login(user_named("t02"))
    page = client.get(reverse("county:profile")).content.decode()
    assert "城关镇" in page and "单位工作人员" in page and "本单位" in page


def test_cockpit_gathers_registered_figures(client, demo, user_named, unit_named):
    Dossier.objects.create(title="甲", unit=unit_named("城关镇"))
    client.force_login(user_named("leader01"))
    page = client.get(reverse("county:cockpit")).content.decode()
    assert "测试板块" in page and "未完成事项" in page


@pytest.mark.parametrize("username", ["admin"])
def test_admin_is_in_chinese(client, demo, user_named, username):
    client.force_login(user_named(username))
    page = client.get(reverse("admin:index")).content.decode()
    assert "单位" in page and "县级领导" in page and "村（社区）" in page
    page = client.get(reverse("admin:county_unit_changelist")).content.decode()
    assert "县住房和城乡建设局" in page


def test_workstream_urls_are_mounted_from_the_registry(client, demo, user_named):
    client.force_login(user_named("d21"))
    assert client.get("/testing/").content == b"list"
    assert reverse("testapp:detail", args=[7]) == "/testing/7/"


def test_api_docs_are_served_offline(client, demo, user_named):
    client.force_login(user_named("d21"))
    page = client.get(reverse("api-docs")).content.decode()
    assert "swagger-ui" in page and "cdn" not in page.lower()
    assert client.get(reverse("api-schema")).status_code == 200


def test_error_pages_are_chinese(client, demo, user_named):
    client.force_login(user_named("d21"))
    missing = client.get("/reforms/items/99999999/")
    assert missing.status_code == 404 and "没有找到该页面或记录" in missing.content.decode()
    denied = client.get(reverse("ledger:import", args=["reforms"]))
    assert denied.status_code == 403
    assert "只有该板块的督查人员可以导入台账" in denied.content.decode()
