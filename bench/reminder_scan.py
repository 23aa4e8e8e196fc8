"""Benchmark: scan 100,000 open dated items for reminders; time and number of queries.

Creates a throw-away database (SQLite under /tmp by default, or BENCH_DATABASE_URL),
fills it with the test workstream's ``Dossier`` records — every one open and inside the
reminder window, 10 % with a co-responsible unit — and times the scan (fetch), the rules
(plan) and a full dry run (scan, rules, insert of every reminder, digests, roll back),
once with 1,000 items and once with 100,000. The number of queries must be the same.

    .venv/bin/python bench/reminder_scan.py [--items 100000] [--full]
    BENCH_DATABASE_URL=postgres://county:county@127.0.0.1:5432/county_bench \
        .venv/bin/python bench/reminder_scan.py   # creates and drops that database

The full dry run writes reminders in batches (1,000 rows per INSERT on PostgreSQL, ~66 on
SQLite), so its query count grows with the number of *reminders* by batch, never by item.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_FILE = Path("/tmp/county_reminder_bench.sqlite3")
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{DB_FILE}")
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"  # the test workstream's Dossier

DAY = datetime.timedelta(days=1)
ON = datetime.date(2026, 3, 2)


def recreate_postgres(url, drop_only=False):
    """Create (or drop) the throw-away PostgreSQL database named in ``url``."""
    import dj_database_url
    import psycopg2

    cfg = dj_database_url.parse(url)
    conn = psycopg2.connect(
        dbname="postgres",
        user=cfg["USER"],
        password=cfg["PASSWORD"],
        host=cfg["HOST"],
        port=cfg["PORT"] or 5432,
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{cfg["NAME"]}"')
        if not drop_only:
            cur.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
    conn.close()


def setup_database():
    import django
    from django.core.management import call_command

    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url:
        DB_FILE.unlink(missing_ok=True)
    elif url.startswith("postgres"):
        recreate_postgres(url)
    django.setup()
    from county.registry import registry

    # Only the test workstream: the real ones would add their own (constant) queries.
    registry._items = {"testing": registry.get("testing")}
    call_command("migrate", verbosity=0)
    from county.choices import Role, UnitKind
    from county.models import Leader, Supervision, Unit, User

    units = [
        Unit.objects.create(code=f"B{i:02d}", name=f"测试单位{i:02d}", kind=UnitKind.DEPARTMENT)
        for i in range(40)
    ]
    for unit in units[:-2]:  # two units without an account
        User.objects.create(username=f"u{unit.code}", role=Role.STAFF, unit=unit)
    Supervision.objects.create(unit=units[0], workstream="testing")
    User.objects.create(username="sup", role=Role.SUPERVISOR, unit=units[0])
    for i in range(5):
        leader = Leader.objects.create(name=f"领导{i}", title="副县长", order=i)
        User.objects.create(username=f"leader{i}", role=Role.LEADER, leader=leader)
    return units


def fill(units, count):
    from county.models import Leader
    from tests.testapp.models import Dossier

    Dossier.objects.all().delete()
    leaders = list(Leader.objects.values_list("pk", flat=True))
    batch = 5000
    for start in range(0, count, batch):
        Dossier.objects.bulk_create(
            Dossier(
                title=f"第{i}项改革任务",
                unit=units[i % len(units)],
                leader_id=leaders[i % len(leaders)],
                deadline=ON + ((i % 38) - 30) * DAY,  # 30 days overdue … 7 days ahead
            )
            for i in range(start, min(start + batch, count))
        )
    through = Dossier.co_units.through
    ids = list(Dossier.objects.values_list("pk", flat=True)[: count // 10])
    through.objects.bulk_create(
        through(dossier_id=pk, unit_id=units[(pk + 7) % len(units)].pk) for pk in ids
    )


def measure(count, full):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from county.reminders.models import ReminderSettings
    from county.reminders.rules import plan
    from county.reminders.scan import directory, scan_items
    from county.reminders.service import run

    settings = ReminderSettings.load()
    with CaptureQueriesContext(connection) as scan_q:
        started = time.perf_counter()
        items = scan_items(ON)
        scanned = time.perf_counter()
        people = directory()
    with CaptureQueriesContext(connection) as plan_q:
        planned_at = time.perf_counter()
        result = plan(items, ON, people, settings)
        planned = time.perf_counter() - planned_at
    line = {
        "items": len(items),
        "scan_s": scanned - started,
        "scan_queries": len(scan_q.captured_queries),
        "plan_s": planned,
        "plan_queries": len(plan_q.captured_queries),
        "reminders": len(result.reminders),
        "notices": len(result.notices),
    }
    if full:
        with CaptureQueriesContext(connection) as run_q:
            started = time.perf_counter()
            report = run(ON, dry_run=True)
            line["run_s"] = time.perf_counter() - started
        line["run_queries"] = len(run_q.captured_queries)
        line["digests"] = len(report.digests)
    return line


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--full", action="store_true", help="另做一次完整试运行（较慢）")
    args = parser.parse_args()
    units = setup_database()
    from django.db import connection

    print(f"数据库：{connection.vendor}（一次性基准库）")
    lines = []
    for count in (1_000, args.items):
        fill(units, count)
        line = measure(count, full=args.full)
        lines.append(line)
        text = (
            f"{line['items']:>7,} 项未完成："
            f"扫描 {line['scan_s']:.2f} 秒 / {line['scan_queries']} 次查询；"
            f"规则 {line['plan_s']:.2f} 秒 / {line['plan_queries']} 次查询；"
            f"应发提醒 {line['reminders']:,} 条，督办单 {line['notices']:,} 份"
        )
        if "run_s" in line:
            text += (
                f"；完整试运行（写入全部提醒、生成 {line['digests']} 份汇总后回滚）"
                f" {line['run_s']:.2f} 秒 / {line['run_queries']} 次查询"
            )
        print(text)
    same = lines[0]["scan_queries"] == lines[1]["scan_queries"]
    print("扫描查询次数与事项数量无关：" + ("是" if same else "否！"))
    connection.close()
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url:
        DB_FILE.unlink(missing_ok=True)
    elif url.startswith("postgres"):
        recreate_postgres(url, drop_only=True)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
