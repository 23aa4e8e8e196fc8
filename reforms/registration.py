"""How the reform ledger plugs into county/: dated work, cockpit figures, ledger, demo."""

import datetime

from django.db.models import Q
from django.urls import reverse

from county.registry import DatedWork, Figure, Workstream, registry
from county.status import DUE_SOON_DAYS, today

from .choices import TaskStatus

DUE_SOON = datetime.timedelta(days=DUE_SOON_DAYS)


def figures(user):
    from .models import Experience, ReformItem, SubTask

    on = today()
    tasks = SubTask.objects.visible_to(user)
    dated_open = tasks.exclude(status=TaskStatus.DONE).filter(long_term=False)
    total = tasks.count()
    done = tasks.filter(status=TaskStatus.DONE).count()
    task_list = reverse("reforms:tasks")
    return [
        Figure("改革任务", ReformItem.objects.visible_to(user).count(), reverse("reforms:list")),
        Figure(
            "逾期细分任务",
            dated_open.filter(deadline__lt=on).count(),
            f"{task_list}?light=overdue",
            "danger",
        ),
        Figure(
            "临期细分任务",
            dated_open.filter(deadline__gte=on, deadline__lte=on + DUE_SOON).count(),
            f"{task_list}?light=due_soon",
            "warning",
        ),
        Figure(
            "细分任务完成率",
            f"{round(done * 100 / total) if total else 0}%",
            f"{task_list}?light=done",
            "success",
        ),
        Figure(
            "典型经验刊载",
            Experience.objects.visible_to(user).count(),
            reverse("reforms:experiences"),
            "info",
        ),
    ]


def load_demo(stdout):
    """Import the demo ledger once (it is the sample ledger of 2023)."""
    from pathlib import Path

    from .models import ReformItem

    if ReformItem.objects.exists():
        return
    from .demo_data import load

    load(Path(__file__).parent / "demo" / "reform_ledger_2023.xlsx", stdout)


def register():
    from .ledger import ReformLedger
    from .models import SubTask

    registry.register(
        Workstream(
            key="reforms",
            label="全面深化改革",
            url_name="reforms:overview",
            icon="bi-journal-check",
            order=10,
            dated_work=[
                DatedWork(
                    key="reforms.subtask",
                    label="改革细分任务",
                    model=SubTask,
                    deadline_field="deadline",
                    title_field="name",
                    open_filter=~Q(status=TaskStatus.DONE) & Q(long_term=False),
                    url_name="reforms:subtask",
                    leader_path="item__lead_leader",
                )
            ],
            figures=figures,
            ledger=ReformLedger(),
            load_demo=load_demo,
            urls="reforms.urls",
            api_urls="reforms.api.urls",
        )
    )
