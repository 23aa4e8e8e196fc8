"""Seed the problem categories named in the speech, and the 五清 / 四定 items."""

from django.db import migrations


def seed(apps, schema_editor):
    from environment.choices import SEED_CATEGORIES

    Category = apps.get_model("environment", "ProblemCategory")
    for order, (group, name) in enumerate(SEED_CATEGORIES, start=1):
        Category.objects.get_or_create(name=name, defaults={"group": group, "order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("environment", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
