"""The permission matrix: every HTML and API route × every kind of user (issue 10).

NetBox's ``ViewTestCases`` idea, as one table. ``ROUTES`` names every route that
``get_resolver()`` knows (a meta-test fails when one is missing) with what it offers:
a list, a detail page, a download, a write of one row (change, create, delete, decide), an
import or export, or a page of one's own (todo, profile …). ``MODELS`` names every model that
carries history or belongs to units (a meta-test fails when one is missing) with how its rows
are reached.

Each route is requested by: anonymous, an inactive account, staff of the unit that owns the
target row (A), staff of another unit (B), a supervisor of the route's workstream, a supervisor
of another workstream, a leader and the admin. What must hold:

- nobody gets a server error; anonymous and inactive users get the login page (API: 401/403);
- a detail page, download or API detail of A's row: 404 (or 403) for B, 200 for A and readers;
- a write that ``county.scoping.may`` refuses is refused (302 to login, 401, 403, 404, 405) and
  leaves the row and its history as they were; a create leaves the table as it was;
- a write that ``may`` allows is not refused by a permission check (no 401, 403, 404 or login
  redirect; the junk it carries may still be refused by the form or the rule, 400 or 409);
- every page that answers 200 links only to rows the user may see (lists, detail-page
  sections, dashboards, exports' links): each link to a detail or download route of a model in
  ``MODELS`` is checked against ``restrict(…, "view")``; API lists return only visible ids.

To add a route: add its name to ``ROUTES`` with its kind (``detail("app.Model")``,
``write("app.Model", "change")`` …). To add a model: add it to ``MODELS`` with its detail route
(or ``None`` and the reason it has none).
"""

import re
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.forms.models import model_to_dict
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from simple_history.models import registered_models

from county.choices import Role
from county.models import User
from county.scoping import UnitOwnedModel, may, restrict

# --- the tables -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    kind: str  # public, self, admin, list, detail, download, write, api_list, api_detail, …
    model: str = ""  # "app.Model" of the row (detail, write) or of the listed rows
    action: str = "view"  # for writes: change, create, delete, decide
    workstream: str = ""  # whose supervisors are "the supervisor" (default: the model's)
    kwargs: dict = field(default_factory=dict)  # fixed URL arguments (e.g. a ledger key)


def public():
    return Route("public")


def own():
    """A page about the user himself (todo, profile, notifications): any logged-in user."""
    return Route("self")


def admin_only():
    return Route("admin")


def listing(model, workstream=""):
    return Route("list", model, workstream=workstream)


def detail(model):
    return Route("detail", model)


def download(model):
    return Route("download", model)


def write(model, action="change", **kwargs):
    return Route("write", model, action, **kwargs)


def api_list(model):
    return Route("api_list", model)


def api_detail(model):
    return Route("api_detail", model)


def api_write(model, action="change"):
    return Route("api_write", model, action)


def ledger(kind, action):
    return Route(kind, action=action, workstream="reforms", kwargs={"key": "reforms"})


