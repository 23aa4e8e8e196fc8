"""Saving a record only when the imported values differ, and saying what changed."""

from django.db import models


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
    return str(value)


def save_changes(instance, values, user=None, reason="Excel导入"):
    """Apply ``values`` to ``instance`` (new or existing); save only what differs.

    Returns the list of ``(field label, old, new)`` that changed (every given field for
    a new instance). Many-to-many values are lists of objects. The history record gets
    ``user`` and ``reason``.
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
