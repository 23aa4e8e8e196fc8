"""Build a county N times the demo, deterministic from a seed, for measuring speed at scale.

``python manage.py seed_scale --factor 10 --seed 1`` makes about 200 townships, 5,000
villages, 900 reform items with 15,000 sub-tasks, 30,000 parcels and 50,000 problems, with
their history rows, in bulk (``COPY`` on PostgreSQL). The county itself comes from
:mod:`county.scale`; each workstream adds its records through ``Workstream.seed_scale``.
The database must hold no county yet, or ``--replace`` empties the project's tables first
(PostgreSQL only).
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from county.models import Unit
from county.registry import registry
from county.scale import ScaleCounty, build_county, tables, wipe


class Command(BaseCommand):
    help = "生成 N 倍于示范县规模的测试数据（同一种子生成的数据相同），用于性能测试。"

    def add_arguments(self, parser):
        parser.add_argument("--factor", type=float, default=1.0, help="规模倍数，如 10。")
        parser.add_argument("--seed", type=int, default=1, help="随机种子。")
        parser.add_argument(
            "--replace", action="store_true", help="先清空本系统的全部数据（仅 PostgreSQL）。"
        )

    def handle(self, *args, factor=1.0, seed=1, replace=False, **options):
        if factor <= 0:
            raise CommandError("--factor 必须大于 0。")
        started = time.perf_counter()
        with transaction.atomic():
            if replace:
                if connection.vendor != "postgresql":
                    raise CommandError("--replace 只支持 PostgreSQL。")
                wipe()
            elif Unit.objects.exists():
                raise CommandError("数据库里已有县情数据；请用空数据库，或加 --replace 先清空。")
            county = ScaleCounty(factor, seed, self.stdout)
            build_county(county)
            for workstream in registry:
                if workstream.seed_scale:
                    begun = time.perf_counter()
                    workstream.seed_scale(county)
                    county.say(f"  {workstream.label}：{time.perf_counter() - begun:.1f} 秒")
        if connection.vendor == "postgresql":
            # statistics for the planner, and (outside a transaction) the visibility map
            # that lets a count read an index alone, as autovacuum would leave them
            with connection.cursor() as cursor:
                verb = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
                cursor.execute(f"{verb} {tables()}")
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成 {factor:g} 倍规模的县（种子 {seed}），用时 "
                f"{time.perf_counter() - started:.1f} 秒。"
            )
        )