ROUTES = {
    # county/
    "home": own(),
    "healthz": public(),
    "login": public(),
    "logout": public(),
    "password_change": own(),
    "password_change_done": own(),
    "setup:upload": admin_only(),
    "setup:confirm": admin_only(),
    "setup:cancel": admin_only(),
    "setup:template": admin_only(),
    "setup:outlines": admin_only(),  # 乡镇边界 (GeoJSON) for the maps
    "setup:export": admin_only(),
    "county:todo": own(),
    "county:cockpit": own(),
    "county:leader": own(),
    "county:inbox": own(),
    "county:inbox_decide": write("environment.Rectification", "decide"),
    "county:profile": own(),
    "county:villages": own(),  # reference data for the village select (county/villages.py)
    "county:townships_geojson": own(),  # township outlines (county/maps.py)
    "field:app": own(),  # the field app (county/field.py)
    "field:sw": public(),  # its service worker: the browser fetches it to look for updates
    "field:manifest": public(),
    "field:session": own(),
    "county:email_toggle": own(),
    "county:email_address": own(),
    "county:notifications": own(),
    "county:notification": own(),
    "county:notification_read": own(),
    "county:notifications_read_all": own(),
    "county:notices": own(),
    "county:notice": own(),
    "county:audit": admin_only(),
    "county:ranking": own(),  # staff see their own unit's line
    "county:ranking_export": own(),  # readers; staff 403 (tests/county/test_ranking.py)
    "county:ranking_formula": own(),  # 县委目标绩效办 and admin; others 403 (idem)
    "county:briefing": own(),  # readers; staff 403 (tests/county/test_briefing.py)
    "county:briefing_docx": own(),
    "ledger:import": ledger("import", "import"),
    "ledger:confirm": ledger("import", "import"),
    "ledger:cancel": ledger("import", "import"),
    "ledger:export": ledger("export", "export"),
    "ledger:template": ledger("export", "export"),
    "api-schema": own(),
    "api-docs": own(),
    # reforms/
    "reforms:overview": listing("reforms.ReformItem"),
    "reforms:list": listing("reforms.ReformItem"),
    "reforms:item_create": write("reforms.ReformItem", "create"),
    "reforms:item": detail("reforms.ReformItem"),
    "reforms:item_edit": write("reforms.ReformItem"),
    "reforms:item_reassign": write("reforms.ReformItem", "reassign"),
    "reforms:subtask_create": write("reforms.ReformItem", "create"),
    "reforms:instruct": write("reforms.ReformItem", "instruct"),  # 批示: leaders only
    "reforms:tasks": listing("reforms.SubTask"),
    "reforms:subtask": Route("redirect", "reforms.SubTask"),  # to its place on the item page
    "reforms:subtask_edit": write("reforms.SubTask"),
    "reforms:subtask_reassign": write("reforms.SubTask", "reassign"),
    "reforms:report": write("reforms.SubTask", "report"),
    "reforms:request_deadline": write("reforms.SubTask", "report"),
    "reforms:request_completion": write("reforms.SubTask", "report"),
    "reforms:decide_deadline": write("reforms.DeadlineChange", "decide"),
    "reforms:decide_completion": write("reforms.CompletionRequest", "decide"),
    "reforms:attachment": download("reforms.Attachment"),
    "reforms:followups": listing("reforms.FollowUpProblem"),
    "reforms:followup_create": write("reforms.FollowUpProblem", "create"),
    "reforms:followup": detail("reforms.FollowUpProblem"),
    "reforms:followup_edit": write("reforms.FollowUpProblem"),
    "reforms:followup_recheck": write("reforms.FollowUpProblem", "recheck"),
    "reforms:followup_rectified": write("reforms.FollowUpProblem", "rectify"),
    "reforms:followup_reassign": write("reforms.FollowUpProblem", "reassign"),
    "reforms:innovations": listing("reforms.Innovation"),
    "reforms:innovation_create": write("reforms.Innovation", "create"),
    "reforms:innovation": detail("reforms.Innovation"),
    "reforms:innovation_edit": write("reforms.Innovation"),
    "reforms:innovation_report": write("reforms.Innovation"),
    "reforms:innovation_reassign": write("reforms.Innovation", "reassign"),
    "reforms:experiences": listing("reforms.Experience"),
    "reforms:experience_create": write("reforms.Experience", "create"),
    "reforms:experience_edit": write("reforms.Experience"),
    "reforms-api:api-root": own(),
    "reforms-api:item-list": api_list("reforms.ReformItem"),
    "reforms-api:item-detail": api_detail("reforms.ReformItem"),
    "reforms-api:item-reassign": api_write("reforms.ReformItem", "reassign"),
    "reforms-api:subtask-list": api_list("reforms.SubTask"),
    "reforms-api:subtask-detail": api_detail("reforms.SubTask"),
    "reforms-api:subtask-reassign": api_write("reforms.SubTask", "reassign"),
    "reforms-api:progress-list": api_list("reforms.ProgressReport"),
    "reforms-api:progress-detail": api_detail("reforms.ProgressReport"),
    "reforms-api:followup-list": api_list("reforms.FollowUpProblem"),
    "reforms-api:followup-detail": api_detail("reforms.FollowUpProblem"),
    "reforms-api:followup-recheck": api_write("reforms.FollowUpProblem", "recheck"),
    "reforms-api:followup-rectified": api_write("reforms.FollowUpProblem", "rectify"),
    "reforms-api:followup-reassign": api_write("reforms.FollowUpProblem", "reassign"),
    "reforms-api:innovation-list": api_list("reforms.Innovation"),
    "reforms-api:innovation-detail": api_detail("reforms.Innovation"),
    "reforms-api:innovation-report": api_write("reforms.Innovation"),
    "reforms-api:innovation-reassign": api_write("reforms.Innovation", "reassign"),
    "reforms-api:experience-list": api_list("reforms.Experience"),
    "reforms-api:experience-detail": api_detail("reforms.Experience"),
    # landplan/
    "landplan:overview": listing("landplan.PlanArea"),
    "landplan:area_list": listing("landplan.PlanArea"),
    "landplan:area_map": listing("landplan.PlanArea"),
    "landplan:area_map_data": listing("landplan.PlanArea"),
    "landplan:area_detail": detail("landplan.PlanArea"),
    "landplan:area_stage": write("landplan.PlanArea"),
    "landplan:area_update": write("landplan.PlanArea"),
    "landplan:note_create": write("landplan.PlanArea", "report"),
    "landplan:note_list": listing("landplan.ProgressNote"),
    "landplan-api:api-root": own(),
    "landplan-api:area-list": api_list("landplan.PlanArea"),
    "landplan-api:area-detail": api_detail("landplan.PlanArea"),
    "landplan-api:area-move": api_write("landplan.PlanArea"),
    "landplan-api:stage-change-list": api_list("landplan.StageChange"),
    "landplan-api:stage-change-detail": api_detail("landplan.StageChange"),
    "landplan-api:note-list": api_list("landplan.ProgressNote"),
    "landplan-api:note-detail": api_detail("landplan.ProgressNote"),
    # abandoned_land/
    "abandoned_land:overview": listing("abandoned_land.Parcel"),
    "abandoned_land:parcel_list": listing("abandoned_land.Parcel"),
    "abandoned_land:parcel_map": listing("abandoned_land.Parcel"),
    "abandoned_land:parcel_map_data": listing("abandoned_land.Parcel"),
    "abandoned_land:parcel_detail": detail("abandoned_land.Parcel"),
    "abandoned_land:parcel_update": write("abandoned_land.Parcel"),
    "abandoned_land:parcel_reassign": write("abandoned_land.Parcel", "reassign"),
    "abandoned_land:inspection_create": write("abandoned_land.Parcel"),
    "abandoned_land:parcel_void": write("abandoned_land.Parcel", "delete"),  # 作废
    "abandoned_land:field_reference": own(),  # the parcels this user may inspect
    "abandoned_land:field_inspection_create": write("abandoned_land.Parcel"),
    "abandoned_land-api:api-root": own(),
    "abandoned_land-api:parcel-list": api_list("abandoned_land.Parcel"),
    "abandoned_land-api:parcel-summary": own(),
    "abandoned_land-api:parcel-detail": api_detail("abandoned_land.Parcel"),
    "abandoned_land-api:parcel-reassign": api_write("abandoned_land.Parcel", "reassign"),
    "abandoned_land-api:inspection-list": api_list("abandoned_land.Inspection"),
    "abandoned_land-api:inspection-detail": api_detail("abandoned_land.Inspection"),
    # environment/
    "environment:problem_list": listing("environment.Problem"),
    "environment:problem_map": listing("environment.Problem"),
    "environment:problem_map_data": listing("environment.Problem"),
    "environment:stubborn_list": listing("environment.Problem"),
    "environment:problem_create": write("environment.Problem", "create"),
    "environment:problem_detail": detail("environment.Problem"),
    "environment:problem_update": write("environment.Problem"),
    "environment:problem_reassign": write("environment.Problem", "reassign"),
    "environment:problem_start": write("environment.Problem", "rectify"),
    "environment:problem_submit": write("environment.Problem", "rectify"),
    "environment:problem_accept": write("environment.Problem", "decide"),
    "environment:problem_reject": write("environment.Problem", "decide"),
    "environment:problem_recheck": write("environment.Problem", "recheck"),
    "environment:problem_void": write("environment.Problem", "delete"),  # 作废
    "environment:field_reference": own(),  # what this user may record or rectify
    "environment:field_problem_create": write("environment.Problem", "create"),
    "environment:field_problem_submit": write("environment.Problem", "rectify"),
    "environment:photo": download("environment.Photo"),
    "environment:inspection_list": listing("environment.Inspection"),
    "environment:inspection_create": write("environment.Inspection", "create"),
    "environment:inspection_detail": detail("environment.Inspection"),
    "environment:inspection_update": write("environment.Inspection"),
    "environment:inspection_void": write("environment.Inspection", "delete"),
    "environment:category_list": own(),
    "environment:category_create": write("environment.ProblemCategory", "create"),
    "environment:category_update": write("environment.ProblemCategory", "create"),
    "environment:accountability_list": listing("environment.Accountability"),
    "environment:accountability_create": write("environment.Accountability", "create"),
    "environment:accountability_detail": detail("environment.Accountability"),
    "environment:accountability_update": write("environment.Accountability"),
    "environment:accountability_void": write("environment.Accountability", "delete"),
    "environment:notices": own(),  # issued notices: every signed-in user
    "environment:notice_detail": own(),
    "environment:notice": own(),  # the draft: readers; staff 403 (test_notice_access.py)
    "environment:notice_docx": own(),
    "environment:notice_issue": write("environment.Notice", "create"),
    "environment:notice_document": own(),
    "environment-api:api-root": own(),
    "environment-api:problem-list": api_list("environment.Problem"),
    "environment-api:problem-detail": api_detail("environment.Problem"),
    "environment-api:problem-accept": api_write("environment.Problem", "decide"),
    "environment-api:problem-reject": api_write("environment.Problem", "decide"),
    "environment-api:problem-submit": api_write("environment.Problem", "rectify"),
    "environment-api:problem-reassign": api_write("environment.Problem", "reassign"),
    "environment-api:problem-photos": api_detail("environment.Problem"),
    "environment-api:inspection-list": api_list("environment.Inspection"),
    "environment-api:inspection-detail": api_detail("environment.Inspection"),
    "environment-api:rectification-list": api_list("environment.Rectification"),
    "environment-api:rectification-detail": api_detail("environment.Rectification"),
    "environment-api:accountability-list": api_list("environment.Accountability"),
    "environment-api:accountability-detail": api_detail("environment.Accountability"),
    "environment-api:category-list": own(),
    "environment-api:category-detail": own(),
    # the core's test workstream
    "testapp:list": public(),  # test-only views (tests/testapp), no login of their own
    "testapp:detail": public(),
}

