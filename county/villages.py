"""The villages of one township, for the village select that follows the township select.

``GET /county/villages/?township=<id>`` → ``{"villages": [{"id", "name"}], "empty": "…"}``.
Villages are the county's reference data (every logged-in user may choose any of them in a
form that offers the township); only townships, never departments, answer.
"""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from .models import Unit, Village


@login_required
@require_GET
def villages(request):
    """The township's villages by name; an empty list for anything that is not a township."""
    try:
        township_id = int(request.GET.get("township", ""))
    except ValueError:
        township_id = 0
    township = Unit.objects.townships().filter(pk=township_id).first() if township_id > 0 else None
    if township is None:
        return JsonResponse({"villages": [], "empty": "请先选择乡镇"})
    rows = Village.objects.filter(township=township).order_by("name").values("id", "name")
    return JsonResponse({"villages": list(rows), "empty": f"请选择{township.name}的村（社区）"})
