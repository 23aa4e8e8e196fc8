"""The admin's edit form carries the record's version: a stale save is refused (issue 10)."""

import pytest
from django.urls import reverse


@pytest.fixture
def admin_client(client, user_named):
    client.force_login(user_named("admin"))
    return client


def test_admin_edit_of_a_versioned_record_is_refused_when_stale(admin_client, demo):
    from reforms.models import ReformItem

    item = ReformItem.objects.order_by("pk").first()
    url = reverse("admin:reforms_reformitem_change", args=[item.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert 'name="version"' in page.content.decode()
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list)
    }
    data.update({"co_units": [u.pk for u in item.co_units.all()], "title": "管理员改的标题"})
    data.update(
        {
            f"subtasks-{key}": value
            for key, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0), ("MAX_NUM_FORMS", 1000))
        }
    )
    # Someone saves the item meanwhile: the admin's form (version 1) is now stale.
    fresh = ReformItem.objects.get(pk=item.pk)
    fresh.note = "办事员刚保存"
    fresh.save()
    stale = admin_client.post(url, data)
    assert stale.status_code == 200 and "已被他人修改" in stale.content.decode()
    item.refresh_from_db()
    assert item.title != "管理员改的标题" and item.note == "办事员刚保存"
    # Sent again with the version the page now carries, it saves (knowingly).
    data["version"] = ReformItem.objects.get(pk=item.pk).version
    saved = admin_client.post(url, data)
    assert saved.status_code == 302
    item.refresh_from_db()
    assert item.title == "管理员改的标题"
