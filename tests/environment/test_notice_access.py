"""Who reads a notice (issue 20): the draft for any period — every township's figures, other
townships' problems, another unit's 问责 — is not a township clerk's, page and Word file alike
(one declaration, ``draft`` of ``environment.Notice``); an issued notice is everyone's, read as
it was issued, never recomputed."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve, reverse

from environment.models import Accountability

D = datetime.date
PERIOD = {"start": "2030-03-01", "end": "2030-03-31"}


@pytest.fixture
def march(make_problem, unit_named):
    """Problems of two townships in March 2030, one stubborn elsewhere, one 约谈 of 石门镇."""
    make_problem("城关镇", found_on=D(2030, 3, 2), deadline=D(2030, 3, 9))
    make_problem(
        "石门镇",
        found_on=D(2030, 3, 3),
        deadline=D(2030, 3, 9),
        recurrence_count=1,
        description="石门镇河道垃圾反复出现",
    )
    return Accountability.objects.create(
        unit=unit_named("石门镇"),
        measure="interview",
        reason="石门镇整改不力约谈",
        date=D(2030, 3, 20),
    )


def test_township_clerk_gets_neither_the_draft_page_nor_its_word_file(march, client, user_named):
    client.force_login(user_named("t02"))
    page = client.get("/environment/notice/", PERIOD)
    assert page.status_code in (403, 404)
    assert "石门镇河道垃圾反复出现" not in page.content.decode()
    assert "石门镇整改不力约谈" not in page.content.decode()
    assert client.get("/environment/notice/draft.docx", PERIOD).status_code in (403, 404)
    # his own list of issued notices is open, and offers no draft
    listed = client.get("/environment/notices/")
    assert listed.status_code == 200 and "生成通报草稿" not in listed.content.decode()


@pytest.mark.parametrize("username", ["sup_d18", "leader01", "admin"])
def test_supervisors_and_readers_get_the_draft_page_and_word_file(
    march, client, user_named, username
):
    client.force_login(user_named(username))
    page = client.get("/environment/notice/", PERIOD)
    assert page.status_code == 200 and "石门镇整改不力约谈" in page.content.decode()
    assert client.get("/environment/notice/draft.docx", PERIOD).status_code == 200


def test_issued_notice_is_read_by_the_clerk_as_issued(march, client, user_named, make_problem):
    client.force_login(user_named("sup_d18"))
    draft = client.get("/environment/notice/draft.docx", PERIOD).content
    issued = client.post(
        "/environment/notice/issue/",
        {
            "title": "关于三月督查情况的通报",
            "period_start": "2030-03-01",
            "period_end": "2030-03-31",
            "issued_on": "2030-04-02",
            "document": SimpleUploadedFile("通报.docx", draft),
        },
    )
    assert issued.status_code == 302
    url = issued["Location"]
    # the data change after issuing: the draft is recomputed, the issued notice is not
    for day in (4, 5, 6):
        make_problem("城关镇", found_on=D(2030, 3, day), deadline=D(2030, 3, 20))
    recomputed = client.get("/environment/notice/", PERIOD).content.decode()
    assert "共发现问题 <strong>5</strong> 个" in recomputed

    client.force_login(user_named("t02"))
    assert "关于三月督查情况的通报" in client.get("/environment/notices/").content.decode()
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "共发现问题2个" in html and "共发现问题5个" not in html
    assert "石门镇整改不力约谈" in html  # what was issued, as issued
    document = client.get(reverse("environment:notice_document", args=[resolve(url).kwargs["pk"]]))
    assert document.status_code == 200 and bytes(b"".join(document.streaming_content)) == draft
