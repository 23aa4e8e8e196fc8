"""待我审核 (county/inbox.py): only what the user may decide, oldest first, decided in place,
constant queries; leaders read; the unit sees what was sent back first in 我的待办."""

import datetime

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from county.inbox import inbox_rows, sent_back_rows, waiting_count, working_days
from county.status import today
from reforms.choices import RequestStatus, TaskStatus
from reforms.models import CompletionRequest, ReformItem, SubTask

INBOX = "/inbox/"


@pytest.fixture(autouse=True)
def no_queue(monkeypatch):
    from county.events import send_event_emails

    monkeypatch.setattr(send_event_emails, "delay", lambda event_id: None)


@pytest.fixture
def item(demo, unit_named):
    """An item led by 刘洋 (leader of 县财政局's item) with one sub-task of 县农业农村局."""
    from county.models import Leader

    item = ReformItem.objects.create(
        year=2099,
        number=9,
        title="收件箱测试改革",
        lead_unit=unit_named("县财政局"),
        lead_leader=Leader.objects.get(name="刘洋"),
    )
    task = SubTask.objects.create(
        item=item, order=1, name="农业举措", deadline=today() + datetime.timedelta(days=30)
    )
    task.units.set([unit_named("县农业农村局")])
    return item


def ask(item, user, count=1, days_ago=0):
    """``count`` completion requests by ``user`` on new sub-tasks of ``item``."""
    made = []
    for n in range(count):
        task = SubTask.objects.create(
            item=item, order=100 + n, name=f"举措{n}", deadline=today() + datetime.timedelta(30)
        )
        task.units.set([user.unit])
        made.append(
            CompletionRequest.objects.create(subtask=task, reason="完成", requested_by=user)
        )
    if days_ago:
        when = timezone.now() - datetime.timedelta(days=days_ago)
        CompletionRequest.objects.filter(pk__in=[r.pk for r in made]).update(requested_at=when)
    return made


def test_working_days_skip_the_weekend(db):  # the calendar table: county.workdays
    friday = datetime.date(2026, 11, 27)
    assert working_days(friday, friday) == 0
    assert working_days(friday, datetime.date(2026, 11, 29)) == 0  # Sunday
    assert working_days(friday, datetime.date(2026, 11, 30)) == 1  # Monday
    assert working_days(friday, datetime.date(2026, 12, 3)) == 4
    assert working_days(friday, datetime.date(2026, 12, 11)) == 10


def test_supervisor_sees_the_request_oldest_first_with_its_wait(client, item, user_named):
    d21 = user_named("d21")
    new = ask(item, d21)[0]
    old = ask(item, d21, days_ago=10)[0]
    client.force_login(user_named("sup_d03"))
    page = client.get(INBOX)
    assert page.status_code == 200
    rows = [r for r in page.context["rows"] if r["decision"].key == "reforms.completion"]
    keys = [r["obj"].pk for r in rows]
    assert keys.index(old.pk) < keys.index(new.pk)
    first = next(r for r in rows if r["obj"].pk == old.pk)
    assert first["late"] and first["waited"] >= 6
    assert first["info"]["unit"] == "县农业农村局" and "收件箱测试改革" in first["info"]["parent"]
    html = page.content.decode()
    assert "已等待" in html and "超时" in html and 'data-testid="decide-form"' in html
    assert 'data-testid="inbox-count"' in html


def test_only_what_the_user_may_decide(client, item, user_named):
    ask(item, user_named("d21"))
    # another workstream's supervisor: an inbox, but none of the reform office's requests
    client.force_login(user_named("sup_d18"))
    rows = client.get(INBOX).context["rows"]
    assert not [r for r in rows if r["workstream"].key == "reforms"]
    # unit staff have no inbox and no badge
    client.force_login(user_named("d21"))
    assert client.get(INBOX).status_code == 403
    assert 'data-testid="nav-inbox"' not in client.get(reverse("county:todo")).content.decode()
    # a supervisor never decides his own request
    sup = user_named("sup_d03")
    own = CompletionRequest.objects.create(
        subtask=item.subtasks.get(order=1), reason="自己申请", requested_by=sup
    )
    rows, _counts, _more = inbox_rows(sup)
    assert own.pk not in [r["obj"].pk for r in rows if r["decision"].key == "reforms.completion"]
    client.force_login(sup)
    response = client.post(
        reverse("county:inbox_decide", args=["reforms.completion", own.pk]), {"action": "accept"}
    )
    assert response.status_code == 409
    own.refresh_from_db()
    assert own.status == RequestStatus.PENDING


def test_decide_in_place_send_back_needs_a_reason(client, item, user_named):
    request = ask(item, user_named("d21"))[0]
    client.force_login(user_named("sup_d03"))
    url = reverse("county:inbox_decide", args=["reforms.completion", request.pk])
    response = client.post(url, {"action": "send_back", "note": ""})
    assert response.status_code == 400
    assert "退回时必须填写退回原因。" in response.content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING
    response = client.post(url, {"action": "send_back", "note": "缺少佐证材料"}, follow=True)
    assert response.redirect_chain[-1][0] == INBOX
    assert "完成申请已退回" in response.content.decode()
    request.refresh_from_db()
    assert (request.status, request.decision_note) == (RequestStatus.REJECTED, "缺少佐证材料")
    # decided meanwhile: a conflict, nothing changes
    again = client.post(url, {"action": "accept"})
    assert again.status_code == 409
    assert "已不在待审核状态" in again.content.decode()


