"""State only through its rule (issue 20), for the rest of the workstreams: a parcel's
township and village, a plan area's stage and owning units, a 后半篇文章 problem's lead unit
and a 微创新 project's unit are never written by a plain edit (page or API); the owners move
through ``reassign``, which the decider may not use on his own unit's work, nor to take it."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from abandoned_land.models import Parcel
from county.choices import Role
from county.models import Supervision, User

AGRICULTURE = "县农业农村局"  # sup_d21's unit, the supervisor of abandoned_land


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def snapshot(record, *fields):
    """The row's ``fields``, its version and its history count as they are now."""
    fresh = type(record)._base_manager.get(pk=record.pk)
    return (
        tuple(getattr(fresh, name) for name in fields),
        fresh.version,
        fresh.history.count(),
    )


@pytest.fixture
def township_supervisor(demo, unit_named):
    """A supervisor of abandoned_land whose own unit is 城关镇 (a county may name a township)."""
    town = unit_named("城关镇")
    Supervision.objects.get_or_create(unit=town, workstream="abandoned_land")
    return User.objects.create_user(
        username="sup_town_h13", password="x", role=Role.SUPERVISOR, unit=town
    )


@pytest.fixture
def parcel(demo, unit_named):
    town = unit_named("城关镇")
    return Parcel.objects.create(
        township=town,
        village=town.villages.order_by("name").first(),
        code="TEST-RULE-0001",
        area=Decimal("3.00"),
        remediated_on=datetime.date(2026, 3, 1),
        method="农户自行复耕",
        status="remediated",
    )


def other_village(unit):
    return unit.villages.order_by("name").last()


# --- abandoned_land: a parcel's township and village ---------------------------------------
def test_parcel_owner_is_not_in_the_supervisors_edit_form(parcel, client, user_named, unit_named):
    client.force_login(user_named("sup_d21"))
    url = reverse("abandoned_land:parcel_update", args=[parcel.pk])
    form = client.get(url).context["form"]
    assert "township" not in form.fields and "village" not in form.fields
    assert "code" in form.fields  # the rest of the base data is still the supervisor's
    before = snapshot(parcel, "township_id", "village_id")
    east = unit_named("东兴镇")
    answer = client.post(
        url,
        {
            "version": form.initial["version"],
            "township": east.pk,
            "village": other_village(east).pk,
            "code": parcel.code,
            "area": "3.00",
            "status": "remediated",
            "remediated_on": "2026-03-01",
            "method": "农户自行复耕",
            "inspected_on": datetime.date.today().isoformat(),
        },
    )
    assert answer.status_code == 302
    assert snapshot(parcel, "township_id", "village_id")[0] == before[0]


def test_parcel_owner_cannot_be_patched(parcel, user_named, unit_named):
    url = f"/api/abandoned_land/parcels/{parcel.pk}/"
    sup = api_as(user_named("sup_d21"))
    east = unit_named("东兴镇")
    before = snapshot(parcel, "township_id", "village_id")
    moved = sup.patch(url, {"township": east.pk}, format="json")
    assert moved.status_code == 400 and "/reassign/" in moved.json()["township"][0]
    village = sup.patch(url, {"village": other_village(parcel.township).pk}, format="json")
    assert village.status_code == 400 and "/reassign/" in village.json()["village"][0]
    assert snapshot(parcel, "township_id", "village_id") == before
    # a PUT of what was read passes, for the supervisor and the township's staff alike
    read = sup.get(url).json()
    assert sup.put(url, read, format="json").status_code == 200
    staff = api_as(user_named("t02"))
    assert staff.patch(url, {"township": parcel.township_id, "crop": "玉米"},
                       format="json").status_code == 200  # fmt: skip


def test_parcel_status_through_the_api_follows_the_forms_rule(parcel, user_named):
    url = f"/api/abandoned_land/parcels/{parcel.pk}/"
    staff = api_as(user_named("t02"))
    before = snapshot(parcel, "status")
    skipped = staff.patch(url, {"status": "consolidated"}, format="json")  # 已整治 → 已巩固
    assert skipped.status_code == 400 and "status" in skipped.json()
    back = staff.patch(url, {"status": "surveyed"}, format="json")  # backwards: supervisors only
    assert back.status_code == 400 and "status" in back.json()
    assert snapshot(parcel, "status") == before


