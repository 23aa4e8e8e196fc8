"""In a real headless Chromium with the content security policy switched off: a clerk's text
that reaches a chart or map tooltip is shown as text, never run as markup.

Markup is planted in every name a tooltip shows (units and townships, special groups,
villages, a parcel's operator, a problem's description and category, a plan area's name);
then a leader opens every page with charts or maps and ECharts is asked to show the
tooltip of every bar, slice, point and township. No planted ``onerror`` may run, no tooltip
may hold an ``<img>`` element, and each page's tooltips must show the planted text literally.
"""

import pytest
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.urls import reverse

pytestmark = pytest.mark.browser


def planted(kind):
    """Markup that, parsed as HTML, records ``kind`` in ``window.__xss``; short (a problem's
    description is cut at 40 characters on the map, a category's name holds 50)."""
    return f"<img src=x onerror=\"__xss='{kind}'\">"


# Every tooltip of every chart on the page: ECharts shows each (series, data) item's tooltip;
# what the tooltip element holds is read straight after.
SHOW_EVERY_TOOLTIP = """(planted) => {
  const seen = { charts: 0, shown: 0, images: 0, literal: {} };
  document.querySelectorAll("[_echarts_instance_]").forEach((element) => {
    const chart = echarts.getInstanceByDom(element);
    if (!chart) { return; }
    seen.charts += 1;
    chart.getOption().series.forEach((series, seriesIndex) => {
      (series.data || []).forEach((_, dataIndex) => {
        chart.dispatchAction({ type: "showTip", seriesIndex: seriesIndex, dataIndex: dataIndex });
        Array.from(element.children).slice(1).forEach((tip) => {
          if (!tip.textContent) { return; }
          seen.shown += 1;
          seen.images += tip.querySelectorAll("img").length;
          Object.keys(planted).forEach((kind) => {
            if (tip.textContent.includes(planted[kind])) { seen.literal[kind] = true; }
          });
        });
      });
    });
    chart.dispatchAction({ type: "hideTip" });
  });
  return seen;
}"""

MAP_READY = "[data-county-map][data-ready='1']"
PAGES = [
    # (url name, what must be drawn before the tooltips are asked for, planted kinds shown)
    ("county:cockpit", "[data-drawn]", ["unit", "group"]),
    ("reforms:overview", "[_echarts_instance_]", ["unit", "group"]),
    ("abandoned_land:overview", "[_echarts_instance_]", ["unit"]),
    ("landplan:overview", "[_echarts_instance_]", []),
    ("abandoned_land:parcel_map", MAP_READY, ["unit", "village", "operator"]),
    ("environment:problem_map", MAP_READY, ["unit", "problem", "type"]),
    ("landplan:area_map", MAP_READY, ["unit", "area"]),
]


def plant_markup():
    from abandoned_land.models import Parcel
    from county.models import SpecialGroup, Unit, Village
    from environment.models import Problem, ProblemCategory
    from landplan.models import PlanArea

    Unit.objects.update(name=Concat(F("name"), Value(planted("unit"))))
    SpecialGroup.objects.update(name=Concat(Value(planted("group")), F("name")))
    Village.objects.update(name=Concat(F("name"), Value(planted("village"))))
    Parcel.objects.update(operator=Value(planted("operator")))
    Problem.objects.update(description=Concat(Value(planted("problem")), F("description")))
    ProblemCategory.objects.update(name=Concat(F("name"), Value(planted("type"))))
    PlanArea.objects.update(
        name=Concat(F("name"), Value(planted("area"))),
        title=Concat(F("title"), Value(planted("area"))),
    )


def test_tooltips_show_planted_markup_as_text_without_the_csp(login, live_server, settings):
    settings.CONTENT_SECURITY_POLICY = None
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = None
    plant_markup()

    page = login("leader01")
    page.set_viewport_size({"width": 1366, "height": 768})
    failures = []
    for name, ready, kinds in PAGES:
        path = reverse(name)
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert "content-security-policy" not in response.headers, path  # the test's premise
        page.wait_for_selector(ready)
        seen = page.evaluate(SHOW_EVERY_TOOLTIP, {kind: planted(kind) for kind in kinds})
        page.wait_for_timeout(300)  # a broken image's onerror fires after its load fails
        ran = page.evaluate("window.__xss")
        assert seen["charts"] and seen["shown"], (path, seen)
        if ran is not None or seen["images"]:
            failures.append(f"{path}: ran {ran!r}, {seen['images']} <img> in tooltips")
        for kind in kinds:
            if kind not in seen["literal"]:
                failures.append(f"{path}: no tooltip shows the planted {kind} as text")
    assert not failures, "\n".join(failures)
