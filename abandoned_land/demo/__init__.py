"""Demo parcels: the sample ledger (2,791 parcels, 19,910.4 亩) imported through the ledger.

Idempotent: a second run finds the parcels and changes nothing. The sample has no
planting deadlines; the demo gives the 已整治 parcels the next season's deadline, a few
already past or close, so 我的待办 and the reminders have something to show.
"""

import datetime
from pathlib import Path

from county import history

SAMPLE = Path(__file__).resolve().parent / "abandoned_land_ledger.xlsx"


def load_demo(stdout):
    """Import the sample once; the demo's own changes are kept as 系统（演示数据）."""
    with history.recorded_as(history.DEMO):
        _load_demo(stdout)
        _place_parcels()


def _place_parcels():
    """Points for the parcels that have none, near their village (county.demo_places)."""
    from county.demo_places import demo_point

    from ..models import Parcel

    parcels = list(
        Parcel.objects.filter(longitude__isnull=True).select_related("township", "village")
    )
    for parcel in parcels:
        parcel.longitude, parcel.latitude = demo_point(parcel.code, parcel.township, parcel.village)
    parcels = [p for p in parcels if p.longitude is not None]
    history.bulk_update_with_history(
        Parcel, parcels, ["longitude", "latitude"], history.marked(history.DEMO, "示意位置")
    )


def _load_demo(stdout):
    from county.registry import registry
    from county.status import today

    from ..choices import ParcelStatus
    from ..models import Parcel

    if Parcel.objects.exists():
        return
    report = registry.get("abandoned_land").ledger.run_import(SAMPLE, None, name=SAMPLE.name)
    if not report.ok:
        for error in report.sorted_errors():
            stdout.write(f"  {error}")
        raise RuntimeError("撂荒地整治示例台账导入失败。")
    from ..rules import next_planting_deadline

    on = today()
    parcels = list(Parcel.objects.filter(status=ParcelStatus.REMEDIATED).order_by("code"))
    for index, parcel in enumerate(parcels):
        if index % 10 == 0:  # a tenth already late, a tenth due within a week
            parcel.planting_deadline = on - datetime.timedelta(days=3 + index % 20)
        elif index % 10 == 1:
            parcel.planting_deadline = on + datetime.timedelta(days=1 + index % 6)
        else:
            parcel.planting_deadline = next_planting_deadline(on)
    history.bulk_update_with_history(
        Parcel, parcels, ["planting_deadline"], history.marked(history.DEMO, "定下种植时限")
    )
    stdout.write(f"撂荒地整治：示例台账地块 {report.counts['created']} 块（新建）。")
