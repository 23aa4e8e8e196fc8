"""Figure cards are coloured by the threshold the figure declares, and say the rule (issue 13)."""

from county.registry import NONE_LATE, RATE_THRESHOLD, Figure


def test_a_rate_below_80_is_amber_below_60_red_and_the_rule_is_stated():
    values = ("59.1%", "79.9%", "80%")
    tones = {v: Figure("整改率", v, threshold=RATE_THRESHOLD).tone for v in values}
    assert tones == {"59.1%": "danger", "79.9%": "warning", "80%": "success"}
    assert Figure("编制完成率", "0%", threshold=RATE_THRESHOLD).tone == "danger"
    assert Figure("整改率", "—", threshold=RATE_THRESHOLD).tone == "secondary"
    rule = Figure("整改率", "59.1%", threshold=RATE_THRESHOLD).rule
    assert rule == "整改率达到80%为绿色，低于80%为黄色，低于60%为红色"


def test_a_count_of_late_things_is_green_only_at_zero():
    assert Figure("逾期片区", 0, threshold=NONE_LATE).tone == "success"
    assert Figure("逾期片区", 3, threshold=NONE_LATE).tone == "danger"
    assert Figure("改革任务", 3, tone="info").tone == "info"
    assert Figure("改革任务", 3).rule == ""


def test_the_card_carries_the_rule_as_its_tooltip():
    from django.template.loader import render_to_string

    html = render_to_string(
        "county/_figure_card.html",
        {"figure": Figure("整改率", "59.1%", "/x/", threshold=RATE_THRESHOLD)},
    )
    assert 'title="整改率达到80%为绿色，低于80%为黄色，低于60%为红色"' in html
    assert "text-danger" in html
