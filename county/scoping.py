"""Row and action access: the one place that answers "who may do what to which records".

**One hook.** ``restrict(queryset_or_model, user, action)`` returns the rows of the queryset (or
of the model's default manager) on which ``user`` may perform ``action``, one of
:data:`ACTIONS` (view, change, create, delete, decide, import, export).  ``may(user, action,
model_or_obj)`` answers the same question as a yes/no for one record, or for the model as a
whole when there is no row yet (``create``, ``import``).  ``Model.objects.visible_to(user)`` and
``.editable_by(user)`` are ``restrict(…, "view")`` and ``restrict(…, "change")``.

**Declarations.** Every business model that belongs to units inherits :class:`UnitOwnedModel`,
names the paths from itself to the owning ``Unit`` (``unit_paths``) and its workstream, and may
override :data:`DEFAULT_PERMISSIONS` per action with a ``permissions`` mapping of grants
(``{"create": ("supervisor",)}``).  A model that is not unit-owned can declare ``workstream`` and
``permissions`` too (it then has no ``unit`` rows).  The grants:

- ``admin``: the county administrator, every row;
- ``readers``: leaders, supervisors and admins (they read every unit's records), every row;
- ``supervisor``: supervisors of the model's workstream (and admins), every row;
- ``unit``: anybody of the owning unit, that unit's rows;
- ``unit_staff``: staff (单位工作人员) of the owning unit, that unit's rows;
- ``unit:<path>`` / ``unit_staff:<path>``: the same, through one path only (e.g.
  ``"unit_staff:lead_unit"``: the lead unit's staff, not the townships an area also names);
- ``signed_in``: every active signed-in user, every row (a county-wide publication);
- ``leader``: a county leader's account (县级领导, tied to its leader), every row (批示);
- ``assessor``: supervisors of the assessment office — the unit whose 督查板块 names 考核
  (a ``Supervision`` row of :data:`ASSESSMENT`, set in the 县情 workbook, never a unit's
  name in code) — and admins;
- ``site_staff``: accounts that may open Django's own admin site (``is_staff``).

**Site actions.** What is not about one model's rows — the navigation's 周报, 县情初始化,
操作日志, setting the 考核 formula — is declared in :data:`SITE_PERMISSIONS` and asked as
``may(user, action)``.  Templates ask through ``{% may "action" obj as flag %}``
(county/templatetags/access.py), so a page offers exactly what its POST allows.

Besides the common :data:`ACTIONS`, a model may declare its own (``"rectify"``,
``"report"``, ``"stage"`` …) in ``permissions``; asking for an action the model does not
declare is an error, so a typo never silently grants or refuses.

Roles by default:

- admin: sees and changes everything;
- leader: sees everything, changes no unit's records (writes instructions only);
- supervisor: sees everything, changes the records of the workstreams his unit supervises;
- staff: sees and changes only the records owned by his own unit.

**Deciding.** ``decide`` never yields the rows owned by the decider's own unit: a unit does not
accept its own work (issue 10).  A county that wants it otherwise for a workstream lists the
workstream's key in the setting ``SELF_DECIDING_WORKSTREAMS``.

**State only through its rule** (issue 20).  A status, an owner or a responsible unit that
decides who may act is never written by a plain edit (form or API ``PUT``/``PATCH``): a status
moves through the workflow's steps, the owning units through ``reassign`` — a declared step
(supervisors and admins by default) that, like ``decide``, never yields the rows of the user's
own unit, and that :func:`reassign_refusal` also refuses when the new units name his unit (a
unit neither hands its work away nor takes work it will then decide).  :data:`SEPARATED_ACTIONS`
lists the actions that keep this separation of duties.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q

from .choices import Role

ACTIONS = ("view", "change", "create", "delete", "decide", "reassign", "import", "export")

# Actions that are never the user's own unit's to take on its own rows (issues 10 and 20).
SEPARATED_ACTIONS = ("decide", "reassign")

DEFAULT_PERMISSIONS = {
    "view": ("readers", "unit"),
    "export": ("readers", "unit"),
    "change": ("admin", "supervisor", "unit_staff"),
    "create": ("admin", "supervisor", "unit_staff"),
    "delete": ("admin",),
    "decide": ("admin", "supervisor"),
    "reassign": ("admin", "supervisor"),
    "import": ("admin", "supervisor"),
}

# The key of the assessment office's Supervision row (督查板块 "考核" in the set-up workbook):
# its supervisors set the 考核 formula.
ASSESSMENT = "assessment"
ASSESSMENT_LABEL = "考核"

# Actions about the site rather than one model's rows: ``may(user, action)``.
SITE_PERMISSIONS = {
    "read_all": ("readers",),  # every unit's lines (考核排名, 周报, the cockpit)
    "briefing": ("readers",),  # 周报
    "setup": ("admin",),  # 县情初始化
    "audit": ("admin",),  # 操作日志
    "admin_site": ("site_staff",),  # Django's admin
    "set_formula": ("admin", "assessor"),  # 考核计分公式
    "follow_led_work": ("leader",),  # 我的分管, the led work's requests (read only)
    "instruct": ("leader",),  # 批示 (on a model: declare ``"instruct": ("leader",)``)
}

SELF_DECISION_REFUSED = "{unit}不能审核本单位自己的工作，须由其他督查单位审核。"
SELF_REASSIGN_REFUSED = "{unit}不能调整本单位自己工作的责任单位，须由其他督查单位调整。"
SELF_ASSIGN_REFUSED = "{unit}不能把工作调整给本单位，须由其他督查单位调整。"

_ALL = "all"


def _active(user):
    return bool(user and user.is_authenticated and user.is_active)


def _grant(name, model, user):
    """What one grant gives ``user`` on ``model``: ``_ALL`` rows, the paths through which
    his own unit's rows count (a tuple), or nothing (None)."""
    if name == "admin":
        return _ALL if user.is_county_admin else None
    if name == "readers":
        return _ALL if user.reads_all else None
    if name == "signed_in":
        return _ALL
    if name == "leader":
        return _ALL if user.role == Role.LEADER and user.leader_id is not None else None
    if name == "assessor":
        return _ALL if user.supervises(ASSESSMENT) else None
    if name == "site_staff":
        return _ALL if user.is_staff else None
    if model is None:
        raise ValueError(f"grant {name!r} needs a model")
    if name == "supervisor":
        return _ALL if user.supervises(getattr(model, "workstream", "")) else None
    base, _, path = name.partition(":")
    paths = (path,) if path else tuple(getattr(model, "unit_paths", None) or ())
    owned = bool(paths) and user.unit_id is not None
    if base == "unit":
        return paths if owned else None
    if base == "unit_staff":
        return paths if owned and user.role == Role.STAFF else None
    raise ValueError(f"unknown grant {name!r} on {model.__name__}")


