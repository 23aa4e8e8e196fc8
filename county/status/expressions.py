"""The state rules of ``rules.py`` as query expressions: ``Q`` objects and annotations over
declared field paths. Each function mirrors its Python twin, so a count in SQL equals the
rows the Python rule would light the same way (tests/county/test_status_rules.py)."""

from django.db.models import Case, CharField, Exists, OuterRef, Q, Value, When

from .rules import Light, due_soon_until


def overdue_q(deadline, on):
    """The deadline (a field path) is before ``on``."""
    return Q(**{f"{deadline}__lt": on})


def due_soon_q(deadline, on):
    """The deadline falls from ``on`` to ``DUE_SOON_WORKING_DAYS`` working days later."""
    return Q(**{f"{deadline}__gte": on, f"{deadline}__lte": due_soon_until(on)})


def later_q(deadline, on):
    """The deadline is after the 临期 window (正常)."""
    return Q(**{f"{deadline}__gt": due_soon_until(on)})


def light_case(conditions, default=None):
    """An annotation: the value of the first light whose condition holds, in the given order
    (``conditions`` maps a Light to a Q or an Exists); ``default`` (a Light or None)."""
    whens = [When(condition, then=Value(light.value)) for light, condition in conditions.items()]
    fallback = Value(default.value if default else "")
    return Case(*whens, default=fallback, output_field=CharField())


def part_exists(part_model, part_of, condition=None):
    """``Exists`` of a part (``part_of`` is its foreign key to the whole) matching ``condition``."""
    parts = part_model._default_manager.filter(**{part_of: OuterRef("pk")})
    return Exists(parts.filter(condition) if condition is not None else parts)


__all__ = ["Light", "due_soon_q", "later_q", "light_case", "overdue_q", "part_exists"]
