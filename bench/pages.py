"""Server time of the pages leaders and supervisors open most, at scale (issue 12).

For each database given (one seeded by ``manage.py seed_scale --factor N``), every page is
requested ``--requests`` times (after two warm-up requests) through Django's test client in
this process, logged in as the page's user; the table shows the median and p95 wall time
of the whole request (middleware, view, template), the number of SQL queries, the time
spent in SQL alone (each query timed by a ``connection.execute_wrapper``), the ratio of
page time to SQL time, and the median CPU time of this process per request (Python's share,
which other processes on a busy machine disturb less than wall time). Pages: first an empty
page in the same frame (middleware, login, navigation and its counts, ``base.html``), the
floor under every other page's time; then the cockpit, the leader view, the ranking and the
weekly briefing (when those URLs exist), and each workstream's overview and lists from
``Workstream.scale_pages``.

    DATABASE_URL=… python manage.py seed_scale --factor 10      # once per database
    .venv/bin/python bench/pages.py \\
        --db factor1=postgres://county:county@127.0.0.1:5432/county_scale \\
        --db factor10=postgres://county:county@127.0.0.1:5432/county_scale10

Each database is measured in a child process (Django is set up once per process). With
``CACHE_URL`` set (as in production) the overviews' figures, the leader's page and a list's
rendered rows come from the cache after the first request; the bench empties that cache
first. ``--cold`` also measures each database as the first view after a change: every cached
figure is dropped (a new epoch, ``figures_cache.drop_all``) before every request; the table
then adds, per database, the cached page's median over the SQL the page runs when nothing is
cached. ``--mixed`` also measures each database while someone edits through the forms once a
second (a parcel's, a problem's and a sub-task's edit page in turn: the page is read, its
form filled from its own fields and posted; the edit's own time is not counted): the last
lines compare the mean CPU per read request with the read-only run (issue 19: within 1.3×).
"""

import argparse
import itertools
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# county pages that may not exist yet; each is skipped with a note when its name is unknown
COUNTY_PAGES = [
    ("领导驾驶舱", "county:cockpit", "leader01"),
    ("领导视图", "county:leader", "leader01"),
    ("单位排名", "county:ranking", "leader01"),
    ("周报", "county:briefing", "leader01"),
]


FRAME = "空白页（仅框架）"
FRAME_PATH = "/__bench__/frame/"


def _frame_urlconf(root):
    """The project's URLs plus one page that draws the frame every page shares (middleware,
    login, session, navigation with its counts, ``base.html``) around no content: the floor
    of any page's time, whatever its SQL."""
    import types
    from importlib import import_module

    from django.contrib.auth.decorators import login_required
    from django.shortcuts import render
    from django.urls import path

    project = import_module(root)
    module = types.ModuleType("bench_frame_urls")
    module.__dict__.update({k: v for k, v in vars(project).items() if k.startswith("handler")})
    frame = login_required(lambda request: render(request, "base.html", {}))
    module.urlpatterns = [path(FRAME_PATH.strip("/") + "/", frame), *project.urlpatterns]
    sys.modules[module.__name__] = module
    return module.__name__


# (user, edit page of the first visible record's pk, the free-text field the edit changes)
EDITS = [
    ("sup_d21", "abandoned_land.Parcel", "/abandoned_land/parcels/{pk}/update/", "note"),
    ("sup_d18", "environment.Problem", "/environment/problems/{pk}/edit/", "description"),
    ("sup_d03", "reforms.SubTask", "/reforms/tasks/{pk}/edit/", "name"),
]
FIELD = re.compile(
    r"<(input|select|textarea)\b([^>]*)>(.*?)(?=<(?:input|select|textarea)\b|</form>)", re.S
)
ATTR = re.compile(r'([\w-]+)="([^"]*)"')


def form_fields(html):
    """The posted values of the page's last form, as a browser would send them unchanged."""
    import html as html_lib

    form = html.rsplit("<form", 1)[-1]
    data = {}
    for tag, attrs, rest in FIELD.findall(form):
        attr = dict(ATTR.findall(attrs))
        name = attr.get("name")
        if not name or attr.get("type") in ("submit", "file", "button"):
            continue
        if tag == "textarea":
            data[name] = html_lib.unescape(rest.split("</textarea>", 1)[0])
        elif tag == "select":
            chosen = re.findall(r'<option value="([^"]*)"[^>]*selected', rest)
            data[name] = (
                [html_lib.unescape(v) for v in chosen]
                if "multiple" in attrs
                else (html_lib.unescape(chosen[0]) if chosen else "")
            )
        elif attr.get("type") in ("checkbox", "radio"):
            if "checked" in attrs:
                data.setdefault(name, []).append(attr.get("value", "on"))
        else:
            data[name] = html_lib.unescape(attr.get("value", ""))
    return data


