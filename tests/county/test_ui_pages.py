"""Every navigation page as a clerk sees it, in a real Chromium (issue 13).

A staff user, a supervisor and a leader each log in once; every page their navigation bar links
to (the bar, its menus, the user menu) and every sub-tab of each workstream is opened at 390×844
(a phone) and at 1366×768 (a laptop). On each page:

- nothing is wider than the screen (``document.documentElement.scrollWidth`` ≤ the viewport);
- the page body speaks Chinese: no Latin word but the few in ``ALLOWED_LATIN`` (PDF, Excel …);
- no ``---------`` empty choice;
- every ECharts chart has data, or says why it is empty (``[data-chart-empty]``,
  static/js/charts.js), and no chart box is left blank.

Screenshots go to the test's output folder (pytest-playwright's ``output_path``, under
test-results/, ignored by git): ``<role>-<page>-<width>.png``.
"""

import pathlib
import re

import pytest

pytestmark = pytest.mark.browser

ROLES = {"staff": "d30", "supervisor": "sup_d18", "leader": "leader01"}
VIEWPORTS = [(1366, 768), (390, 844)]
# Latin words a Chinese clerk reads as such: file kinds, product names, units.
ALLOWED_LATIN = {
    "PDF",
    "API",
    "Excel",
    "Word",
    "ID",
    "docx",
    "xlsx",
    "GeoJSON",
    "OpenAPI",
    "Swagger",
    "WPS",
    "km",
}
# Not pages of the county: Django's admin, the API, files; /testing/ is the test settings' fifth
# workstream (tests/testapp), whose tab still sits in the bar, so the bar is checked with five.
SKIP = ("/admin/", "/logout/", "/api/", "/static/", "/media/", "/testing/")
LATIN = re.compile(r"[A-Za-z]{2,}")

NAVIGATION = """() => {
  const links = [...document.querySelectorAll('nav.app-navbar a[href^="/"], ' +
    'main ul.nav > li > a.nav-link[href^="/"]')];
  return links.map(a => a.getAttribute('href'));
}"""

# What a page shows that a clerk would notice: overflow, English words, dashes, blank charts.
INSPECT = """() => {
  const body = document.body.innerText;
  const options = [...document.querySelectorAll('option')].map(o => o.textContent);
  const charts = [];
  const blank = [];
  const numbers = (v, out) => {
    if (Array.isArray(v)) { v.forEach(x => numbers(x, out)); }
    else if (v && typeof v === 'object') { numbers(v.value, out); }
    else if (typeof v === 'number') { out.push(v); }
    return out;
  };
  document.querySelectorAll('[_echarts_instance_]').forEach(el => {
    const chart = window.echarts && echarts.getInstanceByDom(el);
    const series = chart ? (chart.getOption().series || []) : [];
    const values = numbers(series.map(s => s.data), []);
    // a map (static/js/map.js) draws the county's outlines and says what it shows beside it
    const status = el.hasAttribute('data-county-map') &&
      el.parentElement.querySelector('[data-map-status]');
    const explained = el.querySelector('[data-chart-empty]') ||
      (el.parentElement && el.parentElement.querySelector('[data-chart-empty]')) ||
      (status && status.textContent.trim());
    charts.push(el.id);
    if (!values.some(v => v > 0) && !explained) { blank.push(el.id || 'chart'); }
  });
  document.querySelectorAll('div[id^="chart-"], [data-testid="chart"]').forEach(el => {
    if (!el.hasAttribute('_echarts_instance_') && !el.hasAttribute('data-chart-empty')) {
      blank.push('undrawn ' + el.id);
    }
  });
  return {
    scrollWidth: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
    body: body,
    dashes: body.includes('---------') || options.some(o => o.includes('---------')),
    charts: charts.length,
    explained: document.querySelectorAll('[data-chart-empty]').length,
    blank: blank,
  };
}"""


def english_words(text, username):
    """Latin words in ``text`` but the allowed ones and the user's own login name (d30 …)."""
    text = text.replace(username, "")
    return sorted({w for w in LATIN.findall(text) if w not in ALLOWED_LATIN})


def navigation_paths(page):
    """The pages the navigation bar and the workstreams' tabs lead to, in order, once each."""
    seen = []
    for href in page.evaluate(NAVIGATION):
        path = href.split("#")[0]
        if path and path not in seen and not path.startswith(SKIP):
            seen.append(path)
    return seen


def slug(path):
    return re.sub(r"[^A-Za-z0-9]+", "_", path.strip("/")) or "home"


def problems_of(found, username):
    """What a clerk would notice on one page, from ``INSPECT``'s findings."""
    problems = []
    if found["scrollWidth"] > found["viewport"]:
        problems.append(f"{found['scrollWidth']} px wide > {found['viewport']}")
    if words := english_words(found["body"], username):
        problems.append(f"English {words[:8]}")
    if found["dashes"]:
        problems.append("an empty choice reads ---------")
    if found["blank"]:
        problems.append(f"charts without data or a word why: {found['blank']}")
    return problems


def log_in(browser, live_server, username):
    from tests.browser import sign_in

    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1366, "height": 768}
    )
    return context, sign_in(context.new_page(), live_server, username)


def test_every_navigation_page_fits_speaks_chinese_and_explains_empty_charts(
    browser, live_server, demo, output_path
):
    folder = pathlib.Path(output_path)
    folder.mkdir(parents=True, exist_ok=True)
    failures, visited, charts, explained = [], 0, 0, 0
    for role, username in ROLES.items():
        context, page = log_in(browser, live_server, username)
        paths = navigation_paths(page)
        queue = list(paths)
        while queue:
            path = queue.pop(0)
            for width, height in VIEWPORTS:
                page.set_viewport_size({"width": width, "height": height})
                response = page.goto(f"{live_server.url}{path}")
                where = f"{role} {path} @{width}"
                if response is None or response.status != 200:
                    failures.append(f"{where}: HTTP {response and response.status}")
                    continue
                found = page.evaluate(INSPECT)
                visited += 1
                charts += found["charts"]
                explained += found["explained"]
                if found["charts"]:
                    page.wait_for_timeout(600)  # ECharts' entry animation, for the screenshot
                shot = folder / f"{role}-{slug(path)}-{width}.png"
                page.screenshot(path=str(shot), full_page=width < 576)  # a phone's whole page
                failures += [f"{where}: {p}" for p in problems_of(found, username)]
                if width == VIEWPORTS[0][0]:  # a workstream's sub-tabs are navigation too
                    for sub in navigation_paths(page):
                        if sub not in paths:
                            paths.append(sub)
                            queue.append(sub)
        context.close()
    assert visited >= 60, visited
    assert charts >= 10 and explained >= 1, (charts, explained)
    assert not failures, "\n".join(failures)