def permissions_of(model):
    """The model's grants per action: the defaults overridden by its ``permissions``."""
    return {**DEFAULT_PERMISSIONS, **(getattr(model, "permissions", None) or {})}


def self_decision_allowed(workstream):
    return workstream in getattr(settings, "SELF_DECIDING_WORKSTREAMS", ())


def _scope(model, user, action):
    """``_ALL``, the own-unit paths (a tuple) or ``None`` for ``user`` doing ``action``
    (``model`` None: a site action of :data:`SITE_PERMISSIONS`)."""
    grants = (SITE_PERMISSIONS if model is None else permissions_of(model)).get(action)
    if grants is None:
        where = "the site" if model is None else model.__name__
        raise ValueError(f"unknown action {action!r} on {where}")
    if not _active(user):
        return None
    found = [_grant(name, model, user) for name in grants]
    if _ALL in found:
        return _ALL
    paths = tuple(dict.fromkeys(p for grant in found if grant for p in grant))
    return paths or None


def _queryset(queryset_or_model):
    if isinstance(queryset_or_model, models.QuerySet):
        return queryset_or_model
    return queryset_or_model._default_manager.all()


def _owned_by(queryset, unit_id, paths=None):
    """Rows of ``queryset`` one of whose owning units (through ``paths``) is ``unit_id`` (or,
    given a list, one of those units)."""
    model = queryset.model
    paths = paths or model.unit_paths
    many = isinstance(unit_id, (list, tuple, set, frozenset))
    condition = Q()
    for path in paths:
        match = Q(**{f"{path}__in": list(unit_id)}) if many else Q(**{path: unit_id})
        if "__" not in path and not _is_many(model, path):
            condition |= match  # a column of the row itself
        else:
            # A path through a join would repeat rows; a sub-select per path keeps one and
            # lets each use its own index (one sub-select OR-ing every path scanned and
            # joined the whole table: 40 ms at 50,000 problems).
            condition |= Q(pk__in=model._default_manager.filter(match).values("pk"))
    return queryset.filter(condition)


