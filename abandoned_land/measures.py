"""撂荒地整治's measures for the unit rankings (考核) and the 周报.

Registered as ``Workstream.unit_measures`` and ``Workstream.weekly`` (county/ranking.py,
county/briefing.py). A parcel keeps no planting date, so only what is late counts: 已整治
parcels whose 种植时限 has passed without planting, for their township.
"""

from django.db.models import Count, Sum
from django.urls import reverse

from county.briefing import WeekFigure, count_by, new_overdue_window
from county.ranking import by_unit, days_late, last_due_day

from .rules import AWAITING_PLANTING


def unit_measures(date_from, date_to, on):
    from .models import Parcel

    late = Parcel.objects.filter(AWAITING_PLANTING).filter(
        planting_deadline__gte=date_from,
        planting_deadline__lte=last_due_day(date_to, on),
    )
    return by_unit(
        late,
        "township",
        overdue=Count("pk"),
        overdue_days=Sum(days_late(on, "planting_deadline")),
    )


def unit_measure_links(date_from, date_to, on, unit_id):
    """逾期 as the parcel list selects it: 逾期未种植, 种植时限 in the period."""
    last = last_due_day(date_to, on)
    parcels = reverse("abandoned_land:parcel_list")
    return {
        "overdue": f"{parcels}?township={unit_id}&overdue=1"
        f"&deadline_after={date_from}&deadline_before={last}"
    }


def weekly(date_from, date_to):
    from .models import Parcel

    first, last = new_overdue_window(date_from, date_to)
    late = Parcel.objects.filter(AWAITING_PLANTING).filter(
        planting_deadline__gte=first, planting_deadline__lte=last
    )
    parcels = reverse("abandoned_land:parcel_list")
    return [
        WeekFigure(
            "new_overdue",
            "地块逾期未种植",
            late.count(),
            count_by(late, "township"),
            url=f"{parcels}?overdue=1&deadline_after={first}&deadline_before={last}",
        ),
    ]