# Every model with history or owned by units → the route showing one row (links to it on any
# page are checked), or None with the reason it has no page of its own.
MODELS = {
    "reforms.ReformItem": "reforms:item",
    "reforms.SubTask": None,  # shown on its item's page (reforms:subtask redirects there)
    "reforms.ProgressReport": None,  # a section of the item page
    "reforms.Attachment": "reforms:attachment",
    "reforms.DeadlineChange": None,  # a section of the item page, decided in the inbox
    "reforms.CompletionRequest": None,  # idem
    "reforms.FollowUpProblem": "reforms:followup",
    "reforms.Recheck": None,  # a section of its follow-up problem
    "reforms.Innovation": "reforms:innovation",
    "reforms.Experience": None,  # listed only
    "reforms.Instruction": None,  # a section of the item page, readable with the item
    "landplan.PlanArea": "landplan:area_detail",
    "landplan.ProgressNote": None,  # a section of the plan's page
    "landplan.StageChange": None,  # idem
    "abandoned_land.Parcel": "abandoned_land:parcel_detail",
    "abandoned_land.Inspection": None,  # a section of the parcel's page
    "environment.Problem": "environment:problem_detail",
    "environment.Inspection": "environment:inspection_detail",
    "environment.Rectification": None,  # a section of the problem's page
    "environment.Recheck": None,  # idem
    "environment.Photo": "environment:photo",
    "environment.Accountability": "environment:accountability_detail",
    "environment.ProblemCategory": None,  # a shared list every user reads
    "environment.Notice": None,  # the county-wide 通报, read by every user
    "county.Unit": None,  # reference data, edited in the admin and the set-up workbook
    "county.Village": None,
    "county.Leader": None,
    "county.SpecialGroup": None,
    "county.Supervision": None,
    "county.SupervisionNotice": None,  # 督办单: county:notice, scoped by notices_visible_to
    "county.ReminderSettings": None,  # admin only
    "county.CalendarDay": None,  # 节假日安排: admin only (county/workdays/)
    "landplan.PlanYear": None,  # 规划时间节点: admin only, read by every user's overview
    "testapp.Dossier": None,  # the core's test workstream; its views are test-only
}


