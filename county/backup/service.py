"""One backup run: database dump + tar of the uploaded files, old ones cleaned, audited.

The work itself is django-dbbackup's ``dbbackup --clean`` and ``mediabackup --clean``; this
module only runs them in order, learns the names of the files they wrote (from dbbackup's
``post_backup`` / ``post_media_backup`` signals) and writes one audit entry — also when the
run fails, so that a night without a backup shows up in the audit log and in the error log.
"""

import logging
import time

from dbbackup.signals import post_backup, post_media_backup
from django.conf import settings
from django.core.management import call_command

from county.audit import Action, record

logger = logging.getLogger("county.backup")


def run_backup(username="系统"):
    """Back up the database and MEDIA_ROOT now; return the names of the files written."""
    written = []

    def remember(sender, filename=None, **kwargs):
        written.append(filename)

    post_backup.connect(remember, weak=False)
    post_media_backup.connect(remember, weak=False)
    started = time.monotonic()
    try:
        call_command("dbbackup", clean=True, interactive=False, quiet=True)
        call_command("mediabackup", clean=True, interactive=False, quiet=True)
    except Exception as error:
        logger.exception("备份失败：%s", error)
        record(
            Action.BACKUP,
            username=username,
            target="备份失败",
            detail=f"已写入：{'、'.join(written) or '无'}；错误：{error}",
        )
        raise
    finally:
        post_backup.disconnect(remember)
        post_media_backup.disconnect(remember)
    seconds = time.monotonic() - started
    logger.info(
        "备份完成：%s（%.1f 秒）",
        "、".join(written),
        seconds,
        extra={"files": written, "duration_s": round(seconds, 1)},
    )
    record(
        Action.BACKUP,
        username=username,
        target="、".join(written),
        detail=(
            f"数据库与上传文件已备份到 {settings.BACKUP_ROOT}，用时 {seconds:.1f} 秒；"
            f"各保留最近 {settings.BACKUP_KEEP} 份。"
        ),
    )
    return written
