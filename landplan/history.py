"""An area's change history as readable lines: who, when, what changed (old → new)."""

import datetime

from county.models import Unit, Village

HISTORY_LIMIT = 60
SKIP = {"updated_at", "next_deadline", "title"}


def _shown(field, value, names):
    if value in (None, ""):
        return "（空）"
    if field.choices:
        return str(dict(field.choices).get(value, value))
    if field.is_relation:
        return names.get(value, f"#{value}")
    if isinstance(value, datetime.date):
        return f"{value:%Y年%-m月%-d日}"
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def history_rows(area, limit=HISTORY_LIMIT):
    """Newest first; many-to-many changes (乡镇, 村) are shown by name."""
    records = list(area.history.select_related("history_user").order_by("-history_date", "-pk"))
    fields = {f.attname: f for f in type(area)._meta.concrete_fields if f.attname not in SKIP}
    names = dict(Unit.objects.values_list("pk", "name"))
    village_names = dict(
        Village.objects.filter(township__in=area.townships.all()).values_list("pk", "name")
    )
    rows = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        changes = []
        if older is not None:
            for attname, field in fields.items():
                if attname in ("id", "created_at"):
                    continue
                before, after = getattr(older, attname), getattr(newer, attname)
                if before != after:
                    changes.append(
                        (
                            field.verbose_name,
                            _shown(field, before, names),
                            _shown(field, after, names),
                        )
                    )
            try:
                delta = newer.diff_against(older, included_fields=["townships", "villages"])
            except Exception:  # an older history without the m2m copy
                delta = None
            for change in delta.changes if delta else []:
                lookup = names if change.field == "townships" else village_names
                key = "unit" if change.field == "townships" else "village"

                def show(rows, lookup=lookup, key=key):
                    return "、".join(lookup.get(r.get(key), "?") for r in rows or []) or "（空）"

                label = "涉及乡镇" if change.field == "townships" else "涉及村"
                changes.append((label, show(change.old), show(change.new)))
            if not changes:
                continue
        rows.append(
            {
                "when": newer.history_date,
                "who": newer.history_user or "系统（台账导入）",
                "kind": newer.get_history_type_display(),
                "reason": newer.history_change_reason or "",
                "changes": changes,
            }
        )
    return rows[:limit]