_VISIBLE = {}


def visible_pks(label, user):
    """The pks of ``label`` rows ``user`` may see (through the row that owns them)."""
    key = (label, user.pk, user.is_active)
    if key not in _VISIBLE:
        _VISIBLE[key] = _visible_pks(label, user)
    return _VISIBLE[key]


def _visible_pks(label, user):
    model = apps.get_model(label)
    if label == "reforms.Attachment":
        reports = restrict(apps.get_model("reforms.ProgressReport"), user, "view")
        completions = restrict(apps.get_model("reforms.CompletionRequest"), user, "view")
        rows = model.objects.filter(report__in=reports) | model.objects.filter(
            completion__in=completions
        )
        return set(rows.values_list("pk", flat=True))
    return set(restrict(model, user, "view").values_list("pk", flat=True))


# --- collecting the routes --------------------------------------------------------------------

FORMAT_SUFFIX = re.compile(r"\\\.\(\?P<format>|<drf_format_suffix:format>")


def all_routes():
    """[(name, pattern)] of every URL pattern, format-suffix twins left out."""
    found = []

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                text = prefix + str(pattern.pattern)
                if FORMAT_SUFFIX.search(text):
                    continue
                name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")
                found.append((name, text))

    walk(get_resolver().url_patterns, "", "")
    return found


