"""An e-mail backend for the kill test: logs every message to a file, hangs on the second.

Used by a real ``celery worker`` subprocess (EMAIL_BACKEND points here): when it hangs,
the test kills the worker with SIGKILL in the middle of a run.
"""

import os
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    """Append each recipient to $MAIL_LOG; the second message waits to be killed."""

    def send_messages(self, email_messages):
        log = Path(os.environ["MAIL_LOG"])
        for message in email_messages:
            sent = log.read_text().splitlines() if log.exists() else []
            if len(sent) == 1:
                Path(str(log) + ".hang").write_text("hanging")
                time.sleep(600)
            with log.open("a") as f:
                f.write(",".join(message.to) + "\n")
        return len(email_messages)