def test_parcel_reassign_by_the_supervisor_writes_history(parcel, client, user_named, unit_named):
    east = unit_named("东兴镇")
    village = other_village(east)
    history = parcel.history.count()
    answer = api_as(user_named("sup_d21")).post(
        f"/api/abandoned_land/parcels/{parcel.pk}/reassign/",
        {"township": east.pk, "village": village.pk, "reason": "地块实属东兴镇"},
        format="json",
    )
    assert answer.status_code == 200 and answer.json()["township"] == east.pk
    parcel.refresh_from_db()
    assert (parcel.township, parcel.village) == (east, village)
    assert parcel.history.count() == history + 1
    assert parcel.history.filter(history_change_reason__contains="地块实属东兴镇").exists()
    # a village of another township is refused (400), nothing changes
    wrong = api_as(user_named("sup_d21")).post(
        f"/api/abandoned_land/parcels/{parcel.pk}/reassign/",
        {"township": east.pk, "village": unit_named("城关镇").villages.first().pk, "reason": "x"},
        format="json",
    )
    assert wrong.status_code == 400 and "village" in wrong.json()
    # the page does the same
    client.force_login(user_named("sup_d21"))
    url = reverse("abandoned_land:parcel_reassign", args=[parcel.pk])
    assert client.get(url).status_code == 200
    town = unit_named("城关镇")
    back = client.post(
        url, {"township": town.pk, "village": town.villages.first().pk, "reason": "复核后退回"}
    )
    assert back.status_code == 302
    parcel.refresh_from_db()
    assert parcel.township == town
    # the township's staff never reassign
    client.force_login(user_named("t02"))
    assert client.get(url).status_code == 403


def test_parcel_reassign_refused_to_the_decider_on_his_own_units_parcel(
    parcel, township_supervisor, client, unit_named
):
    east = unit_named("东兴镇")
    sup = api_as(township_supervisor)
    before = snapshot(parcel, "township_id", "village_id")
    away = sup.post(
        f"/api/abandoned_land/parcels/{parcel.pk}/reassign/",
        {"township": east.pk, "village": other_village(east).pk, "reason": "推给东兴镇"},
        format="json",
    )
    assert away.status_code == 403 and "城关镇" in away.json()["detail"]
    client.force_login(township_supervisor)
    page = reverse("abandoned_land:parcel_reassign", args=[parcel.pk])
    assert client.get(page).status_code == 403
    assert snapshot(parcel, "township_id", "village_id") == before
    # nor may he take another township's parcel into his own unit
    other = Parcel.objects.create(
        township=east,
        village=other_village(east),
        code="TEST-RULE-0002",
        area=Decimal("1.00"),
    )
    taken = sup.post(
        f"/api/abandoned_land/parcels/{other.pk}/reassign/",
        {"township": parcel.township_id, "village": parcel.village_id, "reason": "收回"},
        format="json",
    )
    assert taken.status_code == 403
    other.refresh_from_db()
    assert other.township == east
    taken_by_page = client.post(
        reverse("abandoned_land:parcel_reassign", args=[other.pk]),
        {"township": parcel.township_id, "village": parcel.village_id, "reason": "收回"},
    )
    assert taken_by_page.status_code == 403


# --- reforms: a 后半篇文章 problem's lead unit, a 微创新 project's unit ----------------------
REFORM_OFFICE = "县委改革办"  # sup_d03's unit, a supervisor of reforms
FINANCE = "县财政局"


@pytest.fixture
def followup(demo, unit_named):
    from reforms.models import FollowUpProblem

    return FollowUpProblem.objects.create(
        number=9901,
        area="测试领域",
        problem="测试：改革办牵头的问题",
        lead_unit=unit_named(FINANCE),
    )


@pytest.fixture
def innovation(demo, unit_named):
    from reforms.models import Innovation

    return Innovation.objects.create(title="测试：积分治理", unit=unit_named(FINANCE))


def test_followup_lead_unit_is_not_in_the_edit_form_nor_patchable(
    followup, client, user_named, unit_named
):
    client.force_login(user_named("sup_d03"))
    url = reverse("reforms:followup_edit", args=[followup.pk])
    form = client.get(url).context["form"]
    assert "lead_unit" not in form.fields
    assert "lead_unit" in client.get(reverse("reforms:followup_create")).context["form"].fields
    before = snapshot(followup, "lead_unit_id")
    office = unit_named(REFORM_OFFICE)
    answer = client.post(
        url,
        {
            "version": form.initial["version"],
            "number": followup.number,
            "area": followup.area,
            "problem": followup.problem,
            "lead_unit": office.pk,
        },
    )
    assert answer.status_code == 302
    assert snapshot(followup, "lead_unit_id")[0] == before[0]
    api = api_as(user_named("sup_d03"))
    patched = api.patch(
        f"/api/reforms/followups/{followup.pk}/", {"lead_unit": office.pk}, format="json"
    )
    assert patched.status_code == 400 and "/reassign/" in patched.json()["lead_unit"][0]
    assert snapshot(followup, "lead_unit_id")[0] == before[0]


