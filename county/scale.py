"""A county N times the demo, for measuring pages at scale (``manage.py seed_scale``).

The county's own part is made here: the demo county from its set-up workbook (units,
leaders, special groups, supervisions, the demo accounts), then townships and villages
up to ``factor`` times the demo's size (factor 10: 200 townships, 5,000 villages). Each
workstream then adds its records through ``Workstream.seed_scale(county)``, given a
:class:`ScaleCounty`: the factor, a random stream of its own (so the data depend on the
seed only, whatever the order or number of workstreams), the units, villages, leaders
and users, and :meth:`ScaleCounty.bulk`, which writes rows with ``COPY`` and their
history rows with one ``INSERT … SELECT`` (the ledger engine's :class:`Table`).
"""

import datetime
import hashlib
import random

from django.apps import apps
from django.db import connection

from .choices import TownshipKind, UnitKind, VillageKind
from .history import DEMO
from .ledger.records import Table
from .models import Leader, SpecialGroup, Unit, User, Village
from .status import today

TOWNSHIPS_AT_ONE = 20
VILLAGES_PER_TOWNSHIP = 25  # factor 10: 200 townships, 5,000 villages
APPS = ("county", "reforms", "landplan", "abandoned_land", "environment")
KEEP = {"django_migrations", "django_content_type", "auth_permission"}

FIRST = "青云白石金龙凤凰桃花梨园柏杨松林竹溪清泉玉屏星光红岩龙泉天台石门长乐太平永安双龙"
SECOND = "坝河溪湾坪岭山桥塘寨沟场口湖池垭冲岗观堡坡"


class ScaleCounty:
    """What a workstream's scale builder gets: the factor, random streams, units, a writer."""

    def __init__(self, factor, seed, stdout=None):
        self.factor = factor
        self.seed = seed
        self.stdout = stdout
        self.today = today()
        self.townships = []
        self.departments = []
        self.villages = []  # every village
        self.villages_of = {}  # township pk → [Village]
        self.leaders = []
        self.groups = []
        self.users = {}  # username → User
        self.staff = {}  # unit pk → a user of the unit (the demo accounts)

    def count(self, at_factor_one):
        """How many rows a builder makes of something the demo-sized county has
        ``at_factor_one`` of (at least one)."""
        return max(1, round(at_factor_one * self.factor))

    def rng(self, key):
        """A random stream for ``key`` that depends on the seed only."""
        digest = hashlib.sha256(f"{self.seed}:{key}".encode()).hexdigest()
        return random.Random(int(digest[:16], 16))

    def day(self, rng, low, high):
        """A date ``low``…``high`` days from today (negative: in the past)."""
        return self.today + datetime.timedelta(days=rng.randint(low, high))

    def bulk(self, model, rows, m2m=(), m2m_values=None):
        """Write ``rows`` (dicts of field values) and their history rows; returns the pks.

        ``m2m`` names the many-to-many fields; ``m2m_values[i]`` maps them to the related
        pks of row ``i``.
        """
        table = Table(model, m2m=m2m, reason=DEMO)
        records = [
            table.save(values, (m2m_values[index] if m2m_values else None))
            for index, values in enumerate(rows)
        ]
        table.flush()
        return [record.pk for record in records]

    def say(self, text):
        if self.stdout is not None:
            self.stdout.write(text)


def tables():
    """The project's tables (quoted) that exist in the database."""
    existing = set(connection.introspection.table_names())
    names = [
        model._meta.db_table
        for label in APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if model._meta.managed
        and model._meta.db_table not in KEEP
        and model._meta.db_table in existing
    ]
    return ", ".join(connection.ops.quote_name(t) for t in names)


def wipe():
    """Empty every table of the project's apps (PostgreSQL, ``TRUNCATE … CASCADE``)."""
    quoted = tables()
    with connection.cursor() as cursor:
        # deferred foreign-key checks of rows written earlier in this transaction (a test
        # that seeds twice) must run before TRUNCATE may empty their tables
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _names(rng, count, taken, suffixes):
    """``count`` new two-character place names (plus a suffix) not in ``taken``."""
    names = []
    while len(names) < count:
        name = rng.choice(FIRST) + rng.choice(SECOND) + rng.choice(suffixes)
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def build_county(county):
    """The demo county, then townships and villages up to the factor; fills ``county``."""
    from .setup.apply import run_setup
    from .setup.passwords import SharedPassword
    from .setup.template import DEMO_WORKBOOK

    report = run_setup(
        DEMO_WORKBOOK.read_bytes(),
        name=DEMO_WORKBOOK.name,
        passwords=SharedPassword("demo1234"),
        reason=DEMO,
    )
    if not report.ok:
        raise RuntimeError("示范县工作簿有问题：" + "；".join(map(str, report.sorted_errors())))
    rng = county.rng("county")
    units = list(Unit.objects.order_by("kind", "order", "pk"))
    taken = {u.name for u in units}
    demo_townships = [u for u in units if u.kind == UnitKind.TOWNSHIP]
    wanted = max(len(demo_townships), county.count(TOWNSHIPS_AT_ONE))
    extra = wanted - len(demo_townships)
    last = max(u.order for u in demo_townships)
    rows = []
    for number, name in enumerate(_names(rng, extra, taken, "镇镇乡"), start=1):
        rows.append(
            {
                "code": f"TS{number:04d}",
                "name": name,
                "kind": UnitKind.TOWNSHIP,
                "township_kind": TownshipKind.TOWN if name.endswith("镇") else TownshipKind.XIANG,
                "order": last + number,
            }
        )
    county.bulk(Unit, rows)
    county.townships = list(Unit.objects.townships().order_by("order", "pk"))
    county.departments = list(Unit.objects.departments().order_by("order", "pk"))
    leaders = list(Leader.objects.order_by("order", "pk"))
    new = county.townships[len(demo_townships) :]
    through = Leader.liaison_townships.through
    through.objects.bulk_create(
        through(leader_id=leaders[index % len(leaders)].pk, unit_id=township.pk)
        for index, township in enumerate(new)
    )
    existing = {}
    for village in Village.objects.order_by("pk"):
        existing.setdefault(village.township_id, set()).add(village.name)
    per_township = VILLAGES_PER_TOWNSHIP if county.factor >= 1 else None
    rows = []
    for township in county.townships:
        names = existing.setdefault(township.pk, set())
        want = per_township or len(names)
        for name in _names(rng, max(0, want - len(names)), names, "村村村社区"):
            kind = VillageKind.COMMUNITY if name.endswith("社区") else VillageKind.VILLAGE
            rows.append({"township": township.pk, "name": name, "kind": kind})
    county.bulk(Village, rows)
    county.villages = list(Village.objects.order_by("township__order", "pk"))
    for village in county.villages:
        county.villages_of.setdefault(village.township_id, []).append(village)
    county.leaders = list(Leader.objects.order_by("order", "pk"))
    county.groups = list(SpecialGroup.objects.order_by("order", "pk"))
    county.users = {u.username: u for u in User.objects.order_by("pk")}
    for user in county.users.values():
        if user.unit_id:
            county.staff.setdefault(user.unit_id, user)
    county.say(
        f"县情：{len(county.townships)} 个乡镇，{len(county.villages)} 个村（社区），"
        f"{len(county.departments)} 个部门。"
    )


def staff_of(county, unit):
    """A user of ``unit`` (the demo accounts cover the demo's units), or the admin."""
    unit_id = getattr(unit, "pk", unit)
    return county.staff.get(unit_id) or county.users["admin"]
