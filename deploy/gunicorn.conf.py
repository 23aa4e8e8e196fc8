"""gunicorn settings of a web node (``gunicorn -c deploy/gunicorn.conf.py county.wsgi``).

Everything can be overridden from the environment file (``GUNICORN_*``): nginx in front
terminates TLS and passes ``X-Forwarded-Proto``; imports of large ledgers may take a minute.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# A ledger import (upload → preview → confirm) of tens of thousands of rows takes tens of seconds.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "300"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak never takes a node down.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Only nginx on this host (or the addresses given) may set the X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# The application writes the access log itself (JSON, with request id and user): see
# county/request_id.py. Set GUNICORN_ACCESSLOG=- to have gunicorn's own lines too.
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
proc_name = "county-web"
