"""The nightly backup in django-celery-beat's database schedule: 02:00 Asia/Shanghai.

An admin changes the hour in the Django admin (周期任务 / Crontabs); this migration only
creates the default once.
"""

from django.db import migrations

TASK_NAME = "每日备份"
TASK = "county.backup.tasks.backup"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(name=TASK_NAME).exists():
        return
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="2",
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
            "备份数据库和上传的佐证材料到 BACKUP_ROOT，各保留最近 BACKUP_KEEP 份；"
            "恢复步骤见 docs/deploy.md「备份与恢复」。"
        ),
    )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("county", "0004_user_password_audit"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
