"""顽固问题: the same category at the same place within 90 days of a closed one."""

import datetime

from environment.models import refresh_stubborn_all

D = datetime.date


def closed(make_problem, on, **kw):
    return make_problem(
        found_on=on - datetime.timedelta(days=10),
        deadline=on,
        status="closed",
        closed_on=on,
        **kw,
    )


def test_same_place_and_category_within_90_days_is_stubborn(make_problem):
    first = closed(make_problem, D(2030, 6, 1), village="南乐村")
    again = make_problem(found_on=D(2030, 8, 30), deadline=D(2030, 9, 5), village="南乐村")
    assert again.refresh_stubborn() == first
    assert again.is_stubborn


def test_day_91_is_not_stubborn(make_problem):
    closed(make_problem, D(2030, 6, 1), village="南乐村")
    late = make_problem(found_on=D(2030, 8, 31), deadline=D(2030, 9, 5), village="南乐村")
    assert late.refresh_stubborn() is None


def test_other_place_or_category_or_open_predecessor_is_not_stubborn(make_problem):
    closed(make_problem, D(2030, 6, 1), village="南乐村")
    make_problem(found_on=D(2030, 5, 1), deadline=D(2030, 6, 1), village="林顺村")  # open
    elsewhere = make_problem(found_on=D(2030, 7, 1), deadline=D(2030, 7, 9), village="金盛村")
    other_kind = make_problem(
        found_on=D(2030, 7, 1), deadline=D(2030, 7, 9), village="南乐村", cat="小广告"
    )
    same_but_open = make_problem(found_on=D(2030, 7, 1), deadline=D(2030, 7, 9), village="林顺村")
    assert elsewhere.refresh_stubborn() is None
    assert other_kind.refresh_stubborn() is None
    assert same_but_open.refresh_stubborn() is None


def test_market_town_is_its_own_place(make_problem):
    closed(make_problem, D(2030, 6, 1), village=None, at_market_town=True)
    village_one = make_problem(found_on=D(2030, 6, 20), deadline=D(2030, 7, 1), village="南乐村")
    market = make_problem(
        found_on=D(2030, 6, 20), deadline=D(2030, 7, 1), at_market_town=True, village=None
    )
    assert village_one.refresh_stubborn() is None
    assert market.refresh_stubborn() is not None


def test_bulk_recompute_matches_and_lists_apart(make_problem, client, user_named):
    first = closed(make_problem, D(2030, 6, 1), village="南乐村")
    again = make_problem(found_on=D(2030, 7, 1), deadline=D(2030, 7, 9), village="南乐村")
    refresh_stubborn_all()
    again.refresh_from_db()
    assert again.stubborn_of == first
    client.force_login(user_named("sup_d18"))
    page = client.get("/environment/stubborn/").content.decode()
    assert f"第{first.number}号" in page and f"problems/{again.pk}/" in page
