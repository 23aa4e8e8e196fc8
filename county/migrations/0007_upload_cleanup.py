"""Unconfirmed ledger and set-up uploads removed after a day: an hourly beat task.

The task (``county.evidence.remove_stale_uploads``) deletes files under
MEDIA_ROOT/ledger_uploads and MEDIA_ROOT/setup_uploads older than a day; an admin may
change the schedule in the Django admin (周期任务). This migration only creates it once.
"""

from django.db import migrations

TASK_NAME = "清理未确认的上传文件"
TASK = "county.evidence.remove_stale_uploads"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(name=TASK_NAME).exists():
        return
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="17",
        hour="*",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.create(
        name=TASK_NAME,
        task=TASK,
        crontab=crontab,
        enabled=True,
        description=(
            "删除上传后一天内既未确认导入、也未取消的台账和县情工作簿"
            "（MEDIA_ROOT 下的 ledger_uploads、setup_uploads）。"
        ),
    )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("county", "0006_event_notifications"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
