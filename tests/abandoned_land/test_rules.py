"""The anti-rebound rules: at risk after remediation, 复撂荒 apart, the loop's order, deadlines."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from abandoned_land import rules
from abandoned_land.figures import summary
from abandoned_land.models import Parcel
from county.registry import registry


def test_remediated_without_crop_or_operator_is_at_risk(make_parcel):
    no_crop = make_parcel(operator="张某")
    no_operator = make_parcel(crop="玉米")
    planned = make_parcel(crop="玉米", operator="张某")
    planted = make_parcel(
        status="planted", crop="玉米", season="spring", operator="张某", operator_type="farmer"
    )
    surveyed = make_parcel(status="surveyed", remediated_on=None, method="")
    assert no_crop.is_at_risk and no_operator.is_at_risk
    assert not planned.is_at_risk and not planted.is_at_risk and not surveyed.is_at_risk
    flagged = set(Parcel.objects.at_risk().values_list("pk", flat=True))
    assert {no_crop.pk, no_operator.pk} <= flagged
    assert not {planned.pk, planted.pk, surveyed.pk} & flagged


def test_reabandoned_is_counted_apart_and_stays_in_the_stock(make_parcel, user_named):
    town = user_named("t02")
    before = summary(town)
    make_parcel(status="reabandoned", area="2.00")
    after = summary(town)
    assert after["reabandoned_count"] == before["reabandoned_count"] + 1
    assert after["still_abandoned_area"] == before["still_abandoned_area"] + 2
    assert after["remediated_count"] == before["remediated_count"] + 1  # it was remediated once
    assert after["at_risk_count"] == before["at_risk_count"]


def test_staff_move_forward_only_and_need_a_finding_for_reabandoned(make_parcel, user_named):
    clerk = user_named("t02")
    parcel = make_parcel(status="surveyed", remediated_on=None, method="")
    with pytest.raises(ValidationError) as error:
        parcel.apply_update(clerk, {"status": "planted"})
    assert "status" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        parcel.apply_update(clerk, {"status": "remediated"})
    assert set(error.value.message_dict) == {"remediated_on", "method"}
    parcel = Parcel.objects.get(pk=parcel.pk)
    parcel.apply_update(
        clerk,
        {
            "status": "remediated",
            "remediated_on": datetime.date(2026, 9, 1),
            "method": "合作社托管",
        },
        on=datetime.date(2026, 9, 2),
    )
    assert parcel.planting_deadline == datetime.date(2026, 11, 30)  # the 小春 sowing
    with pytest.raises(ValidationError) as error:
        parcel.apply_update(clerk, {"status": "reabandoned"})
    assert "finding" in error.value.message_dict
    parcel = Parcel.objects.get(pk=parcel.pk)
    record = parcel.apply_update(clerk, {"status": "reabandoned"}, "地里长满杂草，无人耕种")
    assert (record.status_before, record.status_after, record.user) == (
        "remediated",
        "reabandoned",
        clerk,
    )
    with pytest.raises(ValidationError):
        parcel.apply_update(clerk, {"status": "consolidated"})
    assert [h.history_user for h in parcel.history.all()[:2]] == [clerk, clerk]


def test_supervisor_may_move_back(make_parcel, user_named):
    parcel = make_parcel(
        status="planted", crop="玉米", season="spring", operator="张某", operator_type="farmer"
    )
    parcel.apply_update(user_named("sup_d21"), {"status": "remediated"})
    assert Parcel.objects.get(pk=parcel.pk).status == "remediated"


def test_planted_needs_crop_season_and_operator(make_parcel, user_named):
    parcel = make_parcel(crop="玉米")
    with pytest.raises(ValidationError) as error:
        parcel.apply_update(user_named("t02"), {"status": "planted"})
    assert set(error.value.message_dict) == {"season", "operator", "operator_type"}


def test_next_planting_deadline_is_the_next_sowing_season():
    assert rules.next_planting_deadline(datetime.date(2026, 3, 1)) == datetime.date(2026, 5, 31)
    assert rules.next_planting_deadline(datetime.date(2026, 5, 10)) == datetime.date(2026, 11, 30)
    assert rules.next_planting_deadline(datetime.date(2026, 11, 26)) == datetime.date(2027, 5, 31)


def test_parcels_awaiting_planting_are_dated_work_until_planted(make_parcel, unit_named):
    (dated,) = registry.get("abandoned_land").dated_work
    town = unit_named("城关镇")
    waiting = make_parcel(
        crop="玉米", operator="张某", planting_deadline=datetime.date(2030, 5, 31)
    )
    undated = make_parcel()
    planted = make_parcel(
        status="planted",
        crop="玉米",
        season="spring",
        operator="张某",
        operator_type="farmer",
        planting_deadline=datetime.date(2030, 5, 31),
    )
    open_ids = set(dated.for_unit(town.pk).values_list("pk", flat=True))
    assert waiting.pk in open_ids
    assert undated.pk not in open_ids and planted.pk not in open_ids
    assert waiting.pk not in set(
        dated.for_unit(unit_named("东兴镇").pk).values_list("pk", flat=True)
    )
    assert dated.url(waiting.pk) == waiting.get_absolute_url()


def test_todo_page_lists_the_townships_parcels(client, make_parcel, user_named):
    parcel = make_parcel(planting_deadline=datetime.date.today() + datetime.timedelta(days=2))
    client.force_login(user_named("t02"))
    page = client.get("/todo/")
    assert page.status_code == 200 and parcel.code in page.content.decode()


def test_re_remediation_gets_a_new_deadline_staff_cannot_set_it(client, make_parcel, user_named):
    parcel = make_parcel(status="reabandoned", planting_deadline=datetime.date(2024, 5, 31))
    parcel.apply_update(user_named("t02"), {"status": "remediated"}, on=datetime.date(2026, 3, 1))
    assert Parcel.objects.get(pk=parcel.pk).planting_deadline == datetime.date(2026, 5, 31)
    client.force_login(user_named("t02"))
    form = client.get(f"/abandoned_land/parcels/{parcel.pk}/update/").context["form"]
    assert "planting_deadline" not in form.fields
    client.force_login(user_named("sup_d21"))
    form = client.get(f"/abandoned_land/parcels/{parcel.pk}/update/").context["form"]
    assert "planting_deadline" in form.fields and "area" in form.fields
