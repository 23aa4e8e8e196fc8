"""作废 (void): a business record entered by mistake is voided with a reason, never deleted.

A model that inherits :class:`VoidableModel` and takes its default manager from
:func:`active_manager` hides its voided rows from every list, figure, export, reminder
and inbox, because all of those start from the default manager (``visible_to``, the
registry, the ledger). The row itself stays in the table and in its change history
(django-simple-history records who voided it, when and why); ``all_objects`` still
sees it, so a voided number or code is never handed out again.

Who may void: the supervisors of the record's workstream (and admins), on the record's
page (``county.void_views.VoidView``) or through the API, where ``DELETE`` voids instead of
deleting.
The Django admin is left as it is: an administrator can still really delete.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

VOID_REASON_MAX = 200
API_VOID_REASON = "通过接口删除（作废）"


class AlreadyVoided(ValidationError):
    """The record was voided meanwhile (a page answers 409, the API 409)."""


class ActiveManager(models.Manager):
    """The default manager of a voidable model: rows that are not voided."""

    def get_queryset(self):
        return super().get_queryset().filter(voided_at__isnull=True)


def active_manager(queryset_class):
    """A default manager over ``queryset_class`` that leaves voided rows out."""
    return ActiveManager.from_queryset(queryset_class)()


class VoidableModel(models.Model):
    """Mixin: who voided the record, when and why (empty while it is in force)."""

    voided_at = models.DateTimeField("作废时间", null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="作废人",
    )
    void_reason = models.CharField(
        "作废原因", max_length=VOID_REASON_MAX, blank=True, editable=False
    )

    class Meta:
        abstract = True

    @property
    def is_voided(self):
        return self.voided_at is not None

    def may_void(self, user):
        """Who may ``delete`` the record (``county.scoping``): voiding is its delete."""
        from .scoping import may  # scoping imports nothing of this module; keep it that way

        return may(user, "delete", self)

    def void(self, user, reason):
        """Void the record (call it on a row locked with ``select_for_update``).

        Raises :class:`AlreadyVoided` when it is already voided and ``ValidationError``
        when no reason is given.
        """
        reason = (reason or "").replace("\x00", "").strip()
        if not reason:
            raise ValidationError({"reason": "作废必须说明原因。"})
        if self.is_voided:
            raise AlreadyVoided("该记录已经作废。")
        self.voided_at = timezone.now()
        self.voided_by = user
        self.void_reason = reason[:VOID_REASON_MAX]
        self._history_user = user
        fields = ["voided_at", "voided_by", "void_reason"]
        if any(f.name == "updated_at" for f in self._meta.concrete_fields):
            fields.append("updated_at")
        self.save(update_fields=fields)

    @classmethod
    def lock_for_void(cls, pk):
        """The row, voided or not, locked until the transaction ends."""
        return cls._base_manager.select_for_update().get(pk=pk)
