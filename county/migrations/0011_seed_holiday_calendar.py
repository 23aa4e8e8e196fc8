"""Fill the holiday calendar from the chinese-calendar package (2004 up to its release year)."""

from django.db import migrations


def seed(apps, schema_editor):
    from county.workdays.seed import seed as seed_days

    seed_days(apps.get_model("county", "CalendarDay"))


class Migration(migrations.Migration):
    dependencies = [
        ("county", "0010_holiday_calendar"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
