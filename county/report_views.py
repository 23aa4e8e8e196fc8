"""Pages of the unit rankings (考核排名, its Excel and its formula) and of the 周报 (page, Word).

Who sees what:
- 考核排名: leaders, supervisors and the admin see every unit; a unit's staff see their own
  unit's line (its score and rank among its kind), never the other units' figures. The Excel
  export is for those who see every unit.
- 计分公式: set by a supervisor of the assessment office (the unit whose 督查板块 in the 县情
  data names 考核, ``county.scoping``'s ``set_formula``) or the admin; anyone else gets 403.
  Every change is a new row (who, when, note).
- 周报: leaders, supervisors and the admin (county-wide figures); staff get 403.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import audit, briefing, figures_cache, ranking
from .forms import BootstrapFormMixin
from .models import AuditEvent, ScoreFormula
from .registry import registry
from .scoping import may

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _attachment(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name):
    from urllib.parse import quote

    return quote(name)


@login_required
@require_GET
@figures_cache.caches_rows
def ranking_page(request):
    """考核排名 of a period (?period=2026, 2026-Q4 or 2026-11; this year by default)."""
    user = request.user
    period = ranking.parse_period(request.GET.get("period"))
    result = ranking.ranking(period)
    sees_all = ranking.may_read_all(user)
    if not sees_all:
        result = result.only(user.unit_id)
    context = {
        "result": result,
        "period": period,
        "periods": ranking.period_choices(),
        "formula": result.formula,
        "formula_text": ranking.formula_text(result.formula),
        "sees_all": sees_all,
        "may_set_formula": ranking.may_set_formula(user),
        "rows_key": figures_cache.rows_key(request, *(w.key for w in registry)),
    }
    return render(request, "county/ranking.html", context)


@login_required
@require_GET
def ranking_export(request):
    """The ranking as a formatted Excel workbook, through the ledger engine's writer."""
    if not ranking.may_read_all(request.user):
        raise PermissionDenied("单位工作人员只能查看本单位的考核情况。")
    period = ranking.parse_period(request.GET.get("period"))
    content = ranking.export_xlsx(ranking.ranking(period))
    audit.record(AuditEvent.Action.EXPORT, request=request, target="考核排名", detail=period.label)
    return _attachment(content, XLSX, f"{period.label}单位考核排名.xlsx")


class FormulaForm(BootstrapFormMixin, forms.ModelForm):
    """The weights of the score; saved as a new row."""

    class Meta:
        model = ScoreFormula
        fields = [*ranking.WEIGHT_FIELDS, "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ranking.WEIGHT_FIELDS:
            self.fields[name].min_value = 0
            self.fields[name].validators.append(_not_negative)
            self.fields[name].widget.attrs.update({"min": "0", "step": "0.01"})


def _not_negative(value):
    if value < 0:
        raise forms.ValidationError("权重和扣分不能为负数。")


@login_required
def formula_page(request):
    """The formula in force, a form to change it (a new row) and every earlier formula."""
    if not ranking.may_set_formula(request.user):
        raise PermissionDenied(
            "只有负责考核的督查单位（督查板块含“考核”）的督查人员可以调整考核计分公式。"
        )
    current = ranking.current_formula()
    if request.method == "POST":
        form = FormulaForm(request.POST)
        if form.is_valid():
            formula = form.save(commit=False)
            formula.pk = None
            formula.set_by = request.user
            formula.save()
            return redirect("county:ranking")
        status = 400
    else:
        initial = {name: getattr(current, name) for name in ranking.WEIGHT_FIELDS}
        form, status = FormulaForm(initial=initial), 200
    history = [
        (row, ranking.formula_text(row))
        for row in ScoreFormula.objects.select_related("set_by", "set_by__unit")[:50]
    ]
    context = {
        "form": form,
        "current_text": ranking.formula_text(current),
        "history": history,
    }
    return render(request, "county/ranking_formula.html", context, status=status)


def _week_for(request):
    if not may(request.user, "briefing"):
        raise PermissionDenied("周报面向县级领导和督查人员。")
    return briefing.briefing(briefing.monday_of(request.GET.get("week")))


@login_required
@require_GET
def briefing_page(request):
    """周报 of a week (?week=YYYY-MM-DD, its Monday; this week by default)."""
    week = _week_for(request)
    return render(
        request,
        "county/briefing.html",
        {"week": week, "kinds": briefing.KINDS, "printed_at": timezone.localtime()},
    )


@login_required
@require_GET
def briefing_docx(request):
    week = _week_for(request)
    return _attachment(briefing.build_docx(week), DOCX, f"{week.title}.docx")
