"""The county's form widgets (county/widgets.py, static/js/widgets.js), issue 13.

In a real Chromium: choosing 城关镇 limits 村（社区） to its villages. On the server: empty
choices say what they mean, the village list follows the township, a sole choice is a sentence,
and the villages endpoint answers logged-in users only, with a township's villages only.
"""

import pytest


def village_names(township):
    from county.models import Village

    return sorted(Village.objects.filter(township=township).values_list("name", flat=True))


@pytest.mark.browser
def test_choosing_chengguan_limits_the_villages_to_its_own(login, live_server, unit_named):
    town = unit_named("城关镇")
    page = login("sup_d18")
    for width, height in ((390, 844), (1366, 768)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/environment/problems/new/")
        village = page.locator("#id_village")
        assert village.locator("option").all_inner_texts() == ["请先选择乡镇"]
        page.locator("#id_township-ts-control").click()  # the searchable select (Tom Select)
        page.keyboard.type("城关")
        page.locator(".ts-dropdown .option", has_text="城关镇").first.click()
        page.wait_for_function("() => document.querySelectorAll('#id_village option').length > 1")
        options = village.locator("option").all_inner_texts()
        assert options[0] == "请选择城关镇的村（社区）"
        assert sorted(options[1:]) == village_names(town)
        page.locator("#id_village-ts-control").click()
        page.keyboard.type(options[1])
        page.locator(".ts-dropdown .option", has_text=options[1]).first.click()
        assert village.input_value() != ""
        assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_empty_choices_say_what_they_mean_and_villages_follow_the_township(demo, unit_named):
    from environment.forms import ProblemForm

    town = unit_named("城关镇")
    html = ProblemForm().as_div()
    assert "---------" not in html
    assert "请选择乡镇（街道）" in html and "请选择问题类别" in html
    assert 'data-township-field="township"' in html and 'data-widget="search-multi"' in html
    bound = ProblemForm(data={"township": town.pk})
    bound.is_valid()  # the widgets are final once the form is validated or rendered
    assert sorted(v.name for v in bound.fields["village"].queryset) == village_names(town)
    other = unit_named("东兴镇").villages.first()
    wrong = ProblemForm(data={"township": town.pk, "village": other.pk})
    assert not wrong.is_valid() and "village" in wrong.errors


def test_the_parcel_form_offers_only_the_parcels_township_villages(demo):
    """The township and village of a parcel move on its 调整乡镇/村 step (reassign)."""
    from abandoned_land.forms import ParcelReassignForm
    from abandoned_land.models import Parcel

    parcel = Parcel.objects.select_related("township").first()
    form = ParcelReassignForm(initial={"township": parcel.township, "village": parcel.village})
    names = [label for value, label in form["village"].field.choices if value]
    assert sorted(names) == village_names(parcel.township)
    assert "---------" not in form.as_div()


def test_a_sole_stage_is_stated_not_offered_as_one_radio(demo):
    from landplan.forms import StageForm
    from landplan.models import PlanArea

    area = next(a for a in PlanArea.objects.all() if len(a.allowed_targets) == 1)
    html = str(StageForm(area=area)["to_stage"])
    assert 'type="hidden"' in html and 'type="radio"' not in html
    assert "只有这一项可选" in html


def test_the_villages_endpoint_answers_a_township_to_logged_in_users(
    client, user_named, unit_named
):
    town = unit_named("城关镇")
    assert client.get(f"/villages/?township={town.pk}").status_code == 302  # to the login page
    client.force_login(user_named("d30"))
    data = client.get(f"/villages/?township={town.pk}").json()
    assert sorted(v["name"] for v in data["villages"]) == village_names(town)
    department = unit_named("县生态环境局")
    for value in (department.pk, "x", "-1", ""):
        assert client.get(f"/villages/?township={value}").json()["villages"] == []
