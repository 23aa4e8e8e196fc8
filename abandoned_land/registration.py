"""How 撂荒地整治 plugs into county/: dated work, cockpit figures, ledger, demo, URLs."""

from county.registry import DatedWork, Workstream, registry
from county.status import StatusRules

from .choices import ParcelStatus

# The state inputs, declared once: the 种植时限 runs while a parcel is 已整治 (待种植); a
# parcel in any other status, or without a planting deadline, has no light.
PARCEL_STATUS = StatusRules(
    deadline="planting_deadline", work=(ParcelStatus.REMEDIATED,), undated=None
)


def describe_parcel(parcel):
    """我的待办's line under the parcel code: where it is, how big, what is planned."""
    plan = f"种植：{parcel.crop}" if parcel.crop else "尚未落实种什么"
    area = format(parcel.area.normalize(), "f")
    return f"{parcel.township.name}{parcel.village.name} · {area} 亩 · {plan}"


def register():
    from . import measures
    from .cockpit import cockpit
    from .demo import load_demo
    from .demo import scale as demo_scale
    from .figures import cockpit_figures
    from .ledger import ParcelLedger
    from .maps import map_layers
    from .models import Parcel

    registry.register(
        Workstream(
            key="abandoned_land",
            label="撂荒地整治",
            url_name="abandoned_land:overview",
            icon="bi-flower1",
            order=30,
            dated_work=[
                DatedWork(
                    key="abandoned_land.parcel",
                    label="撂荒地待种植",
                    model=Parcel,
                    status=PARCEL_STATUS,
                    title_field="code",
                    url_name="abandoned_land:parcel_detail",
                    list_url_name="abandoned_land:parcel_list",
                    list_overdue="overdue=1",
                    leader_path="township__liaison_leaders",
                    select_related=("township", "village"),
                    describe=describe_parcel,
                )
            ],
            figures=cockpit_figures,
            cockpit=cockpit,
            maps=map_layers(),
            ledger=ParcelLedger(),
            load_demo=load_demo,
            seed_scale=demo_scale.build,
            scale_pages=demo_scale.pages,
            unit_measures=measures.unit_measures,
            unit_measure_links=measures.unit_measure_links,
            weekly=measures.weekly,
            urls="abandoned_land.urls",
            api_urls="abandoned_land.api.urls",
        )
    )