def test_accept_from_the_inbox_runs_the_rule(client, item, user_named):
    request = ask(item, user_named("d21"))[0]
    client.force_login(user_named("sup_d03"))
    url = reverse("county:inbox_decide", args=["reforms.completion", request.pk])
    assert client.post(url, {"action": "accept", "note": "材料齐全"}).status_code == 302
    request.subtask.refresh_from_db()
    assert request.subtask.status == TaskStatus.DONE


def test_leaders_read_their_items_requests_only(client, item, user_named):
    from county.models import User

    ask(item, user_named("d21"))
    other = ReformItem.objects.create(year=2099, number=10, title="别人牵头的改革")
    ask(other, user_named("d21"))
    client.force_login(User.objects.get(leader__name="刘洋"))
    page = client.get(INBOX)
    assert page.status_code == 200
    parents = [r["info"]["parent"] for r in page.context["rows"]]
    assert any("收件箱测试改革" in p for p in parents)
    assert not any("别人牵头的改革" in p for p in parents)
    assert all(not r["may_decide"] for r in page.context["rows"])
    assert 'data-testid="decide-form"' not in page.content.decode()
    request = CompletionRequest.objects.filter(subtask__item=item).first()
    url = reverse("county:inbox_decide", args=["reforms.completion", request.pk])
    assert client.post(url, {"action": "accept"}).status_code == 403
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


def test_query_count_is_the_same_with_1_and_50_waiting_requests(client, item, user_named):
    d21 = user_named("d21")
    client.force_login(user_named("sup_d03"))

    def measure():
        client.get(INBOX)  # warm up (session, content types)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(INBOX)
        mine = [r for r in response.context["rows"] if "收件箱测试改革" in r["info"]["parent"]]
        return len(mine), len(queries)

    ask(item, d21, count=1)
    one = measure()
    ask(item, d21, count=49)
    fifty = measure()
    assert (one[0], fifty[0]) == (1, 50)
    assert one[1] == fifty[1]


def test_badge_counts_in_one_query(item, user_named, django_assert_num_queries):
    ask(item, user_named("d21"), count=3)
    sup = user_named("sup_d03")
    sup.supervised_workstreams  # noqa: B018  (cached per request in real pages)
    with django_assert_num_queries(1):
        count = waiting_count(sup)
    assert count >= 3


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
def test_the_badge_is_cached_yet_follows_each_request_and_decision(client, item, user_named):
    """待我审核's count comes from the figures cache, and a new request or a decision shows
    on the next page at once."""
    from django.core.cache import cache

    from reforms import workflow

    cache.clear()
    d21, sup = user_named("d21"), user_named("sup_d03")
    before = waiting_count(sup)
    with CaptureQueriesContext(connection) as queries:
        assert waiting_count(sup) == before
    assert not queries  # from the cache
    request = ask(item, d21)[0]
    assert waiting_count(sup) == before + 1
    client.force_login(sup)
    assert client.get(reverse("county:todo")).context["inbox_waiting"] == before + 1
    workflow.decide_completion(request.pk, sup, False, "请补充验收报告")
    assert client.get(reverse("county:todo")).context["inbox_waiting"] == before


def test_sent_back_comes_first_in_the_units_todo(client, item, user_named):
    from reforms import workflow

    request = ask(item, user_named("d21"))[0]
    workflow.decide_completion(request.pk, user_named("sup_d03"), False, "请补充验收报告")
    rows = sent_back_rows(user_named("d21"))
    assert [r["info"]["reason"] for r in rows if r["info"]["title"] == "举措0"] == [
        "请补充验收报告"
    ]
    assert sent_back_rows(user_named("t02")) == [] or all(
        r["info"]["title"] != "举措0" for r in sent_back_rows(user_named("t02"))
    )
    client.force_login(user_named("d21"))
    html = client.get(reverse("county:todo")).content.decode()
    assert html.index('data-testid="sent-back-group"') < html.index('data-testid="todo-group"')
    assert "请补充验收报告" in html
    # asked again: no longer "sent back"
    workflow.request_completion(request.subtask, user_named("d21"), "已补充")
    assert all(r["info"]["title"] != "举措0" for r in sent_back_rows(user_named("d21")))


def test_follow_up_recheck_and_plan_review_are_decided_from_the_inbox(client, demo, user_named):
    from landplan.choices import Stage
    from landplan.models import PlanArea
    from reforms.choices import FollowUpStatus
    from reforms.models import FollowUpProblem

    sup = user_named("sup_d03")
    problem = (
        FollowUpProblem.objects.filter(status=FollowUpStatus.RECTIFIED)
        .exclude(lead_unit=sup.unit)
        .first()
    )
    client.force_login(sup)
    url = reverse("county:inbox_decide", args=["reforms.followup", problem.pk])
    assert client.post(url, {"action": "accept", "note": "回访群众满意"}).status_code == 302
    problem.refresh_from_db()
    assert problem.status == FollowUpStatus.RECHECKED
    assert problem.rechecks.get().checked_by.username == "sup_d03"

    area = PlanArea.objects.filter(stage=Stage.PROVINCIAL_REVIEW).first()
    client.force_login(user_named("sup_d17"))
    keys = [r["key"] for r in client.get(INBOX).context["rows"]]
    assert f"landplan.review:{area.pk}" in keys
    url = reverse("county:inbox_decide", args=["landplan.review", area.pk])
    assert client.post(url, {"action": "send_back", "note": ""}).status_code == 400
    opinion = "专班意见：村庄布局需与三区三线衔接"
    assert client.post(url, {"action": "send_back", "note": opinion}).status_code == 302
    area.refresh_from_db()
    assert area.stage == Stage.REVISING
    reasons = [r["info"]["reason"] for r in sent_back_rows(user_named("d17"))]
    assert opinion in reasons