def test_every_route_is_in_the_matrix():
    missing = sorted(
        {name for name, text in all_routes() if not name.startswith("admin:")} - set(ROUTES)
    )
    assert not missing, f"routes missing from tests/county/test_matrix.py ROUTES: {missing}"
    unnamed = [
        text for name, text in all_routes() if name in ("", "admin:") and "admin" not in text
    ]
    assert not unnamed, f"routes without a name cannot be in the matrix: {unnamed}"
    stale = sorted(set(ROUTES) - {name for name, _t in all_routes()})
    assert not stale, f"ROUTES names routes that no longer exist: {stale}"


def test_every_registered_model_is_in_the_matrix():
    models = {m._meta.label for m in registered_models.values() if not m._meta.auto_created}
    models |= {m._meta.label for m in apps.get_models() if issubclass(m, UnitOwnedModel)}
    # The through tables of tracked many-to-many fields are covered by their owner.
    models = {label for label in models if "_" not in label.split(".")[1]}
    missing = sorted(models - set(MODELS))
    assert not missing, f"models missing from tests/county/test_matrix.py MODELS: {missing}"
    for label, route in MODELS.items():
        if route:
            assert route in ROUTES, (label, route)


# --- the users ------------------------------------------------------------------------------

STAFF_CANDIDATES = ("d21", "d30", "t02", "t03", "d18", "d17", "d03")
SUPERVISORS = ("sup_d03", "sup_d17", "sup_d18", "sup_d21")
REFUSED = (302, 401, 403, 404, 405)
# A write refused by the rule after the permission check (a wrong state, an invalid form):
# allowed as long as nothing changed.
REFUSED_WRITE = (*REFUSED, 400, 409)


