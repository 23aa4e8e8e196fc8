"""Inspections, problems and rectifications for a county N times the demo (``seed_scale``).

Per factor 250 inspections of three to five townships each and 5,000 problems found by
them: about half closed, the rest assigned, being rectified or waiting for acceptance,
with deadlines past and future (so many are overdue); a fifth also owned by a department,
a few stubborn (顽固问题: the same place and category closed within 90 days).
"""

import datetime

from county.choices import Role
from county.scale import staff_of

from ..choices import InspectionKind, ProblemStatus, ReviewResult

S = ProblemStatus


def build(county):
    from county.models import User

    from ..models import Inspection, Problem, ProblemCategory, Rectification, ensure_seed_categories

    ensure_seed_categories()
    rng = county.rng("environment")
    on = county.today
    categories = list(ProblemCategory.objects.order_by("order", "pk").values_list("pk", flat=True))
    inspections, covered = [], []
    for _ in range(county.count(250)):
        townships = rng.sample(county.townships, rng.randint(3, 5))
        inspections.append(
            {
                "date": county.day(rng, -360, -1),
                "kind": rng.choice(list(InspectionKind.values)),
                "inspectors": "县督查组",
            }
        )
        covered.append({"townships": [t.pk for t in townships]})
    inspection_pks = county.bulk(Inspection, inspections, ["townships"], covered)
    supervisor = (
        User.objects.filter(role=Role.SUPERVISOR, unit__supervisions__workstream="environment")
        .order_by("pk")
        .first()
    ) or county.users["admin"]
    problems, owners, facts, closed = [], [], [], []
    for number in range(1, county.count(5000) + 1):
        index = rng.randrange(len(inspections))
        found = inspections[index]["date"]
        township = rng.choice(covered[index]["townships"])
        market = rng.random() < 0.15
        village = None if market else rng.choice(county.villages_of[township]).pk
        status = rng.choices([S.ASSIGNED, S.RECTIFYING, S.PENDING, S.CLOSED], [15, 20, 10, 55])[0]
        deadline = found + datetime.timedelta(days=rng.randint(7, 60))
        closed_on = None
        if status == S.CLOSED:  # closed 3–60 days after it was found, never after today
            closed_on = found + datetime.timedelta(days=rng.randint(3, 60))
            if closed_on > on:
                closed_on = max(found, on - datetime.timedelta(days=rng.randint(0, 30)))
        stubborn = None
        if closed and rng.random() < 0.03:
            stubborn = rng.choice(closed[-50:])
        row = {
            "number": number,
            "inspection": inspection_pks[index],
            "found_on": found,
            "township": township,
            "village": village,
            "at_market_town": market,
            "place": "主街道旁" if market else "村道沿线",
            "category": rng.choice(categories),
            "description": "生活垃圾乱堆乱放，未及时清运。",
            "deadline": deadline,
            "status": status,
            "progress_note": "已整改到位" if status == S.CLOSED else "",
            "is_serious": rng.random() < 0.05,
            "closed_on": closed_on,
            "stubborn_of": stubborn,
        }
        problems.append(row)
        departments = [rng.choice(county.departments).pk] if rng.random() < 0.2 else []
        owners.append({"departments": departments})
        facts.append((status, township, found, closed_on))
        if status == S.CLOSED:
            closed.append(number)
    # stubborn_of names a problem by number until the pks are known
    stubborn = [(i, row.pop("stubborn_of")) for i, row in enumerate(problems)]
    pks = county.bulk(Problem, problems, ["departments"], owners)
    pks_by_number = {row["number"]: pk for row, pk in zip(problems, pks, strict=True)}
    pairs = [(pks[i], pks_by_number[n]) for i, n in stubborn if n]
    if pairs:
        Problem.all_objects.bulk_update(
            [Problem(pk=pk, stubborn_of_id=other) for pk, other in pairs], ["stubborn_of"]
        )
    rectifications = []
    for pk, (status, township, found, closed_on) in zip(pks, facts, strict=True):
        if status not in (S.PENDING, S.CLOSED):
            continue
        done = status == S.CLOSED
        submitted = closed_on or min(on, found + datetime.timedelta(days=rng.randint(3, 30)))
        rectifications.append(
            {
                "problem": pk,
                "note": "已清理完毕。",
                "submitted_by": staff_of(county, township).pk,
                "submitted_at": _moment(submitted),
                "result": ReviewResult.ACCEPTED if done else ReviewResult.PENDING,
                "decided_by": supervisor.pk if done else None,
                "decided_at": _moment(closed_on) if done else None,
            }
        )
    county.bulk(Rectification, rectifications)
    county.say(f"城乡环境：{len(inspections)} 次检查，{len(problems)} 个问题。")


def _moment(day):
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 10))


def pages():
    """The problem list (the workstream's landing page), whole and filtered (leader01)."""
    from django.urls import reverse

    from county.models import Unit

    township = Unit.objects.townships().order_by("order", "pk").first()
    problems = reverse("environment:problem_list")
    return [
        ("环境问题", problems, "leader01"),
        ("环境问题·按乡镇", f"{problems}?township={township.pk}", "leader01"),
        ("环境问题·逾期", f"{problems}?overdue=1", "leader01"),
        ("顽固问题", reverse("environment:stubborn_list"), "leader01"),
        ("检查记录", reverse("environment:inspection_list"), "leader01"),
    ]
