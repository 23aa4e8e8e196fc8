"""What the environment workstream gives the county inbox: rectifications 待验收.

A unit's submitted rectification waits for a supervisor of the environment workstream
(县住建局), never the submitter: accept (验收通过，销号) or send back with a reason (退回整改,
the township is told). A problem sent back and not yet submitted again shows first in the
unit's 我的待办. Leaders who liaise with the problem's township read the requests.
"""

from django.db.models import Exists, OuterRef, Q

from county.registry import Decision
from county.status import StatusRules

from .choices import ProblemStatus

# The state inputs, declared once. 逾期 is the unit's clock: a problem is 逾期 when its
# deadline has passed while it is still the unit's work (已交办/整改中). Once the unit
# submits its rectification (待验收) the clock is the supervisor's, so a 待验收 problem is
# never 逾期 — not on the cockpit, 我的待办, the leader page, the reminders, the lists or the
# ranking; sent back (整改中 again) past its deadline, it is 逾期 again.
PROBLEM_STATUS = StatusRules(
    deadline="deadline",
    closed=(ProblemStatus.CLOSED,),
    waiting=(ProblemStatus.PENDING,),
)


def _problem_title(problem):
    return f"第{problem.number}号 {problem.title}"


def _place(problem):
    village = problem.village.name if problem.village_id else ""
    return f"{problem.township.name}{village}"


def decisions():
    from .choices import ProblemStatus, ReviewResult
    from .models import Problem, Rectification

    def describe(row):
        problem, asker = row.problem, row.submitted_by
        return {
            "title": _problem_title(problem),
            "parent_label": "乡镇（街道）",
            "parent": _place(problem),
            "unit": asker.unit.name if asker.unit_id else "",
            "asker": str(asker),
            "detail": f"问题：{problem.description}\n整改说明：{row.note or '（未填写）'}",
            "photos": [photo.url() for photo in row.photos.all()],
        }

    def locked_problem(row):
        return Problem.objects.select_for_update().get(pk=row.problem_id)

    def accept(row, user, note):
        problem = locked_problem(row)
        problem.accept(user, note)
        return f"验收通过，第{problem.number}号问题已销号。"

    def send_back(row, user, reason):
        problem = locked_problem(row)
        problem.reject(user, reason)
        return f"第{problem.number}号问题已退回整改，原因已告知{problem.township.name}。"

    def sent_back(row):
        return {
            "title": _problem_title(row.problem),
            "parent_label": "乡镇（街道）",
            "parent": _place(row.problem),
            "reason": row.decision_note,
            "by": str(row.decided_by) if row.decided_by_id else "",
            "at": row.decided_at,
        }

    newer = Rectification.objects.filter(problem=OuterRef("problem"), pk__gt=OuterRef("pk"))
    related = (
        "problem__township",
        "problem__village",
        "problem__category",
        "submitted_by__unit",
        "decided_by",
    )
    return [
        Decision(
            key="environment.rectification",
            label="整改待验收",
            model=Rectification,
            waiting=Q(
                result=ReviewResult.PENDING,
                problem__status=ProblemStatus.PENDING,
                problem__voided_at__isnull=True,
            ),
            asked_by="submitted_by",
            asked_at="submitted_at",
            describe=describe,
            url=lambda row: row.problem.get_absolute_url(),
            accept=accept,
            send_back=send_back,
            lock_parent=locked_problem,
            leader_path="problem__township__liaison_leaders",
            related=related,
            prefetch=("photos",),
            accept_label="验收通过，销号",
            send_back_label="退回整改",
            note_label="验收意见",
            sent_back=Q(
                result=ReviewResult.REJECTED,
                problem__status=ProblemStatus.RECTIFYING,
                problem__voided_at__isnull=True,
            )
            & ~Exists(newer),
            sent_back_at="decided_at",
            sent_back_related=related,
            describe_sent_back=sent_back,
        )
    ]