def test_followup_reassign_works_for_another_supervisor_and_is_refused_on_his_own(
    followup, client, user_named, unit_named
):
    url = f"/api/reforms/followups/{followup.pk}/reassign/"
    sup = api_as(user_named("sup_d03"))
    office, agri = unit_named(REFORM_OFFICE), unit_named(AGRICULTURE)
    # to his own unit: refused, nothing changes
    before = snapshot(followup, "lead_unit_id")
    taken = sup.post(url, {"unit": office.pk, "reason": "收回"}, format="json")
    assert taken.status_code == 403 and REFORM_OFFICE in taken.json()["detail"]
    assert snapshot(followup, "lead_unit_id") == before
    moved = sup.post(url, {"unit": agri.pk, "reason": "属农业领域"}, format="json")
    assert moved.status_code == 200 and moved.json()["lead_unit"] == agri.pk
    assert followup.history.count() > before[2]
    assert followup.history.filter(history_change_reason__contains="属农业领域").exists()
    # given to 县委改革办 by the admin, its own supervisor may no longer move it away
    assert (
        api_as(user_named("admin"))
        .post(url, {"unit": office.pk, "reason": "改革办牵头"}, format="json")
        .status_code
        == 200
    )
    before = snapshot(followup, "lead_unit_id")
    away = sup.post(url, {"unit": agri.pk, "reason": "推走"}, format="json")
    assert away.status_code == 403
    client.force_login(user_named("sup_d03"))
    page = reverse("reforms:followup_reassign", args=[followup.pk])
    assert client.get(page).status_code == 403
    assert client.post(page, {"unit": agri.pk, "reason": "推走"}).status_code == 403
    assert snapshot(followup, "lead_unit_id") == before
    # the page works for a supervisor of another unit
    client.force_login(user_named("admin"))
    assert client.post(page, {"unit": agri.pk, "reason": "改由农业"}).status_code == 302
    followup.refresh_from_db()
    assert followup.lead_unit == agri


def test_innovation_unit_is_not_in_the_edit_form_nor_patchable(
    innovation, client, user_named, unit_named
):
    client.force_login(user_named("sup_d03"))
    url = reverse("reforms:innovation_edit", args=[innovation.pk])
    form = client.get(url).context["form"]
    assert "unit" not in form.fields
    office = unit_named(REFORM_OFFICE)
    answer = client.post(
        url, {"version": form.initial["version"], "title": innovation.title, "unit": office.pk}
    )
    assert answer.status_code == 302
    innovation.refresh_from_db()
    assert innovation.unit.name == FINANCE
    before = snapshot(innovation, "unit_id")
    for who in ("sup_d03", "d15"):  # the supervisor and the unit's own staff
        patched = api_as(user_named(who)).patch(
            f"/api/reforms/innovations/{innovation.pk}/", {"unit": office.pk}, format="json"
        )
        assert patched.status_code == 400 and "/reassign/" in patched.json()["unit"][0]
    assert snapshot(innovation, "unit_id") == before


def test_innovation_reassign_works_and_is_refused_to_the_deciders_own_unit(
    innovation, client, user_named, unit_named
):
    office, agri = unit_named(REFORM_OFFICE), unit_named(AGRICULTURE)
    client.force_login(user_named("sup_d03"))
    page = reverse("reforms:innovation_reassign", args=[innovation.pk])
    assert client.get(page).status_code == 200
    before = snapshot(innovation, "unit_id")
    assert client.post(page, {"unit": office.pk, "reason": "收回"}).status_code == 403
    assert snapshot(innovation, "unit_id") == before
    assert client.post(page, {"unit": agri.pk, "reason": "改由农业"}).status_code == 302
    innovation.refresh_from_db()
    assert innovation.unit == agri
    assert innovation.history.filter(history_change_reason__contains="改由农业").exists()
    # staff never reassign
    staff = api_as(user_named("d15"))
    url = f"/api/reforms/innovations/{innovation.pk}/reassign/"
    assert staff.post(url, {"unit": unit_named(FINANCE).pk, "reason": "x"}).status_code in (
        403,
        404,
    )
    # his own unit's project: refused, the API says why
    innovation.unit = office
    innovation.save()
    before = snapshot(innovation, "unit_id")
    away = api_as(user_named("sup_d03")).post(
        url, {"unit": agri.pk, "reason": "推走"}, format="json"
    )
    assert away.status_code == 403 and REFORM_OFFICE in away.json()["detail"]
    assert snapshot(innovation, "unit_id") == before


# --- landplan: an area's stage and owners ----------------------------------------------------
def test_plan_area_stage_and_owners_cannot_be_patched(demo, client, user_named, unit_named):
    from landplan.models import PlanArea

    area = PlanArea.objects.order_by("pk").first()
    url = f"/api/landplan/areas/{area.pk}/"
    sup = api_as(user_named("sup_d17"))  # 县自然资源局, the supervisor of landplan
    before = snapshot(area, "stage", "lead_unit_id")
    townships = sorted(area.townships.values_list("pk", flat=True))
    staged = sup.patch(url, {"stage": area.stage + 1}, format="json")
    assert staged.status_code == 400 and "/move/" in staged.json()["stage"][0]
    lead = sup.patch(url, {"lead_unit": unit_named(FINANCE).pk}, format="json")
    assert lead.status_code == 400 and "lead_unit" in lead.json()
    towns = sup.patch(url, {"townships": [unit_named("东兴镇").pk]}, format="json")
    assert towns.status_code == 400 and "townships" in towns.json()
    assert snapshot(area, "stage", "lead_unit_id") == before
    assert sorted(area.townships.values_list("pk", flat=True)) == townships
    # a PUT of what was read passes; the edit page offers none of them
    assert sup.put(url, sup.get(url).json(), format="json").status_code == 200
    client.force_login(user_named("sup_d17"))
    form = client.get(reverse("landplan:area_update", args=[area.pk])).context["form"]
    assert not {"stage", "lead_unit", "townships", "villages"} & set(form.fields)
