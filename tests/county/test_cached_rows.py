"""A list's rendered rows are kept in the figures cache (``{% cached_rows %}``, Redis as in
production), never stale: a saved record shows on the next request, each user and each filter
has its own rows, and without a key (no ``ScopedListView``) the block is simply rendered."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from county import figures_cache

PARCELS = "/abandoned_land/parcels/"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


@pytest.fixture
def tracked():
    """A request whose reads are recorded, as ``ReadTrackingMiddleware`` does for a list."""
    request = RequestFactory().get("/test/")
    request.user = AnonymousUser()
    middleware = figures_cache.ReadTrackingMiddleware(lambda r: None)
    middleware.process_view(request, figures_cache.caches_rows(lambda r: None), (), {})
    yield request
    request._figures_tracking.__exit__(None, None, None)
    figures_cache._local.snapshot = None


def token(table):
    from django.core.cache import cache

    return cache.get(f"{figures_cache.PREFIX}:t:{table}")


def parcel_rows_read(queries):
    return [
        q for q in queries if 'FROM "abandoned_land_parcel"' in q["sql"] and "LIMIT" in q["sql"]
    ]


def test_rows_come_from_the_cache_until_a_record_changes(client, user_named):
    from abandoned_land.models import Parcel

    client.force_login(user_named("sup_d18"))
    first = client.get(PARCELS).content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = client.get(PARCELS).content.decode()
    assert CSRF.sub("", again) == CSRF.sub("", first)
    assert not parcel_rows_read(queries)  # the rows were not read, let alone rendered
    parcel = Parcel.objects.order_by("township_id", "code").first()
    assert parcel.code in first
    parcel.operator = "缓存测试合作社"
    parcel.save()
    with CaptureQueriesContext(connection) as queries:
        changed = client.get(PARCELS).content.decode()
    assert parcel_rows_read(queries)
    assert "缓存测试合作社" in changed


def test_each_user_and_each_filter_has_its_own_rows(client, user_named, unit_named):
    from abandoned_land.models import Parcel

    client.force_login(user_named("sup_d18"))
    all_rows = client.get(PARCELS).content.decode()
    town = unit_named("城关镇")
    filtered = client.get(PARCELS, {"township": town.pk}).content.decode()
    others = Parcel.objects.exclude(township=town).order_by("township_id", "code").first()
    assert others.code in all_rows and others.code not in filtered
    client.force_login(user_named("t02"))  # a township's clerk: his own parcels only
    own = client.get(PARCELS).content.decode()
    mine = set(Parcel.objects.visible_to(user_named("t02")).values_list("code", flat=True))
    shown = {code for code in Parcel.objects.values_list("code", flat=True) if code in own}
    assert shown and shown <= mine


def test_without_a_key_the_block_is_rendered_each_time(tracked):
    template = Template("{% cached_rows %}{{ n }}{% endcached_rows %}")
    assert template.render(Context({"n": 1})) == "1"
    assert template.render(Context({"n": 2})) == "2"
    keyed = Context({"n": 3, "rows_key": "test:rows", "request": tracked})
    assert template.render(keyed) == "3"
    kept = Context({"n": 4, "rows_key": "test:rows", "request": tracked})
    assert template.render(kept) == "3"


def test_a_login_or_a_notification_keeps_the_rows_a_leader_change_drops_them(client, user_named):
    from county.models import Leader
    from county.reminders.models import Notification

    user = user_named("sup_d18")
    client.force_login(user)
    client.get(PARCELS)
    kept = [token(t) for t in ("abandoned_land_parcel", "county_unit", "county_leader")]
    client.force_login(user_named("t02"))  # saves last_login
    Notification.objects.create(user=user, title="测试通知", body="")
    assert [token(t) for t in ("abandoned_land_parcel", "county_unit", "county_leader")] == kept
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert "1 条未读" in client.get(PARCELS).content.decode()  # the frame is live
    assert not parcel_rows_read(queries)  # the rows come from the cache
    leader = Leader.objects.first()
    leader.title = leader.title + "（测试）"
    leader.save()
    assert token("county_leader") != kept[2]
    with CaptureQueriesContext(connection) as queries:
        client.get(PARCELS)
    assert parcel_rows_read(queries)  # a leader decides what a user sees: rows drawn again


def test_the_filter_form_is_kept_with_the_rows_and_follows_a_renamed_village(client, user_named):
    from county.models import Village

    client.force_login(user_named("sup_d18"))
    village = Village.objects.order_by("pk").first()
    path = f"{PARCELS}?township={village.township_id}"  # the village select lists its villages
    first = client.get(path).content.decode()
    assert f">{village.name}<" in first
    with CaptureQueriesContext(connection) as queries:
        again = client.get(path).content.decode()
    assert CSRF.sub("", again) == CSRF.sub("", first)
    assert not [q for q in queries if 'FROM "county_village"' in q["sql"]]  # no choice read
    village.name = "缓存测试村"
    village.save()
    renamed = client.get(path).content.decode()
    assert ">缓存测试村<" in renamed.split('id="filter-form"')[1].split("</form>")[0]


def test_a_named_block_has_its_own_entry(tracked):
    template = Template(
        '{% cached_rows %}{{ n }}{% endcached_rows %}|{% cached_rows "filter" %}{{ m }}'
        "{% endcached_rows %}"
    )
    first = Context({"n": 1, "m": 2, "rows_key": "test:named", "request": tracked})
    assert template.render(first) == "1|2"
    again = Context({"n": 3, "m": 4, "rows_key": "test:named", "request": tracked})
    assert template.render(again) == "1|2"
    assert figures_cache.lookup("test:named:filter") == "2"


def test_the_row_count_is_kept_with_the_rows_and_follows_a_voided_parcel(client, user_named):
    from django.utils import timezone

    from abandoned_land.models import Parcel

    def counted(queries):
        return [
            q for q in queries if "COUNT(*)" in q["sql"] and "abandoned_land_parcel" in q["sql"]
        ]

    client.force_login(user_named("sup_d18"))
    total = Parcel.objects.filter(voided_at__isnull=True).count()
    assert f"共 {total} 条" in client.get(PARCELS).content.decode()
    with CaptureQueriesContext(connection) as queries:
        assert f"共 {total} 条" in client.get(PARCELS).content.decode()
    assert not counted(queries)
    parcel = Parcel.objects.filter(voided_at__isnull=True).order_by("pk").first()
    parcel.voided_at = timezone.now()
    parcel.save()
    with CaptureQueriesContext(connection) as queries:
        assert f"共 {total - 1} 条" in client.get(PARCELS).content.decode()
    assert counted(queries)
