"""Test settings: the project's settings plus a small test-only workstream."""

from county.settings import *  # noqa: F403
from county.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]
# Hashing every demo password with PBKDF2 would make each login cost ~0.3 s.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Static files come from the finders in tests; there is no collected STATIC_ROOT.
STATIC_ROOT = None