def _user(username):
    return User.objects.select_related("unit", "leader").get(username=username)


def target_of(route):
    """(row, staff of its unit, staff of another unit) for a route about one row."""
    model = apps.get_model(route.model)
    rows = model._default_manager.order_by("pk")
    if route.model == "reforms.Attachment":
        rows = rows.filter(report__isnull=False)
    staff = [_user(n) for n in STAFF_CANDIDATES]
    for row in rows[:50]:
        visible = [u for u in staff if _row_visible(route.model, u, row)]
        hidden = [u for u in staff if u not in visible]
        if visible and hidden:
            return row, visible[0], hidden[0]
    row = rows.first()
    if row is None:
        return None, staff[0], staff[1]
    others = User.objects.filter(role=Role.STAFF, is_active=True).select_related("unit")
    owner = next((u for u in others.order_by("pk") if _row_visible(route.model, u, row)), None)
    hidden = next(u for u in staff if not _row_visible(route.model, u, row))
    return row, owner or staff[0], hidden


def _row_visible(label, user, row):
    if label == "reforms.Attachment":
        return row.pk in visible_pks(label, user)
    return may(user, "view", row)


def users_for(route, staff_a, staff_b):
    """{role name: user or None (anonymous)} for one route."""
    workstream = route.workstream
    if not workstream and route.model:
        workstream = getattr(apps.get_model(route.model), "workstream", "")
    sups = [_user(n) for n in SUPERVISORS]
    ours = next((u for u in sups if workstream and u.supervises(workstream)), sups[0])
    other = next((u for u in sups if not u.supervises(workstream or "-")), sups[1])
    inactive = User.objects.create(
        username=f"inactive_{staff_a.username}",
        role=Role.STAFF,
        unit=staff_a.unit,
        is_active=False,
    )
    return {
        "anonymous": None,
        "inactive": inactive,
        "staff_a": staff_a,
        "staff_b": staff_b,
        "supervisor": ours,
        "other_supervisor": other,
        "leader": _user("leader01"),
        "admin": _user("admin"),
    }


# --- the requests ---------------------------------------------------------------------------


def url_for(name, route, row):
    text = next(t for n, t in all_routes() if n == name)
    kwargs = dict(route.kwargs)
    for key in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", text):
        key = key[0] or key[1]
        if key in kwargs:
            continue
        if key == "variant":
            kwargs[key] = "thumb"
        elif key in ("pk", "item"):
            kwargs[key] = row.pk if row is not None else 1
        elif key == "key" and name == "county:inbox_decide":
            kwargs[key] = "environment.rectification"
    return reverse(name, kwargs=kwargs)


def snapshot(row):
    if row is None:
        return None
    row = type(row)._base_manager.get(pk=row.pk)  # a voided row too
    history = getattr(row, "history", None)
    return model_to_dict(row), history.count() if history is not None else None


def table_count(route):
    return apps.get_model(route.model)._default_manager.count() if route.model else None


def link_patterns():
    """[(model label, compiled regex of its row route's path with the pk as a group)]."""
    found = []
    for label, name in MODELS.items():
        if not name:
            continue
        text = next(t for n, t in all_routes() if n == name)
        kwargs = {"pk": 987654321}
        if "<str:variant>" in text:
            kwargs["variant"] = "thumb"
        path = reverse(name, kwargs=kwargs)
        regex = re.escape(path).replace("987654321", r"(\d+)").replace("thumb", r"\w+")
        found.append((label, re.compile(r'href="' + regex)))
    return found


