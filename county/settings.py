"""Django settings, read from environment variables.

With nothing set the project runs as a demo: DEBUG on, an embedded SQLite file,
e-mail printed to the console. Production sets ``DEBUG=False``, ``SECRET_KEY``,
``ALLOWED_HOSTS``, ``DATABASE_URL`` and ``CELERY_BROKER_URL``; the secure
defaults below then switch on by themselves.
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    """Read a yes/no environment variable ("1", "true", "yes", "on" mean yes)."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    """Read a comma-separated environment variable into a list."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DEBUG=False 时必须设置环境变量 SECRET_KEY。")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_celery_beat",
    "dbbackup",
    "axes",
    "csp",
    "county",
    "reforms",
    "environment",
    "abandoned_land",
    "landplan",
]

MIDDLEWARE = [
    "county.request_id.RequestIdMiddleware",  # first: every log line of a request carries its id
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "county.sessions.IdleTimeoutMiddleware",  # moves an active session's end on
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "county.web.private_cache.PrivateNoStoreMiddleware",  # personal data: no cache keeps it
    "django.contrib.messages.middleware.MessageMiddleware",
    "county.password_middleware.ForcePasswordChangeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "county.not_found.ChineseNotFoundMiddleware",  # the Chinese 404 page, DEBUG or not
    "axes.middleware.AxesMiddleware",  # turns a locked-out login into the lockout page
    "county.figures_cache.ReadTrackingMiddleware",  # what a page with cached rows read
]

ROOT_URLCONF = "county.urls"
# selects and inputs written in Python, the same markup as Django's templates (issue 12)
FORM_RENDERER = "county.renderers.FastSelectRenderer"
WSGI_APPLICATION = "county.wsgi.application"
ASGI_APPLICATION = "county.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["county.templatetags.county_tags", "county.templatetags.dates"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "county.context_processors.navigation",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL:
    (BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or f"sqlite:///{BASE_DIR / 'var' / 'demo.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
# Every request is one transaction: a request that fails half-way changes nothing.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "county.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "county:todo"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes, county/login_security.py): 5 wrong passwords for one user name
# from one address lock that pair for 30 minutes; other clerks behind the same address and the
# same clerk elsewhere still log in. `python manage.py axes_reset` lifts every lock at once.
AUTHENTICATION_BACKENDS = [
    "county.login_security.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Tries during a lock do not extend it, so the time on the lockout page holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "county.login_security.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]
AXES_CLIENT_IP_CALLABLE = "county.login_security.client_ip"
# Addresses/networks of our own proxies (nginx). X-Forwarded-For is read only on requests whose
# REMOTE_ADDR is one of them; any other request is counted by its REMOTE_ADDR. Production default:
# nginx on the same host (gunicorn bound to 127.0.0.1); the demo has no proxy.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "" if DEBUG else "127.0.0.1,::1")
try:
    [ipaddress.ip_network(entry, strict=False) for entry in TRUSTED_PROXIES]
except ValueError as error:
    raise ImproperlyConfigured(f"TRUSTED_PROXIES 里有不是地址或网段的项：{error}") from error
# Whom a locked-out clerk should call (shown on the lockout page).
LOGIN_HELP_CONTACT = os.environ.get("LOGIN_HELP_CONTACT", "") or "本县督查平台管理员"

# A unit never decides on its own work (county/scoping.py, "decide"), except in the workstreams
# listed here. landplan: its "decision" is recording the city's or province's review result.
SELF_DECIDING_WORKSTREAMS = env_list("SELF_DECIDING_WORKSTREAMS", "landplan")

# A working day of inactivity ends the session: requests move its end on, writing the session
# at most once every SESSION_REFRESH_SECONDS (county/sessions.py).
SESSION_ENGINE = "county.sessions"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_HOURS", "9")) * 60 * 60
SESSION_REFRESH_SECONDS = 300

# Chinese whatever the browser asks: no LocaleMiddleware (no Accept-Language negotiation) and
# one language, so Django's and DRF's own messages are always in Chinese.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Uploaded evidence is never served from a public URL: views check visibility first.
MEDIA_URL = "/media-not-public/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024

# Backups (django-dbbackup): database dumps and tars of MEDIA_ROOT, readable by the owner only.
BACKUP_ROOT = Path(os.environ.get("BACKUP_ROOT", BASE_DIR / "var" / "backups"))
BACKUP_KEEP = int(os.environ.get("BACKUP_KEEP", "14"))
if BACKUP_ROOT.resolve().is_relative_to(MEDIA_ROOT.resolve()):
    raise ImproperlyConfigured("BACKUP_ROOT 不能位于 MEDIA_ROOT 之内（否则备份会备份自身）。")
DBBACKUP_CLEANUP_KEEP = BACKUP_KEEP
DBBACKUP_CLEANUP_KEEP_MEDIA = BACKUP_KEEP
DBBACKUP_SEND_EMAIL = False  # failures go to the error log and the audit log

# The overviews' and the cockpit's figures are cached (county.figures_cache) in Redis when
# CACHE_URL is set (e.g. redis://127.0.0.1:6379/1, not the broker's db); without it
# (the demo, the tests) nothing is cached.
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    )
}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "dbbackup": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(BACKUP_ROOT),
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Optional: uploaded evidence in a private S3-compatible bucket (requirements-s3.txt).
if os.environ.get("MEDIA_STORAGE", "local") == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY", ""),
            "secret_key": os.environ.get("S3_SECRET_KEY", ""),
            "region_name": os.environ.get("S3_REGION") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# E-mail: console in the demo, SMTP from the environment in production.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
