"""Test settings: the project's settings plus a small test-only workstream."""

import os

from county.settings import *  # noqa: F403
from county.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]
# Hashing every demo password with PBKDF2 would make each login cost ~0.3 s.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Static files come from the finders in tests; there is no collected STATIC_ROOT.
STATIC_ROOT = None

# The cache is Redis, as in production, so a stale page fails a test (county.figures_cache);
# each test starts with it empty (tests/conftest.py).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("CACHE_TEST_URL", "redis://127.0.0.1:6379/12"),
    }
}
