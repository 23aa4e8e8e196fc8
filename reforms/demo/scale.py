"""Reform items, sub-tasks, progress, requests and experiences for a county N times the demo.

Per factor: 90 items with 1,500 sub-tasks (about a third done, a tenth long-term, the rest
due from half a year ago to ten months ahead, so some are overdue and some due soon), a
progress report on most sub-tasks, 80 published experiences, 35 follow-up problems, 40
micro-innovations, 10 instructions and 30 requests waiting for the reform office.
"""

import datetime
from collections import Counter

from county.scale import staff_of

from ..choices import (
    ExperienceLevel,
    FollowUpStatus,
    RequestStatus,
    Source,
    TaskStatus,
    Track,
)

FIELDS = "农村集体产权 营商环境 医疗卫生 教育评价 生态补偿 基层治理 数字政府 国资国企 财税金融 社会保障 乡村振兴 城市更新 文化旅游 司法体制".split()  # noqa: E501
VERBS = ["深化", "推进", "完善", "探索", "健全", "推动"]
MEASURES = ["制定实施方案", "开展试点", "出台配套制度", "完成调研评估", "建立工作台账",
            "组织培训推广", "开展督导检查", "形成经验总结"]  # fmt: skip
OUTLETS = ["《改革内参》", "《四川改革》", "市委改革办简报", "《人民日报》", "省委改革办专刊"]


