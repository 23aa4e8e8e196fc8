"""Saving a record only when the imported values differ, and saying what changed."""

import datetime

from django.db import models

from ..history import IMPORT
from ..templatetags.dates import cn_datetime


def _comparable(field, value):
    if isinstance(field, models.ManyToManyField):
        return sorted(getattr(v, "pk", v) for v in value or [])
    if isinstance(field, models.ForeignKey):
        return getattr(value, "pk", value)
    return value


def _display(field, value):
    if isinstance(field, models.ManyToManyField):
        return "、".join(str(v) for v in value or [])
    if field.choices and value is not None:
        return dict(field.flatchoices).get(value, value)
    if value is None or value == "":
        return "（空）"
    if isinstance(value, datetime.date):
        return cn_datetime(value)
    return str(value)


def save_changes(instance, values, user=None, reason=IMPORT):
    """Apply ``values`` to ``instance`` (new or existing); save only what differs.

    Returns the list of ``(field label, old, new)`` that changed (every given field for
    a new instance). Many-to-many values are lists of objects. The history record gets
    ``user`` and ``reason``; the default reason marks the change as a ledger import,
    which the history shows as the importing person, or 系统（台账导入） without one.
    """
    meta = instance._meta
    creating = instance.pk is None
    changed, plain, many = [], [], {}
    for name, value in values.items():
        field = meta.get_field(name)
        if isinstance(field, models.ManyToManyField):
            old = list(getattr(instance, name).all()) if not creating else []
            if creating or _comparable(field, old) != _comparable(field, value):
                many[name] = value
                changed.append((field.verbose_name, _display(field, old), _display(field, value)))
            continue
        old = None if creating else getattr(instance, name)
        if creating or _comparable(field, old) != _comparable(field, value):
            setattr(instance, name, value)
            plain.append(name)
            changed.append((field.verbose_name, _display(field, old), _display(field, value)))
    if changed:
        instance._history_user = user
        instance._change_reason = reason
        if creating:
            instance.save()
        elif plain:
            instance.save(update_fields=plain)
        for name, value in many.items():
            getattr(instance, name).set(value)
    return changed


def bulk_create_with_history(model, objs, many=None, user=None, reason=IMPORT):
    """Create many new records in a few queries, each with its "created" history record.

    ``many`` maps a many-to-many field name to a list (aligned with ``objs``) of the
    related objects (or their keys) of each record; the through rows and, when the model's history
    tracks that field, the history's copy of them are written in bulk as well. One
    query per table instead of several per record: a 5,000-item ledger imports in
    seconds, not minutes.
    """
    if not objs:
        return []
    model._default_manager.bulk_create(objs, batch_size=1000)
    many = many or {}
    through_rows = {}
    for name, related in many.items():
        field = model._meta.get_field(name)
        through = field.remote_field.through
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        rows = [
            through(**{f"{source}_id": obj.pk, f"{target}_id": getattr(other, "pk", other)})
            for obj, others in zip(objs, related, strict=True)
            for other in others
        ]
        through._default_manager.bulk_create(rows, batch_size=2000)
        through_rows[name] = (source, target, rows)
    history = model.history.bulk_history_create(
        objs, default_user=user, default_change_reason=reason, batch_size=1000
    )
    history_by_pk = {record.id: record.pk for record in history}
    historical = model.history.model
    for name, (source, target, rows) in through_rows.items():
        accessor = f"historical{model._meta.model_name}_{name}"
        try:
            copy = historical._meta.get_field(accessor).related_model
        except Exception:  # this field's history is not tracked
            continue
        copy._default_manager.bulk_create(
            [
                copy(
                    id=row.pk,
                    history_id=history_by_pk[getattr(row, f"{source}_id")],
                    **{f"{source}_id": getattr(row, f"{source}_id")},
                    **{f"{target}_id": getattr(row, f"{target}_id")},
                )
                for row in rows
            ],
            batch_size=2000,
        )
    return objs
