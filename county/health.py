"""``/healthz``: what a load balancer asks before sending a request to this web node.

Answers 200 with ``{"status": "ok", …}`` when the database answers, Redis (the Celery
broker) answers and every migration is applied; otherwise 503 with the failing check named.
No login, no session, no redirect to HTTPS (``SECURE_REDIRECT_EXEMPT``), nothing secret.
"""

import redis
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

_migrations_applied = False  # once true for this process it stays true


def check_database():
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_redis():
    client = redis.Redis.from_url(
        settings.CELERY_BROKER_URL, socket_timeout=2, socket_connect_timeout=2
    )
    try:
        client.ping()
    finally:
        client.close()


def check_migrations():
    global _migrations_applied
    if _migrations_applied:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        raise RuntimeError(f"{len(pending)} 个数据库迁移尚未执行")
    _migrations_applied = True


CHECKS = {"database": check_database, "redis": check_redis, "migrations": check_migrations}


@never_cache
@require_GET
def healthz(request):
    results, healthy = {}, True
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as error:  # any failure makes the node unhealthy, named
            healthy = False
            results[name] = f"error: {type(error).__name__}: {error}"[:300]
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": results},
        status=200 if healthy else 503,
        json_dumps_params={"ensure_ascii": False},
    )
