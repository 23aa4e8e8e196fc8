"""In a real headless Chromium: the environment map draws the township outlines and the
problems, a click on a point opens its problem, the list's filter changes the points, and no
map page asks anything of a host other than this server (no internet tiles, no CDN) or
trips the Content Security Policy."""

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

# Non-blank pixels of the map's canvas (drawn by ECharts), counted in the page.
DRAWN_PIXELS = """(element) => {
  const canvas = element.querySelector("canvas");
  if (!canvas || !canvas.width || !canvas.height) { return 0; }
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 0 && (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240)) { drawn++; }
  }
  return drawn;
}"""

# The registered outlines and the points drawn, from ECharts itself.
DRAWN = """(element) => {
  const chart = echarts.getInstanceByDom(element);
  const option = chart.getOption();
  const points = option.series.filter(s => s.type === "scatter")
    .reduce((n, s) => n + s.data.length, 0);
  return { regions: echarts.getMap("county").geoJSON.features.length, points: points };
}"""

# The most isolated unmarked point and where it is on the page (so a click hits it alone).
LONELY_POINT = """(element) => {
  const chart = echarts.getInstanceByDom(element);
  const all = [];
  chart.getOption().series.forEach(s => {
    if (s.type === "scatter") { s.data.forEach(d => all.push(d)); }
  });
  const box = element.getBoundingClientRect();
  const placed = all.map(d => ({ d: d, px: chart.convertToPixel({ geoIndex: 0 }, d.value) }));
  let best = null, bestGap = -1;
  placed.forEach(a => {
    if (a.d.symbol) { return; }
    let gap = Infinity;
    placed.forEach(b => {
      if (a !== b) { gap = Math.min(gap, Math.hypot(a.px[0] - b.px[0], a.px[1] - b.px[1])); }
    });
    if (gap > bestGap) { best = a; bestGap = gap; }
  });
  return { url: best.d.url, x: box.left + best.px[0], y: box.top + best.px[1], gap: bestGap };
}"""


def local(url, server):
    host = urlsplit(url).hostname
    return url.startswith(("data:", "blob:")) or host in (
        "127.0.0.1",
        "localhost",
        urlsplit(server).hostname,
    )


def test_the_problem_map_draws_opens_a_problem_and_follows_the_filter(login, live_server):
    from environment.models import Problem

    page = login("sup_d18")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/environment/map/")
    page.wait_for_selector("[data-testid=map][data-ready='1']")
    chart = page.get_by_test_id("map")
    drawn = chart.evaluate(DRAWN)
    assert drawn == {"regions": 20, "points": Problem.objects.count()}
    assert chart.evaluate(DRAWN_PIXELS) > 20_000  # outlines filled and shaded, points on top
    assert chart.get_attribute("data-points") == str(Problem.objects.count())

    # the list's filter: 已销号 only
    page.get_by_label("状态").select_option(label="已销号")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_selector("[data-testid=map][data-ready='1']")
    closed = Problem.objects.filter(status="closed").count()
    assert 0 < closed < Problem.objects.count()
    assert chart.get_attribute("data-points") == str(closed)
    assert chart.evaluate(DRAWN)["points"] == closed
    assert "status=closed" in page.url

    # a click on a point opens its problem
    point = chart.evaluate(LONELY_POINT)
    assert point["gap"] > 6, point
    page.mouse.move(point["x"], point["y"])
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(f"**{point['url']}")
    assert page.get_by_role("heading", level=1).count()
    problem = Problem.objects.get(pk=int(point["url"].rstrip("/").split("/")[-1]))
    assert problem.status == "closed"


def test_map_pages_make_no_request_leaving_this_server(login, live_server):
    page = login("leader01")
    requests, refused = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on(
        "console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else 0
    )
    for path in ("/environment/map/", "/abandoned_land/map/", "/landplan/map/", "/cockpit/",
                 "/abandoned_land/", "/environment/"):  # fmt: skip
        page.goto(f"{live_server.url}{path}")
        page.wait_for_selector("[data-testid=map][data-ready='1']")
        assert page.get_by_test_id("map").first.evaluate(DRAWN_PIXELS) > 5_000, path
    assert requests
    assert any("/geo/townships.geojson" in url for url in requests)
    outside = [url for url in requests if not local(url, live_server.url)]
    assert not outside, outside
    assert not refused, refused  # no inline script or style the policy blocks


def test_the_phone_map_fits_the_screen(login, live_server):
    page = login("t02")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/environment/map/")
    page.wait_for_selector("[data-testid=map][data-ready='1']")
    box = page.get_by_test_id("map").bounding_box()
    assert box["width"] <= 390 and box["height"] >= 300
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
