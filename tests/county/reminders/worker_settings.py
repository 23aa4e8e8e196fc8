"""Settings of the worker subprocess in the kill test: test settings, e-mail from the env."""

import os

from tests.settings import *  # noqa: F403
from tests.settings import EMAIL_BACKEND

EMAIL_BACKEND = os.environ.get("TEST_EMAIL_BACKEND", EMAIL_BACKEND)