def build(county):
    from ..models import (
        CompletionRequest,
        DeadlineChange,
        Experience,
        FollowUpProblem,
        Innovation,
        Instruction,
        ProgressReport,
        ReformItem,
        SubTask,
    )

    rng = county.rng("reforms")
    on = county.today
    units = county.departments + county.townships
    departments = county.departments
    n_items = county.count(90)
    items, co_units = [], []
    for number in range(1, n_items + 1):
        field = rng.choice(FIELDS)
        track = rng.choices(list(Track.values), weights=[70, 15, 15])[0]
        items.append(
            {
                "year": on.year,
                "number": number,
                "title": f"{rng.choice(VERBS)}{field}改革（第{number}项）",
                "group": rng.choice(county.groups).pk,
                "track": track,
                "source": rng.choice(list(Source.values)),
                "lead_leader": rng.choice(county.leaders).pk,
                "lead_unit": rng.choice(departments).pk,
                "in_assessment": rng.random() < 0.9,
            }
        )
        co_units.append({"co_units": [u.pk for u in rng.sample(units, rng.randint(1, 3))]})
    item_pks = county.bulk(ReformItem, items, ["co_units"], co_units)

    n_tasks = county.count(1500)
    tasks, task_units, facts, orders = [], [], [], Counter()
    for index in range(n_tasks):
        item = index * n_items // n_tasks
        orders[item] += 1
        status = rng.choices(list(TaskStatus.values), weights=[15, 35, 15, 35])[0]
        long_term = rng.random() < 0.1
        deadline = None if long_term else county.day(rng, -180, 300)
        done = status == TaskStatus.DONE
        percent = 100 if done else rng.choice([0, 10, 30, 50, 70, 90])
        completed = min(on, deadline or on) - datetime.timedelta(days=rng.randint(0, 60))
        tasks.append(
            {
                "item": item_pks[item],
                "order": orders[item],
                "name": f"{rng.choice(MEASURES)}（{index + 1}）",
                "deadline": deadline,
                "long_term": long_term,
                "status": status,
                "percent": percent if status != TaskStatus.NOT_STARTED else 0,
                "progress": "按计划推进。" if status != TaskStatus.NOT_STARTED else "",
                "completed_on": completed if done else None,
            }
        )
        owners = [u.pk for u in rng.sample(units, rng.randint(1, 2))]
        task_units.append({"units": owners})
        facts.append((status, owners))
    task_pks = county.bulk(SubTask, tasks, ["units"], task_units)

    reports, completions, changes = [], [], []
    for pk, (status, owners) in zip(task_pks, facts, strict=True):
        author = staff_of(county, owners[0])
        if status != TaskStatus.NOT_STARTED and rng.random() < 0.95:
            reports.append(
                {
                    "subtask": pk,
                    "text": "已完成阶段性工作，正按计划推进。",
                    "percent": rng.choice([10, 30, 50, 70, 90, 100]),
                    "author": author.pk,
                    "unit": owners[0],
                    "from_import": True,
                }
            )
        if status != TaskStatus.DONE and len(completions) < county.count(20):
            if rng.random() < 0.05:
                completions.append(
                    {
                        "subtask": pk,
                        "reason": "已按要求完成，申请销号。",
                        "requested_by": author.pk,
                        "status": RequestStatus.PENDING,
                    }
                )
            elif rng.random() < 0.03 and len(changes) < county.count(10):
                changes.append(
                    {
                        "subtask": pk,
                        "reason": "受上级政策调整影响，申请延期。",
                        "requested_by": author.pk,
                        "status": RequestStatus.PENDING,
                        "new_deadline": county.day(rng, 60, 200),
                    }
                )
    county.bulk(ProgressReport, reports)
    county.bulk(CompletionRequest, completions)
    county.bulk(DeadlineChange, changes)

    county.bulk(
        Experience,
        [
            {
                "title": f"{rng.choice(FIELDS)}改革的经验做法（{n + 1}）",
                "outlet": rng.choice(OUTLETS),
                "level": rng.choices(list(ExperienceLevel.values), weights=[70, 25, 5])[0],
                "published_on": county.day(rng, -400, 0),
                "unit": rng.choice(units).pk,
                "item": rng.choice(item_pks),
            }
            for n in range(county.count(80))
        ],
    )
    county.bulk(
        FollowUpProblem,
        [
            {
                "number": n + 1,
                "area": rng.choice(FIELDS),
                "problem": "改革举措落地不到位，群众获得感不强。",
                "measures": "制定整改清单，逐项销号。",
                "lead_unit": rng.choice(departments).pk,
                "deadline": county.day(rng, -90, 180),
                "status": rng.choices(list(FollowUpStatus.values), weights=[60, 15, 25])[0],
                "item": rng.choice(item_pks),
            }
            for n in range(county.count(35))
        ],
    )
    county.bulk(
        Innovation,
        [
            {
                "title": f"“{rng.choice(FIELDS)}”微创新（{n + 1}）",
                "unit": rng.choice(units).pk,
                "innovation_point": "流程再造，一次办成。",
                "reported": (reported := rng.random() < 0.5),
                "reported_on": county.day(rng, -200, 0) if reported else None,
                "item": rng.choice(item_pks),
            }
            for n in range(county.count(40))
        ],
    )
    admin = county.users["admin"]
    county.bulk(
        Instruction,
        [
            {
                "item": rng.choice(item_pks),
                "leader": rng.choice(county.leaders).pk,
                "text": "请牵头单位加快推进，按期完成。",
                "given_on": county.day(rng, -120, 0),
                "created_by": admin.pk,
            }
            for _ in range(county.count(10))
        ],
    )
    county.say(f"改革：{n_items} 项任务，{n_tasks} 项细分任务。")


def pages():
    """The overview and lists that must not slow down as the ledger grows (leader01 reads all)."""
    from django.urls import reverse

    from county.models import Unit

    unit = Unit.objects.departments().order_by("order", "pk").first()
    items, tasks = reverse("reforms:list"), reverse("reforms:tasks")
    return [
        ("改革总览", reverse("reforms:overview"), "leader01"),
        ("改革台账", items, "leader01"),
        ("改革台账·按单位", f"{items}?unit={unit.pk}", "leader01"),
        ("细分任务", tasks, "leader01"),
        ("细分任务·逾期", f"{tasks}?light=overdue", "leader01"),
    ]
