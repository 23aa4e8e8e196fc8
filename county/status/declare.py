"""What a workstream declares once about its dated records, and the rules bound to it.

A workstream names its inputs in its ``registration.py`` (on its ``DatedWork``):

- ``StatusRules``: which field is the deadline, which field holds the status, which statuses
  are closed (done), which wait for acceptance (the unit's part is done), and optionally
  which statuses are the unit's work (the deadline runs only then; otherwise: every status
  neither closed nor waiting) and a long-term flag;
- ``RollUp``: how a whole lights up from its parts (a reform item from its sub-tasks).

Every page, filter, count, chart, map, reminder and document asks these objects, in Python
(``light_of``, ``is_overdue``) or in SQL (``light_q``, ``overdue_q``, ``annotation``), so a
record has the same state everywhere. The rules themselves are in ``rules.py``.
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q

from . import expressions as x
from .rules import EMPTY_ROLLUP, LIGHTS_WORST_FIRST, Light, light_for, roll_up, today


@dataclass(frozen=True)
class StatusRules:
    """The inputs of the state rules for one kind of dated record (see the module)."""

    deadline: str = "deadline"
    status: str = "status"  # "" when the record has no status field (all of it is work)
    closed: tuple = ()
    waiting: tuple = ()
    work: tuple | None = None
    long_term: str = ""
    undated: Light | None = Light.LONG_TERM  # the light of open work without a deadline

    # --- Python ----------------------------------------------------------------
    def light(self, status, deadline, on=None, long_term=False):
        """The light of a record in ``status`` with ``deadline``; None when its deadline does
        not run in that status (e.g. a parcel not yet remediated has no planting light)."""
        if status in self.closed:
            return Light.DONE
        waiting = status in self.waiting
        if not waiting and self.work is not None and status not in self.work:
            return None
        if long_term or deadline is None:
            return self.undated
        return light_for(deadline, on=on, waiting=waiting)

    def light_of(self, record, on=None, deadline=None):
        """The light of ``record`` (``deadline`` overrides the stored one, e.g. recomputed)."""
        return self.light(
            getattr(record, self.status) if self.status else None,
            getattr(record, self.deadline) if deadline is None else deadline,
            on,
            bool(self.long_term and getattr(record, self.long_term)),
        )

    def is_closed(self, record):
        return bool(self.status) and getattr(record, self.status) in self.closed

    def is_overdue(self, record, on=None):
        return self.light_of(record, on) == Light.OVERDUE

    # --- SQL (``prefix`` for a lookup through a relation, e.g. "subtasks__") -----
    def _in(self, statuses, prefix):
        return Q(**{f"{prefix}{self.status}__in": list(statuses)})

    def closed_q(self, prefix=""):
        return self._in(self.closed, prefix) if self.closed else Q(pk__in=[])

    def open_q(self, prefix=""):
        """Not closed (waiting included)."""
        return ~self._in(self.closed, prefix) if self.closed else Q()

    def waiting_q(self, prefix=""):
        return self._in(self.waiting, prefix) if self.waiting else Q(pk__in=[])

    def work_q(self, prefix=""):
        """Still the unit's work: the statuses in which the deadline runs."""
        if not self.status:
            return Q()
        if self.work is not None:
            return self._in(self.work, prefix)
        q = self.open_q(prefix)
        return q & ~self._in(self.waiting, prefix) if self.waiting else q

    def dated_q(self, prefix=""):
        q = Q(**{f"{prefix}{self.deadline}__isnull": False})
        return q & Q(**{f"{prefix}{self.long_term}": False}) if self.long_term else q

    def overdue_q(self, on=None, prefix=""):
        on = on or today()
        return self.work_q(prefix) & self.dated_q(prefix) & x.overdue_q(prefix + self.deadline, on)

    def due_soon_q(self, on=None, prefix=""):
        on = on or today()
        return self.work_q(prefix) & self.dated_q(prefix) & x.due_soon_q(prefix + self.deadline, on)

    def due_by_q(self, on=None, prefix=""):
        """Overdue or due soon: what the reminders look at."""
        return self.overdue_q(on, prefix) | self.due_soon_q(on, prefix)

    def light_q(self, light, on=None, prefix=""):
        """The records whose ``light_of`` is ``light`` on ``on``."""
        on, p = on or today(), prefix
        work, dated, deadline = self.work_q(p), self.dated_q(p), p + self.deadline
        light = Light(light)
        if light == Light.DONE:
            return self.closed_q(p)
        if light == Light.OVERDUE:
            return self.overdue_q(on, p)
        if light == Light.DUE_SOON:
            return self.due_soon_q(on, p)
        if light == Light.NORMAL:
            return (work & dated & x.later_q(deadline, on)) | (self.waiting_q(p) & dated)
        if self.undated != Light.LONG_TERM:
            return Q(pk__in=[])
        return (work | self.waiting_q(p)) & ~dated  # LONG_TERM

    def annotation(self, on=None, prefix=""):
        """The light as an annotation ("" where none)."""
        on = on or today()
        return x.light_case(
            {light: self.light_q(light, on, prefix) for light in LIGHTS_WORST_FIRST}
        )


@dataclass(frozen=True)
class RollUp:
    """How a whole lights up from its parts: ``parts`` is the whole's related name for them
    (``"subtasks"``), ``rules`` the parts' own rules, ``empty`` the light without parts."""

    parts: str
    rules: StatusRules
    empty: Light = EMPTY_ROLLUP

    def light(self, parts, on=None):
        """The whole's light from its parts (records, e.g. prefetched)."""
        return roll_up([self.rules.light_of(part, on) for part in parts], self.empty)

    def _has(self, model, condition):
        relation = model._meta.get_field(self.parts)
        return x.part_exists(relation.related_model, relation.field.name, condition)

    def _conditions(self, model, on):
        """Each light's SQL over wholes, worst first: it has such a part and no worse one."""
        conditions, worse = {}, None  # worse: "no part of a worse light"
        for light in LIGHTS_WORST_FIRST:
            has = self._has(model, self.rules.light_q(light, on))
            conditions[light] = has if worse is None else Q(has) & worse
            worse = Q(~has) if worse is None else worse & ~has
        lit = reduce(or_, (self.rules.light_q(light, on) for light in LIGHTS_WORST_FIRST))
        conditions[self.empty] = conditions[self.empty] | ~self._has(model, lit)
        return conditions

    def light_q(self, model, light, on=None):
        """The wholes of ``model`` whose rolled-up light is ``light``."""
        return self._conditions(model, on or today())[Light(light)]

    def annotation(self, model, on=None):
        """The rolled-up light as an annotation of ``model``'s rows."""
        on = on or today()
        whens = {
            light: self._has(model, self.rules.light_q(light, on)) for light in LIGHTS_WORST_FIRST
        }
        return x.light_case(whens, default=self.empty)