def restrict(queryset_or_model, user, action):
    """The rows on which ``user`` may perform ``action`` (see the module's docstring)."""
    queryset = _queryset(queryset_or_model)
    model = queryset.model
    scope = _scope(model, user, action)
    if scope is None:
        return queryset.none()
    if scope != _ALL:
        queryset = _owned_by(queryset, user.unit_id, scope)
    if (
        action in SEPARATED_ACTIONS
        and user.unit_id is not None
        and getattr(model, "unit_paths", None)
        and not self_decision_allowed(getattr(model, "workstream", ""))
    ):
        own = _owned_by(model._default_manager.all(), user.unit_id).values("pk")
        queryset = queryset.exclude(pk__in=own)
    return queryset


def may(user, action, model_or_obj=None):
    """Whether ``user`` may perform ``action`` on a record, on the model at all, or (no
    model) on the site (:data:`SITE_PERMISSIONS`)."""
    if isinstance(model_or_obj, models.Model):
        obj = model_or_obj
        if obj.pk is None:
            return _scope(type(obj), user, action) is not None
        return restrict(type(obj), user, action).filter(pk=obj.pk).exists()
    return _scope(model_or_obj, user, action) is not None


def require(user, action, model_or_obj=None, message="您没有权限进行此操作。"):
    """Raise ``PermissionDenied`` (403, with the Chinese ``message``) unless :func:`may`."""
    if not may(user, action, model_or_obj):
        raise PermissionDenied(message)


def _own_unit_refused(user, action, obj):
    """Whether ``user`` may take ``action`` on ``obj`` but for the row being his own unit's."""
    model = type(obj)
    return (
        _scope(model, user, action) is not None
        and user.unit_id is not None
        and _owned_by(model._default_manager.filter(pk=obj.pk), user.unit_id).exists()
    )


def decide_refusal(user, obj):
    """The Chinese reason ``user`` may not decide ``obj``'s request, or ``""`` if he may."""
    if may(user, "decide", obj):
        return ""
    if _own_unit_refused(user, "decide", obj):
        return SELF_DECISION_REFUSED.format(unit=user.unit.name)
    return "您没有审核此事项的权限：只有督查单位可以审核。"


def reassign_refusal(user, obj, new_unit_ids=None):
    """The Chinese reason ``user`` may not change who owns ``obj`` (to ``new_unit_ids``, when
    given), or ``""`` if he may: never his own unit's work, nor to his own unit."""
    if not may(user, "reassign", obj):
        if _own_unit_refused(user, "reassign", obj):
            return SELF_REASSIGN_REFUSED.format(unit=user.unit.name)
        return "您没有调整责任单位的权限：只有督查单位可以调整。"
    workstream = getattr(type(obj), "workstream", "")
    if (
        new_unit_ids is not None
        and user.unit_id is not None
        and user.unit_id in set(new_unit_ids)
        and not self_decision_allowed(workstream)
    ):
        return SELF_ASSIGN_REFUSED.format(unit=user.unit.name)
    return ""


def require_reassign(user, obj, new_unit_ids=None):
    """Raise ``PermissionDenied`` (403, the Chinese reason) unless :func:`reassign_refusal` is
    empty."""
    refusal = reassign_refusal(user, obj, new_unit_ids)
    if refusal:
        raise PermissionDenied(refusal)


class ScopedQuerySet(models.QuerySet):
    """QuerySet with the access rules of :mod:`county.scoping`."""

    def owned_by(self, unit_id):
        """Records one of whose owning units is ``unit_id`` (or one of a list of units)."""
        return _owned_by(self, unit_id)

    def restrict(self, user, action):
        return restrict(self, user, action)

    def visible_to(self, user):
        return restrict(self, user, "view")

    def editable_by(self, user):
        return restrict(self, user, "change")


def _is_many(model, field_name):
    field = model._meta.get_field(field_name)
    return field.many_to_many or field.one_to_many


class UnitOwnedModel(models.Model):
    """Mixin for a record owned by one or more units.

    Subclasses set ``workstream`` (the registry key whose supervisors may edit
    it), ``unit_paths`` (lookups from the record to the owning unit) and, where the
    defaults do not fit, ``permissions`` (grants per action, see the module).
    """

    workstream = ""
    unit_paths = ("unit",)
    permissions = {}

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def is_visible_to(self, user):
        return may(user, "view", self)

    def is_editable_by(self, user):
        return may(user, "change", self)
