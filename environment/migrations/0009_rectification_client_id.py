# Written for the field app: the id a phone gives a 整改 submission (a retry finds it again).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("environment", "0008_problem_location"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalrectification",
            name="client_id",
            field=models.UUIDField(
                blank=True, db_index=True, editable=False, null=True, verbose_name="客户端编号"
            ),
        ),
        migrations.AddField(
            model_name="rectification",
            name="client_id",
            field=models.UUIDField(
                blank=True, editable=False, null=True, unique=True, verbose_name="客户端编号"
            ),
        ),
    ]