# With EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (staging, tests): the folder.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", "") or None
# The public address, put in front of links in e-mails (e.g. https://dc.example.gov.cn).
SITE_URL = os.environ.get("SITE_URL", "")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "督查平台 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis as broker; reminders come from a periodic scan (see county/reminders).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "") or None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON nested at most county.inputs.MAX_JSON_DEPTH levels; deleting what is in use is a 409.
    "DEFAULT_PARSER_CLASSES": [
        "county.inputs.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "county.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "县域改革工作督查平台 API",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The schema and Swagger UI only for logged-in users (county/urls.py).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Every operation documents the errors it answers (400, 403, 404, 409, 412, 415).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "county.web.api_errors.document_error_answers",
    ],
}

# Content security policy (django-csp): every script is a file under /static/, none inline,
# no eval. Styles allow 'unsafe-inline' because ECharts' tooltips and Swagger UI write style
# attributes into the HTML they build (see docs/security.md).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Uploaded evidence (progress attachments, photos).
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
# Images larger than this many pixels are refused from their header, before decoding
# (county/evidence.py; a 7700×7700 PNG of 249 KB would otherwise take ~1 GB of memory).
EVIDENCE_MAX_PIXELS = int(os.environ.get("EVIDENCE_MAX_PIXELS", str(40_000_000)))

# Logs on stderr: JSON lines in production (LOG_FORMAT=json, the default when DEBUG is off),
# plain text in the demo. Every line of a request carries its request_id and user
# (county/request_id.py); county.request writes one access line per request at INFO.
LOG_FORMAT = os.environ.get("LOG_FORMAT") or ("text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured("LOG_FORMAT 只能是 json 或 text。")
LOG_LEVEL = (os.environ.get("LOG_LEVEL") or ("WARNING" if DEBUG else "INFO")).upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "county.request_id.RequestContextFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s %(user)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
            "json_ensure_ascii": False,
        },
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(user)s] %(message)s"
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_context"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own console and mail handlers replaced: 500s go to the log with traceback.
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        # dbbackup's commands print through their own handler; do not print each line twice.
        "dbbackup": {"propagate": False},
    },
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # The load balancer probes /healthz over plain HTTP on the private network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    X_FRAME_OPTIONS = "DENY"

# Optional error reporting to Sentry (or a compatible server on the government network):
# `pip install -r requirements-sentry.txt` and set SENTRY_DSN. Errors also go to the log anyway.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        send_default_pii=False,
        traces_sample_rate=0.0,
    )