def assert_links_visible(page, user, where):
    for label, regex in link_patterns():
        linked = {int(pk) for pk in regex.findall(page)}
        if not linked:
            continue
        hidden = linked - visible_pks(label, user)
        assert not hidden, f"{where}: links to {label} rows {sorted(hidden)} the user may not see"


def api_ids(response):
    data = response.json()
    if isinstance(data, dict):
        data = data.get("results", [])
    return {row["id"] for row in data if isinstance(row, dict) and "id" in row}


def is_login_redirect(response):
    return response.status_code == 302 and "/login/" in response.get("Location", "")


def check(client, name, route, role, user, row):
    """One route, one user: the assertions of the module's docstring."""
    client.logout()
    if user is not None:
        client.force_login(user)
    url = url_for(name, route, row)
    where = f"{name} as {role} ({user and user.username})"
    api = route.kind.startswith("api") or "-api:" in name or name == "api-schema"
    anonymous = user is None or not user.is_active
    get = client.get(url, HTTP_ACCEPT="application/json" if api else "text/html")
    assert get.status_code < 500, where
    if route.kind == "public":
        return
    if anonymous:
        if api:
            assert get.status_code in (401, 403), where
        else:
            assert is_login_redirect(get), (where, get.status_code)
    if route.kind in ("write", "api_write", "import") or route.kind == "self":
        before, count = snapshot(row), table_count(route)
        allowed = user is not None and user.is_active
        if route.kind == "import":
            allowed = allowed and may(user, "import", apps.get_model("reforms.ReformItem"))
        elif route.kind in ("write", "api_write"):
            target = row if route.action != "create" else apps.get_model(route.model)
            allowed = allowed and target is not None and may(user, route.action, target)
        if route.kind == "self":
            allowed = not anonymous
        junk = {"note": "矩阵", "reason": "矩阵", "text": "矩阵", "action": "accept"}
        post = client.post(url, junk)
        assert post.status_code < 500, where
        if not allowed:
            assert post.status_code in REFUSED_WRITE or is_login_redirect(post), (
                where,
                post.status_code,
            )
            assert snapshot(row) == before, f"{where}: a refused write changed the row"
            assert table_count(route) == count, f"{where}: a refused write created a row"
        elif route.kind in ("write", "api_write", "import"):
            # Allowed: the junk may be refused by the form or the rule (400, 409), never
            # by the permission check — a declaration that grants what a view refuses fails.
            assert post.status_code not in (401, 403, 404) and not is_login_redirect(post), (
                f"{where}: an allowed write was refused",
                post.status_code,
            )
        return
    if anonymous:
        return
    if route.kind == "admin":
        if user.is_county_admin:
            assert get.status_code in (200, 405), where  # 405: a POST-only step
        else:
            assert get.status_code in REFUSED, (where, get.status_code)
        return
    if route.kind in ("detail", "download", "api_detail", "redirect") and row is not None:
        if _row_visible(route.model, user, row):
            assert get.status_code == (302 if route.kind == "redirect" else 200), where
        else:
            assert get.status_code in (403, 404), (where, get.status_code)
    if route.kind == "export":
        expected_ok = may(user, "export", apps.get_model("reforms.ReformItem"))
        assert (get.status_code == 200) == expected_ok, (where, get.status_code)
    if get.status_code == 200 and "html" in get.get("Content-Type", ""):
        assert_links_visible(get.content.decode(), user, where)
    if route.kind == "api_list" and get.status_code == 200:
        assert get.status_code == 200
        hidden = api_ids(get) - visible_pks(route.model, user)
        assert not hidden, f"{where}: lists rows {sorted(hidden)} the user may not see"


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route_for_every_user(name, demo, client):
    route = ROUTES[name]
    _VISIBLE.clear()  # each test's rows are its own (writes are rolled back)
    row, staff_a, staff_b = (None, _user("d21"), _user("d30"))
    if route.model and route.action != "create":
        row, staff_a, staff_b = target_of(route)
    for role, user in users_for(route, staff_a, staff_b).items():
        check(client, name, route, role, user, row)


