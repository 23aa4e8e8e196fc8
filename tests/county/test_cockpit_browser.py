"""In a real headless Chromium: leader01 opens the 领导驾驶舱, every chart is drawn, and a
click on the red bar of one special group lands on exactly those reform items.

Screenshots go to the test's output folder (pytest-playwright's ``output_path``); set
``COCKPIT_SCREENSHOT`` to a path to keep one more copy (docs/img/cockpit.png was made so).
"""

import os
import pathlib

import pytest

pytestmark = pytest.mark.browser

# Non-blank pixels of each chart's canvas (drawn by ECharts), counted in the page.
DRAWN_PIXELS = """(element) => {
  const canvas = element.querySelector("canvas");
  if (!canvas || !canvas.width || !canvas.height) { return 0; }
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 0 && (data[i] < 245 || data[i + 1] < 245 || data[i + 2] < 245)) { drawn++; }
  }
  return drawn;
}"""

# Where the middle of a bar is, from ECharts' own coordinate system.
BAR_CENTRE = """([element, seriesIndex, dataIndex, value]) => {
  const chart = echarts.getInstanceByDom(element);
  return chart.convertToPixel({ seriesIndex: seriesIndex }, [dataIndex, value / 2]);
}"""


@pytest.fixture
def shots(output_path):
    folder = pathlib.Path(output_path)
    folder.mkdir(parents=True, exist_ok=True)

    def shot(page, name):
        page.screenshot(path=str(folder / f"{name}.png"))
        if keep := os.environ.get("COCKPIT_SCREENSHOT"):
            page.screenshot(path=keep.replace(".png", f"-{name}.png"))

    return shot


def test_leader_opens_the_cockpit_and_clicks_a_red_bar(login, shots, live_server):
    from county.models import SpecialGroup
    from reforms.filtersets import item_light_filter
    from reforms.models import ReformItem

    page = login("leader01")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/cockpit/")
    assert "领导驾驶舱" in page.title()
    charts = page.get_by_test_id("chart")
    assert charts.count() >= 8
    page.wait_for_function(
        "n => document.querySelectorAll('[data-testid=chart][data-drawn]').length === n",
        arg=charts.count(),
    )
    page.wait_for_timeout(800)  # ECharts' entry animation
    for i in range(charts.count()):
        chart = charts.nth(i)
        drawn = chart.evaluate(DRAWN_PIXELS)
        assert drawn > 500, (chart.get_attribute("aria-label"), drawn)
    shots(page, "cockpit-1366")

    # the red (逾期) bar of the first special group that has one
    data = page.evaluate("JSON.parse(document.getElementById('cockpit-data').textContent)")
    key, spec = next((k, v) for k, v in data.items() if v["title"].endswith("按专项小组"))
    red = spec["series"][0]
    assert red["name"] == "逾期"
    index = next(i for i, n in enumerate(red["data"]) if n > 0)
    (group,) = [g for g in SpecialGroup.objects.all() if g.short_name == spec["categories"][index]]
    groups = page.locator(f"#{key}")
    x, y = page.evaluate(BAR_CENTRE, [groups.element_handle(), 0, index, red["data"][index]])
    box = groups.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url("**/reforms/items/**")
    assert f"group={group.pk}" in page.url and "light=overdue" in page.url

    expected = item_light_filter(ReformItem.objects.filter(group=group), "overdue")
    numbers = sorted(expected.values_list("number", flat=True))
    assert len(numbers) == red["data"][index]
    rows = page.get_by_test_id("item-table").locator("tbody tr")
    shown = sorted(int(rows.nth(i).locator("td").first.inner_text()) for i in range(rows.count()))
    assert shown == numbers
    for i in range(rows.count()):
        assert "逾期" in rows.nth(i).inner_text()


def test_cockpit_fits_a_laptop_and_stacks_on_a_phone(login, shots, live_server):
    page = login("leader01")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/cockpit/")
    page.wait_for_selector("[data-testid=chart][data-drawn]")
    # the four workstreams' panels all start on the first screen
    for key in ("reforms", "landplan", "abandoned_land", "environment"):
        top = page.get_by_test_id(f"panel-{key}").bounding_box()["y"]
        assert top < 768, key
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/cockpit/?period=month")
    page.wait_for_selector("[data-testid=chart][data-drawn]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.wait_for_timeout(1000)  # ECharts' entry animation
    panels = [page.get_by_test_id(f"panel-{k}").bounding_box() for k in ("reforms", "landplan")]
    assert panels[1]["y"] >= panels[0]["y"] + panels[0]["height"] - 1  # stacked
    shots(page, "cockpit-390")
