"""One palette (county/status/palette.py): every chart, map and badge that shows a state
takes its colour from the one declaration, and no other file writes a state's hex colour."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from abandoned_land.choices import AT_RISK_TONE, ParcelStatus
from abandoned_land.choices import STATUS_TONES as PARCEL_TONES
from county.status import LIGHT_TONES, Light, palette
from environment.choices import STATUS_TONES as PROBLEM_TONES
from environment.choices import STUBBORN_TONE, ProblemStatus
from landplan.choices import STAGE_TONES, Stage

# Every declared state by the label a chart or a map legend names it with.
DECLARED = [(Light, LIGHT_TONES), (ProblemStatus, PROBLEM_TONES), (ParcelStatus, PARCEL_TONES),
            (Stage, STAGE_TONES)]  # fmt: skip
BY_LABEL = {state.label: tones[state] for choices, tones in DECLARED for state in choices}
BY_LABEL |= {
    "未整治（已排查）": PARCEL_TONES[ParcelStatus.SURVEYED],
    "整治后无种植计划": AT_RISK_TONE,
    "逾期细分任务": LIGHT_TONES[Light.OVERDUE],
    "顽固问题": STUBBORN_TONE,
}
PALETTE_HEX = {tone.hex for tone in palette.TONES}


@pytest.fixture
def leader(client, user_named):
    client.force_login(user_named("leader01"))
    return client


def page_json(client, url, element_id):
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    found = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S
    )
    assert found, f"{url} has no #{element_id}"
    return json.loads(found.group(1)), html


def state_of(name):
    """The declared tone a series name stands for ("本年销号" → 已销号), or None."""
    if name in BY_LABEL:
        return BY_LABEL[name]
    if name.endswith("销号") and not name.endswith("未销号"):
        return PROBLEM_TONES[ProblemStatus.CLOSED]
    return None


def check_series(where, name, colour, checked):
    assert colour in PALETTE_HEX, f"{where}: 「{name}」的颜色 {colour} 不在调色板中"
    tone = state_of(name)
    if tone is not None:
        assert colour == tone.hex, f"{where}: 「{name}」应为 {tone}（{tone.hex}），实为 {colour}"
        checked.append(name)


def test_every_state_has_one_declared_tone():
    for choices, tones in DECLARED:
        assert set(tones) == set(choices), choices
        assert all(isinstance(tone, palette.Tone) for tone in tones.values())
    # 已完成 and 正常 are told apart; finished work of every workstream looks like 已完成
    assert LIGHT_TONES[Light.DONE].hex != LIGHT_TONES[Light.NORMAL].hex
    assert PROBLEM_TONES[ProblemStatus.CLOSED] == STAGE_TONES[Stage.DONE] == palette.DONE
    assert len({t.hex for t in STAGE_TONES.values()}) == len(Stage)  # a hue per stage


def test_cockpit_charts_colour_states_as_declared(leader):
    data, _ = page_json(leader, reverse("county:cockpit"), "cockpit-data")
    checked = []
    for chart_id, spec in data.items():
        for series in spec["series"]:
            if "color" in series:
                check_series(chart_id, series["name"], series["color"], checked)
    # the lights, the stages, the parcel statuses and the problem chart were all seen
    assert {"逾期", "正常", "已完成", "批复/完成", "已种植", "复撂荒"} <= set(checked)
    assert any(name.endswith("销号") for name in checked)


def test_reform_overview_charts_colour_lights_as_declared(leader):
    checked = []
    data, _ = page_json(leader, reverse("reforms:overview"), "chart-data")
    for light in data["lights"]:
        check_series("reforms", light["label"], light["color"], checked)
    check_series("reforms", "逾期细分任务", data["units"]["color"], checked)
    assert set(checked) == {light.label for light in Light} | {"逾期细分任务"}


def test_plan_overview_chart_colours_stages_as_declared(leader):
    checked = []
    data, _ = page_json(leader, reverse("landplan:overview"), "chart-data")
    for stage in data["stages"]:
        check_series("landplan", stage["label"], stage["color"], checked)
    assert set(checked) == {stage.label for stage in Stage}


def test_parcel_overview_chart_colours_statuses_as_declared(leader):
    checked = []
    data, _ = page_json(leader, reverse("abandoned_land:overview"), "chart-data")
    for status in data["statuses"]:
        check_series("abandoned_land", status["label"], status["color"], checked)
    assert set(checked) == {status.label for status in ParcelStatus}


@pytest.mark.parametrize(
    "url_name",
    ["environment:problem_map_data", "abandoned_land:parcel_map_data", "landplan:area_map_data"],
)
def test_map_legends_and_marks_colour_states_as_declared(leader, url_name):
    data = leader.get(reverse(url_name)).json()
    checked = []
    for entry in [*data["groups"], *data["marks"]]:
        check_series(url_name, entry["name"], entry["color"], checked)
    assert len(checked) == len(data["groups"]) + len(data["marks"]) > 0


@pytest.mark.parametrize(
    ("url_name", "attribute", "tones"),
    [
        ("environment:problem_list", "data-status", PROBLEM_TONES),
        ("abandoned_land:parcel_list", "data-status", PARCEL_TONES),
        ("landplan:area_list", "data-stage", STAGE_TONES),
        ("environment:problem_list", "data-light", LIGHT_TONES),
        ("reforms:list", "data-light", LIGHT_TONES),
        ("reforms:tasks", "data-light", LIGHT_TONES),
    ],
)
def test_badges_take_the_declared_tone(leader, url_name, attribute, tones):
    html = leader.get(reverse(url_name)).content.decode()
    badges = re.findall(rf'class="badge (?:rounded-pill )?text-bg-(\w+)" {attribute}="(\w+)"', html)
    assert badges, url_name
    by_value = {str(getattr(state, "value", state)): tone for state, tone in tones.items()}
    for tone, value in badges:
        assert tone == by_value[value], f"{url_name}: {attribute}={value} 应为 {by_value[value]}"


def test_every_page_has_the_classes_of_every_tone(leader):
    html = leader.get(reverse("landplan:overview")).content.decode()
    for tone in palette.TONES:
        assert f".light-{tone}{{background:{tone.hex}}}" in html
        if tone.text:  # a tone Bootstrap lacks
            assert f".text-bg-{tone}{{" in html and f".text-{tone}{{" in html


# Bootstrap's theme and main colours (and their shades once used for states): a state's
# colour written anywhere but the palette.
BOOTSTRAP_HEX = {"#0d6efd", "#6610f2", "#6f42c1", "#d63384", "#dc3545", "#fd7e14", "#ffc107",
                 "#198754", "#20c997", "#0dcaf0", "#6c757d", "#adb5bd", "#ced4da", "#212529",
                 "#6ea8fe", "#9ec5fe", "#842029", "#0a58ca", "#146c43"}  # fmt: skip
SKIPPED_DIRS = {".venv", "node_modules", "staticfiles", "var", ".git", "vendor", "tests", "media"}
HEX = re.compile(r"#[0-9a-fA-F]{6}\b")


def source_files(root):
    for path in root.rglob("*"):
        if any(part in SKIPPED_DIRS for part in path.relative_to(root).parts):
            continue
        if path.suffix in {".py", ".html", ".js"} and path.is_file():
            yield path


def test_no_state_colour_is_written_outside_the_palette():
    root = Path(settings.BASE_DIR)
    home = root / "county" / "status" / "palette.py"
    found = []
    for path in source_files(root):
        if path == home:
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            for colour in HEX.findall(line):
                if colour.lower() in PALETTE_HEX | BOOTSTRAP_HEX:
                    found.append(f"{path.relative_to(root)}:{number}: {colour}")
    assert not found, "状态颜色只在 county/status/palette.py 声明：\n" + "\n".join(found)


def test_the_scan_sees_a_state_colour(tmp_path):
    (tmp_path / "chart.js").write_text('itemStyle: { color: "#DC3545" }')
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "lib.js").write_text('"#dc3545"')
    files = list(source_files(tmp_path))
    assert [p.name for p in files] == ["chart.js"]
    assert HEX.findall(files[0].read_text())[0].lower() in PALETTE_HEX
