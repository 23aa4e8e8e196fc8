"""Reform lists on a phone (cards), the overdue marker of 后半篇文章, one 状态 per filter form."""

import datetime
import re

from django.urls import reverse

from county.status import today
from reforms.choices import FollowUpStatus
from reforms.models import FollowUpProblem


def test_item_and_task_lists_have_cards_for_phones(client, user_named):
    client.force_login(user_named("sup_d03"))
    items = client.get(reverse("reforms:list")).content.decode()
    assert 'data-testid="item-cards"' in items
    assert 'class="card shadow-sm d-none d-md-block"' in items  # the table from 768 px on
    tasks = client.get(reverse("reforms:tasks")).content.decode()
    assert 'data-testid="task-cards"' in tasks


def test_task_filters_are_not_both_called_status(client, user_named):
    client.force_login(user_named("sup_d03"))
    page = client.get(reverse("reforms:tasks")).content.decode()
    labels = re.findall(r"<label[^>]*>([^<]+)</label>", page)
    assert "完成状态" in labels and "时限状态" in labels
    assert labels.count("状态") == 0


def test_followup_list_marks_overdue_problems(client, user_named):
    problem = FollowUpProblem.objects.order_by("number").first()
    problem.status = FollowUpStatus.RECTIFYING
    problem.deadline = today() - datetime.timedelta(days=5)
    problem.save()
    client.force_login(user_named("sup_d03"))
    page = client.get(reverse("reforms:followups")).content.decode()
    assert "逾期5天" in page
    problem.status = FollowUpStatus.RECTIFIED
    problem.save()
    page = client.get(reverse("reforms:followups")).content.decode()
    assert "逾期5天" not in page