ADMIN_SAMPLE = (
    "admin:index",
    "admin:county_user_changelist",
    "admin:reforms_reformitem_changelist",
)


@pytest.mark.parametrize("name", ADMIN_SAMPLE)
def test_admin_site_only_for_the_admin(name, demo, client):
    for username in ("d21", "sup_d03", "leader01"):
        client.force_login(_user(username))
        answer = client.get(reverse(name))
        assert is_login_redirect(answer) or answer.status_code in REFUSED, (name, username)
    client.force_login(_user("admin"))
    assert client.get(reverse(name)).status_code == 200


# --- moving a record to another unit ----------------------------------------------------------


def unit_fields(model):
    """The editable fields of ``model`` that name units (a foreign key or many-to-many)."""
    return [
        f.name
        for f in model._meta.get_fields()
        if f.concrete
        and getattr(f, "editable", False)
        and (f.many_to_one or f.many_to_many)
        and f.related_model is apps.get_model("county.Unit")
    ]


def owners(row):
    """The ids of the units that own ``row`` (through its ``unit_paths``)."""
    model = type(row)
    found = set()
    for path in model.unit_paths:
        found |= set(model._base_manager.filter(pk=row.pk).values_list(path, flat=True))
    return found - {None}


def form_data(row, field, unit_id):
    """The row's values as a form posts them, with ``field`` set to ``unit_id``."""
    data = {}
    for name, value in model_to_dict(row).items():
        if isinstance(value, list):
            data[name] = [getattr(v, "pk", v) for v in value]
        else:
            data[name] = "" if value is None else getattr(value, "pk", value)
    data[field] = [unit_id] if isinstance(data.get(field), list) else unit_id
    data["version"] = getattr(row, "version", "")
    return data


MOVE_ROUTES = sorted(
    name
    for name, route in ROUTES.items()
    if (route.kind == "api_detail" or (route.kind == "write" and route.action != "create"))
    and issubclass(apps.get_model(route.model), UnitOwnedModel)
    and unit_fields(apps.get_model(route.model))
)


def test_staff_cannot_move_a_record_to_another_unit(demo, client):
    """A unit's staff who may change a record cannot hand it to another unit: not through an
    edit page, not through the API (PATCH of every unit field). Supervisors may reassign."""
    checked = []
    for name in MOVE_ROUTES:
        route = ROUTES[name]
        model = apps.get_model(route.model)
        staff = [_user(n) for n in STAFF_CANDIDATES]
        rows = model._default_manager.order_by("pk")[:200]
        row, staff_a = next(
            ((r, u) for r in rows for u in staff if may(u, "change", r) and not u.is_county_admin),
            (None, None),
        )
        if row is None:
            continue  # no staff may change this model's rows at all: the matrix covers it
        for name_of_field in unit_fields(model):
            before, history = owners(row), snapshot(row)
            unit_field = model._meta.get_field(name_of_field)
            # Another unit the field accepts (a township for a township field …).
            other = (
                apps.get_model("county.Unit")
                .objects.complex_filter(unit_field.get_limit_choices_to() or {})
                .exclude(pk__in=before)
                .order_by("pk")
                .first()
            )
            client.force_login(staff_a)
            url = url_for(name, route, row)
            if route.kind == "api_detail":
                body = {name_of_field: [other.pk] if unit_field.many_to_many else other.pk}
                answer = client.patch(url, body, content_type="application/json")
            else:
                answer = client.post(url, form_data(row, name_of_field, other.pk))
            where = f"{name} {name_of_field} by {staff_a.username} → {other}"
            assert answer.status_code < 500, where
            assert owners(row) == before, f"{where}: moved ({answer.status_code})"
            if answer.status_code >= 400:
                assert snapshot(row) == history, f"{where}: refused but changed"
            checked.append(where)
    assert len(checked) >= 5, checked  # parcels, areas, innovations …
