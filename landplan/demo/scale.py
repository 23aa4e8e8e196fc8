"""Plan areas (片区规划) and their stage timelines for a county N times the demo.

Per factor 16 areas as in the demo: township-level ones in two batches with the speech's
dates (报市级审查 by 31 October, 乡镇级 done by 31 December), village-level ones by next
June; stages spread from 基础资料收集 to 批复/完成, each step on the timeline.
"""

import datetime

from ..choices import Batch, Level, Stage


def build(county):
    from ..models import PlanArea, StageChange, next_deadline_for

    rng = county.rng("landplan")
    on = county.today
    lead = next((u for u in county.departments if u.name == "县自然资源局"), county.departments[0])
    areas, links, stages = [], [], []
    for number in range(1, county.count(16) + 1):
        village_level = rng.random() < 0.35
        townships = rng.sample(county.townships, 1 if village_level else rng.randint(1, 3))
        villages = [v.pk for t in townships for v in rng.sample(county.villages_of[t.pk], 2)]
        stage = rng.randint(1, 7)
        city = None if village_level else datetime.date(on.year, 10, 31)
        done_by = (
            datetime.date(on.year + 1, 6, 30) if village_level else datetime.date(on.year, 12, 31)
        )
        name = f"{townships[0].name[:2]}片区{number}"
        areas.append(
            {
                "name": name,
                "title": f"{name}（{'、'.join(t.name for t in townships)}）",
                "level": Level.VILLAGE if village_level else Level.TOWNSHIP,
                "batch": Batch.ON_DEMAND
                if village_level
                else rng.choice([Batch.FIRST, Batch.SECOND]),
                "lead_unit": lead.pk,
                "compiler": "县规划设计院",
                "stage": stage,
                "city_review_deadline": city,
                "completion_deadline": done_by,
                "next_deadline": next_deadline_for(stage, city, done_by),
            }
        )
        links.append({"townships": [t.pk for t in townships], "villages": villages})
        stages.append(stage)
    pks = county.bulk(PlanArea, areas, ["townships", "villages"], links)
    changes = []
    for pk, stage in zip(pks, stages, strict=True):
        for step in range(1, stage):
            changes.append(
                {
                    "area": pk,
                    "from_stage": step,
                    "to_stage": step + 1,
                    "date": on - datetime.timedelta(days=30 * (stage - step)),
                    "note": "",
                }
            )
    county.bulk(StageChange, changes)
    county.say(f"片区规划：{len(areas)} 个片区，{len(changes)} 条阶段记录。")


__all__ = ["Stage", "build"]


def pages():
    """The overview and the plan list, whole and by township (leader01 reads all)."""
    from django.urls import reverse

    from county.models import Unit

    township = Unit.objects.townships().order_by("order", "pk").first()
    areas = reverse("landplan:area_list")
    return [
        ("规划总览", reverse("landplan:overview"), "leader01"),
        ("片区规划", areas, "leader01"),
        ("片区规划·按乡镇", f"{areas}?township={township.pk}", "leader01"),
    ]