class Editor:
    """One edit through a form, each call the next of ``EDITS`` in turn."""

    def __init__(self):
        from django.apps import apps
        from django.test import Client

        from county.models import User

        self.turns = itertools.cycle(EDITS)
        self.count = itertools.count(1)
        self.clients, self.pks, self.failed = {}, {}, 0
        for username, model, _url, _field in EDITS:
            user = User.objects.filter(username=username).first()
            if user is None:
                continue
            client = Client(raise_request_exception=False)
            client.force_login(user)
            self.clients[username] = client
            queryset = apps.get_model(model).objects.visible_to(user).order_by("pk")
            self.pks[model] = list(queryset.values_list("pk", flat=True)[:20])

    def edit(self):
        username, model, url, field = next(self.turns)
        if username not in self.clients or not self.pks.get(model):
            return
        number = next(self.count)
        client = self.clients[username]
        path = url.format(pk=self.pks[model][number % len(self.pks[model])])
        data = form_fields(client.get(path).content.decode())
        data[field] = f"测速改动{number}"
        if client.post(path, data).status_code != 302:
            self.failed += 1


def measure(requests, cold=False, mixed=False):
    """Time every page against the configured database; returns a list of dicts."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "county.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import NoReverseMatch, reverse

    from county import figures_cache
    from county.models import User
    from county.registry import registry

    # as in production (DEBUG off), but the static files without a collected manifest
    override_settings(
        ALLOWED_HOSTS=["testserver"],
        SECURE_SSL_REDIRECT=False,
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ).enable()
    override_settings(ROOT_URLCONF=_frame_urlconf(settings.ROOT_URLCONF)).enable()
    pages, notes = [(FRAME, FRAME_PATH, "leader01")], []
    for label, name, username in COUNTY_PAGES:
        try:
            pages.append((label, reverse(name), username))
        except NoReverseMatch:
            notes.append(f"{label}（{name}）：尚无此页面，未测")
    for workstream in registry:
        if workstream.scale_pages:
            pages.extend(workstream.scale_pages())
    sql = {"n": 0, "time": 0.0}

    def timed(execute, sql_text, params, many, context):
        begun = time.perf_counter()
        try:
            return execute(sql_text, params, many, context)
        finally:
            sql["n"] += 1
            sql["time"] += time.perf_counter() - begun

    from django.core.cache import cache

    cache.clear()  # figures cached from another database (CACHE_URL is shared) must not show
    clients = {}
    editor, last_edit, edits = (Editor() if mixed else None), time.perf_counter(), 0
    results = []
    for label, path, username in pages:
        if username not in clients:
            user = User.objects.filter(username=username).first()
            if user is None:
                notes.append(f"{label}：没有用户 {username}，未测")
                continue
            client = Client(raise_request_exception=False)  # a 500 is a row of the table
            client.force_login(user)
            clients[username] = client
        client = clients[username]
        times, sql_times, cpu_times, counts, status = [], [], [], set(), None
        for number in range(requests + 2):
            if cold:
                figures_cache.drop_all()
            if editor and time.perf_counter() - last_edit >= 1.0:  # one edit a second
                editor.edit()
                last_edit, edits = time.perf_counter(), edits + 1
            sql["n"], sql["time"] = 0, 0.0
            with connection.execute_wrapper(timed):
                begun, cpu = time.perf_counter(), time.process_time()
                response = client.get(path)
                elapsed = time.perf_counter() - begun
                cpu = time.process_time() - cpu
            status = response.status_code
            if number >= 2:  # two warm-up requests
                times.append(elapsed)
                sql_times.append(sql["time"])
                cpu_times.append(cpu)
                counts.add(sql["n"])
        times.sort()
        median = statistics.median(times)
        sql_median = statistics.median(sql_times)
        results.append(
            {
                "page": label,
                "path": path,
                "user": username,
                "status": status,
                "median_ms": median * 1000,
                "p95_ms": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))] * 1000,
                "queries": "/".join(str(c) for c in sorted(counts)),
                "sql_ms": sql_median * 1000,
                "ratio": median / sql_median if sql_median else float("inf"),
                "cpu_ms": statistics.median(cpu_times) * 1000,
                "cpu_mean_ms": statistics.mean(cpu_times) * 1000,  # recomputations counted
            }
        )
    if editor:
        notes.append(f"一秒一改：共改动 {edits} 次，失败 {editor.failed} 次")
    return {"results": results, "notes": notes}


def table(runs):
    """One table: a row per page, the columns of each database side by side."""
    labels = list(runs)
    # with --cold: the cached page's time against the SQL its content needs when nothing is
    # cached (what the page would wait for the database without the cache)
    paired = [label for label in labels if f"{label} 改动后" in runs]
    head = "| 页面 | 用户 |" + "".join(
        f" {label} 中位 ms | {label} p95 ms | {label} 查询 | {label} SQL ms | {label} 倍数 |"
        f" {label} Python CPU ms |"
        for label in labels
    )
    head += "".join(f" {label} 中位 ÷ 不用缓存的 SQL |" for label in paired)
    lines = [head, "|" + "---|" * (2 + 6 * len(labels) + len(paired))]
    rows = {}
    for label in labels:
        for row in runs[label]["results"]:
            rows.setdefault((row["page"], row["user"]), {})[label] = row
    for (page, user), by_label in rows.items():
        cells = [page, user]
        for label in labels:
            row = by_label.get(label)
            if row is None:
                cells += ["—"] * 6
                continue
            flag = "" if row["status"] == 200 else f" ({row['status']})"
            cells += [
                f"{row['median_ms']:.1f}{flag}",
                f"{row['p95_ms']:.1f}",
                row["queries"],
                f"{row['sql_ms']:.1f}",
                f"{row['ratio']:.1f}×",
                f"{row['cpu_ms']:.1f}",
            ]
        for label in paired:
            warm, cold = by_label.get(label), by_label.get(f"{label} 改动后")
            ratio = warm and cold and cold["sql_ms"] and warm["median_ms"] / cold["sql_ms"]
            cells.append(f"{ratio:.1f}×" if ratio else "—")
        lines.append("| " + " | ".join(cells) + " |")
    notes = sorted({n for label in labels for n in runs[label]["notes"]})
    for label in labels:
        if label.endswith(" 一秒一改") and label.removesuffix(" 一秒一改") in runs:
            calm = _mean_cpu(runs[label.removesuffix(" 一秒一改")])
            busy = _mean_cpu(runs[label])
            notes.append(
                f"{label}：每个读请求 CPU 的平均 {busy:.1f} ms，只读时 {calm:.1f} ms，"
                f"为只读的 {busy / calm:.2f} 倍"
            )
    return "\n".join(lines + [""] + [f"- {n}" for n in notes])


def _mean_cpu(run):
    rows = [row["cpu_mean_ms"] for row in run["results"] if row["status"] == 200]
    return sum(rows) / len(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", default=[], help="label=DATABASE_URL (repeatable)")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--debug", action="store_true", help="DEBUG on (default: off)")
    parser.add_argument(
        "--cold", action="store_true", help="also measure with every cached figure dropped"
    )
    parser.add_argument(
        "--mixed", action="store_true", help="also measure with one edit a second (forms)"
    )
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.json:  # the child: measure the database in DATABASE_URL
        mode = os.environ.get("BENCH_MODE", "")
        print(json.dumps(measure(args.requests, cold=mode == "cold", mixed=mode == "mixed")))
        return
    targets = [item.split("=", 1) for item in args.db] or [
        ("current", os.environ.get("DATABASE_URL", ""))
    ]
    runs = {}
    plain = [(label, url, "") for label, url in targets]
    targets = list(plain)
    if args.cold:
        targets += [(f"{label} 改动后", url, "cold") for label, url, _mode in plain]
    if args.mixed:
        targets += [(f"{label} 一秒一改", url, "mixed") for label, url, _mode in plain]
    for label, url, mode in targets:
        env = dict(os.environ, DATABASE_URL=url, BENCH_MODE=mode)
        if not args.debug:
            env.update(DEBUG="false", SECRET_KEY="bench-only", LOG_LEVEL="WARNING")
        done = subprocess.run(
            [sys.executable, __file__, "--json", "--requests", str(args.requests)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            sys.stderr.write(done.stderr)
            raise SystemExit(f"{label}: 测量失败")
        runs[label] = json.loads(done.stdout.strip().splitlines()[-1])
    print(table(runs))


if __name__ == "__main__":
    main()
