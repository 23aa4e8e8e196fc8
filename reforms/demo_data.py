"""Demo records of the reform ledger: the 2023 sample ledger plus follow-ups, innovations,
experiences and a few instructions, so that every page has something real to show."""

import datetime
import random

from county import demo_clock, history
from county.models import Leader, Unit
from county.status import today

from .choices import ExperienceLevel, FollowUpStatus, Track
from .ledger import ReformLedger
from .models import Experience, FollowUpProblem, Innovation, Instruction, ReformItem, SubTask

FOLLOW_UP_AREAS = {
    "被撤并乡镇管理": [
        "原乡镇驻地公共服务弱化",
        "闲置办公用房处置不到位",
        "原场镇环境卫生管理缺位",
    ],
    "便民服务": [
        "村级便民服务站代办事项不全",
        "群众办事跑腿多",
        "村（社区）服务时间与群众作息不匹配",
    ],
    "基础设施": ["村组道路养护不到位", "饮水保障不稳定", "农村客运班线覆盖不足"],
    "公共服务": ["村小和教学点布局不优", "村卫生室人员不足", "养老服务设施利用率低"],
    "产业发展": ["村集体经济组织运营不规范", "合并村产业融合不够", "农产品销售渠道单一"],
}
INNOVATION_NAMES = ["一窗通办", "积分治理", "院坝说事", "村民议事会", "网格+", "共享农机"]
OUTLETS = [
    ("市委改革办《改革简报》", ExperienceLevel.CITY),
    ("市委办《工作交流》", ExperienceLevel.CITY),
    ("省委改革办《改革情况交流》", ExperienceLevel.PROVINCE),
    ("省委办公厅《决策参考》", ExperienceLevel.PROVINCE),
    ("国家发展改革委《改革内参》", ExperienceLevel.NATIONAL),
]


# The day the 2023 sample ledger stands on: some tasks late, some due within the week.
SAMPLE_DAY = datetime.date(2023, 10, 25)


def move_to_demo_day():
    """Move the 2023 sample so that its own day is the demo's day (county.demo_clock).

    The move is kept in each record's history as the system's (系统（演示数据）), so a
    clerk's later edit does not appear to have moved the dates.
    """
    reason = "时限随演示日期平移"
    items = list(ReformItem.objects.all())
    for item in items:
        item.year = today().year
    history.bulk_update_with_history(
        ReformItem, items, ["year"], history.marked(history.DEMO, f"年度定为{today().year}年")
    )
    demo_clock.move_dates(SubTask.objects.all(), ["deadline", "completed_on"], SAMPLE_DAY, reason)


def _day(month, day):
    """A day of the sample's year, moved to the demo's day."""
    return demo_clock.moved(datetime.date(2023, month, day), SAMPLE_DAY)


def _follow_up_deadline(number, month):
    """Every sixth problem was due a month before the sample's day (some show as late)."""
    return _day(9 if number % 6 == 0 else month, 28)


def load(path, stdout):
    """Import the sample ledger, then add the demo's own records, all marked 演示数据."""
    with history.recorded_as(history.DEMO):
        _load(path, stdout)


def _load(path, stdout):
    report = ReformLedger().run_import(path.read_bytes(), None, name=path.name)
    if not report.ok:
        stdout.write("改革台账演示数据导入失败：" + "；".join(str(e) for e in report.errors))
        return
    move_to_demo_day()
    rng = random.Random(2023)
    items = list(ReformItem.objects.order_by("number"))
    departments = list(Unit.objects.departments())
    townships = list(Unit.objects.townships())
    # The speech's three tracks: the last items are follow-up and innovation work.
    for item in items[60:74]:
        item.track = Track.FOLLOW_UP
        item._change_reason = "划入后半篇文章"
        item.save(update_fields=["track"])
    for item in items[74:]:
        item.track = Track.INNOVATION
        item._change_reason = "划入自主创新"
        item.save(update_fields=["track"])
    number = 0
    for area, problems in FOLLOW_UP_AREAS.items():
        for problem in problems * 3:
            number += 1
            if number > 34:
                break
            FollowUpProblem.objects.create(
                number=number,
                area=area,
                problem=problem if number <= 15 else f"{rng.choice(townships).name}{problem}",
                measures="制定整改方案，明确责任人和时限，逐项销号。",
                lead_unit=rng.choice(townships + departments[:10]),
                deadline=_follow_up_deadline(number, rng.choice([10, 11, 12])),
                status=rng.choice(list(FollowUpStatus.values)),
                item=rng.choice(items[60:74]),
            )
    for n in range(1, 41):
        unit = rng.choice(townships + departments)
        reported = n <= 26
        Innovation.objects.create(
            title=f"{unit.short_name}“{rng.choice(INNOVATION_NAMES)}”微改革（{n}）",
            unit=unit,
            innovation_point="以小切口推动治理方式创新，群众参与度高。",
            experience="形成可复制推广的工作流程和制度文件。" if reported else "",
            reported=reported,
            reported_on=_day(9, 1) + datetime.timedelta(days=n) if reported else None,
            item=rng.choice(items[74:]),
        )
    for n in range(1, 84):
        outlet, level = rng.choice(OUTLETS)
        item = rng.choice(items)
        Experience.objects.create(
            title=f"示范县{item.title.removeprefix('深化').removeprefix('推进')}的探索与实践（{n}）",
            outlet=outlet,
            level=level,
            published_on=_day(1, 1) + datetime.timedelta(days=rng.randint(0, 270)),
            unit=item.lead_unit,
            item=item,
        )
    secretary = Leader.objects.order_by("order").first()
    from county.models import User

    clerk = User.objects.filter(username="sup_d03").first() or User.objects.first()
    if secretary and clerk:
        for item in items[:3]:
            Instruction.objects.create(
                item=item,
                leader=secretary,
                text="请牵头单位加快推进，确保按期完成，决不能出现任何失分。",
                given_on=_day(9, 20),
                created_by=clerk,
            )
    stdout.write(
        f"改革台账：改革任务 {ReformItem.objects.count()} 项、"
        f"细分任务 {SubTask.objects.count()} 项（新建），"
        f"后半篇文章问题 {FollowUpProblem.objects.count()} 个、"
        f"微改革 {Innovation.objects.count()} 项、典型经验 {Experience.objects.count()} 篇、"
        f"批示 {Instruction.objects.count()} 条。"
    )
