"""gunicorn settings of a web node (``gunicorn -c deploy/gunicorn.conf.py county.wsgi``).

Everything can be overridden from the environment file (``GUNICORN_*``): nginx in front
terminates TLS and passes ``X-Forwarded-Proto``; imports of large ledgers may take a minute.
"""

import multiprocessing
import os

# 127.0.0.1 (nginx on this host) or this host's private address (nginx elsewhere), never every
# address: whoever reaches gunicorn past nginx skips TLS, upload limits and the /media block.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
for _address in bind.split(","):
    _host = _address.strip().rpartition(":")[0].strip("[]")
    if _host in {"", "0.0.0.0", "::"}:
        raise SystemExit(
            f"GUNICORN_BIND={bind}：gunicorn 只能监听 127.0.0.1 或内网地址，"
            "不能监听全部地址（见 docs/deploy.md）。"
        )

workers = int(os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# A ledger import (upload → preview → confirm) of tens of thousands of rows takes tens of seconds.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "300"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak never takes a node down.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Only our proxies may set X-Forwarded-Proto: the same list the login lock trusts for
# X-Forwarded-For (TRUSTED_PROXIES), unless given separately.
forwarded_allow_ips = (
    os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS")
    or os.environ.get("TRUSTED_PROXIES")
    or "127.0.0.1,::1"
)
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# The application writes the access log itself (JSON, with request id and user): see
# county/request_id.py. Set GUNICORN_ACCESSLOG=- to have gunicorn's own lines too.
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
proc_name = "county-web"
