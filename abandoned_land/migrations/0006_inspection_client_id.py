# Written for the field app: the id a phone gives a 巡查 record (a retry finds it again).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("abandoned_land", "0005_parcel_in_force_list_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalinspection",
            name="client_id",
            field=models.UUIDField(
                blank=True, db_index=True, editable=False, null=True, verbose_name="客户端编号"
            ),
        ),
        migrations.AddField(
            model_name="inspection",
            name="client_id",
            field=models.UUIDField(
                blank=True, editable=False, null=True, unique=True, verbose_name="客户端编号"
            ),
        ),
    ]
