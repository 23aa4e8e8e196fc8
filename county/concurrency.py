"""Concurrency: no lost update, no double transition.

Two rules, used by every workstream:

**A state transition locks its row and re-checks the state.** A rule (submit, accept,
send back, move a stage …) starts with :func:`lock` (``SELECT … FOR UPDATE`` inside the
request's transaction, the instance refreshed from the locked row), then checks the
state it needs. A second request for the same step waits for the first to commit, then
sees the new state and is refused with :class:`Conflict` (a page answers 409 with the
Chinese message, the API 409): “该问题已经审核过了”, not a second decision.

**Every edit carries a version.** A model that inherits :class:`VersionedModel` has a
``version`` number that every ``save()`` raises by one, under the row lock (one
``SELECT … FOR UPDATE`` of the version, then the UPDATE writes ``version + 1``): so two
saves never read the same version, and a save that expects a version
(``instance.expected_version = n``) is refused with :class:`StaleVersion` when the row
is at another one — the compare and the write happen under the same lock, so exactly one
of many concurrent saves of one version succeeds. Where it comes from:

- forms: :class:`VersionedFormMixin` carries the version in a hidden field; a stale form
  is refused (409) with both versions and, field by field, what the user typed and what
  is saved now (:class:`VersionedUpdateMixin` for the views);
- the API (``county.api.ScopedModelViewSet``): ``ETag: "<version>"`` on a record, a stale
  ``If-Match`` answered 412; a write locks the row first and saves only the fields that
  changed, so two writers changing different fields both keep their change;
- imports: the ledger's bulk updates raise the version too
  (``county.history.bulk_update_with_history``), so a form opened before the import is
  refused.

A loaded instance remembers the values it was read with; ``save()`` without
``update_fields`` then writes only the fields that differ (plus ``auto_now`` fields and
the version), never the whole row read earlier.

The version is left out of the change history (``HistoricalRecords(excluded_fields=
VERSION_EXCLUDED)``): it is bookkeeping, not content.
"""

import copy

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction

VERSION_EXCLUDED = ["version"]
STALE_MESSAGE = (
    "该记录在您编辑期间已被他人修改（您打开时为第 {yours} 版，现在是第 {current} 版）。"
    "为避免覆盖他人的修改，本次未保存；请查看下面的最新内容后重新编辑。"
)


class Conflict(ValidationError):
    """The record is no longer in the state a step needs (a page and the API answer 409)."""


class StaleVersion(Conflict):
    """The record was saved by someone else since this version was read."""

    def __init__(self, yours, current):
        self.yours, self.current = yours, current
        super().__init__(STALE_MESSAGE.format(yours=yours, current=current), code="stale")


def lock(instance):
    """Row-lock ``instance`` until the transaction ends and refresh it from the locked row.

    Call it inside ``transaction.atomic`` (every request is atomic, ``ATOMIC_REQUESTS``);
    returns the instance, so a rule may write ``problem = lock(problem)``.
    """
    manager = type(instance)._base_manager
    instance.refresh_from_db(from_queryset=manager.select_for_update())
    return instance


def _plain(value):
    return copy.deepcopy(value) if isinstance(value, (dict, list)) else value


class VersionedModel(models.Model):
    """Mixin: a ``version`` raised by every save under the row lock; saves write only changes."""

    version = models.PositiveIntegerField(
        "版本号", default=1, editable=False, help_text="每次保存加一，用于防止覆盖他人的修改"
    )

    class Meta:
        abstract = True

    # --- saving ---------------------------------------------------------------
    def save(self, *args, **kwargs):
        if self._state.adding or self.pk is None:
            self.version = 1
            super().save(*args, **kwargs)
            self._remember_loaded()
            return
        update_fields = kwargs.get("update_fields")
        if update_fields is None and not args and not kwargs.get("force_update"):
            changed = self.changed_fields()
            if changed is not None:
                auto_now = [
                    f.name for f in self._meta.concrete_fields if getattr(f, "auto_now", False)
                ]
                update_fields = {*changed, *auto_now}
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "version"}
        expected = self.__dict__.pop("expected_version", None)
        with transaction.atomic():
            current = (
                type(self)
                ._base_manager.select_for_update()
                .filter(pk=self.pk)
                .values_list("version", flat=True)
                .first()
            )
            if current is None:  # the row is gone: let Django decide (insert or error)
                super().save(*args, **kwargs)
                return
            if expected is not None and int(expected) != current:
                raise StaleVersion(expected, current)
            self.version = current + 1
            super().save(*args, **kwargs)
        self._remember_loaded()

    # --- what was loaded ------------------------------------------------------
    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._remember_loaded()
        return instance

    def _remember_loaded(self):
        loaded = self.__dict__
        self._loaded_values = {
            f.attname: _plain(loaded[f.attname])
            for f in self._meta.concrete_fields
            if f.attname in loaded
        }

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._remember_loaded()

    def changed_fields(self):
        """Names of the concrete fields whose value differs from what was loaded."""
        loaded = getattr(self, "_loaded_values", None)
        if loaded is None:
            return None
        present = self.__dict__
        return [
            f.name
            for f in self._meta.concrete_fields
            if not f.primary_key
            and f.attname in present
            and (f.attname not in loaded or present[f.attname] != loaded[f.attname])
        ]


def bump_versions(model, pks):
    """Raise the version of these rows (a bulk update that bypasses ``save()``)."""
    if pks and issubclass(model, VersionedModel):
        model._base_manager.filter(pk__in=list(pks)).update(version=models.F("version") + 1)


# --- forms -------------------------------------------------------------------
def _flat(choices):
    for key, label in choices:
        if isinstance(label, (list, tuple)):
            yield from _flat(label)
        else:
            yield key, label


def _shown(form, name, value):
    field = form.fields.get(name)
    if value in (None, "", [], ()):
        return "（空）"
    if isinstance(field, forms.ModelMultipleChoiceField):
        return "、".join(str(v) for v in value) or "（空）"
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        labels = {str(key): label for key, label in _flat(field.choices)}
        return str(labels.get(str(value), value))
    if isinstance(field, forms.BooleanField):
        return "是" if value else "否"
    return str(value)


class VersionedFormMixin:
    """A ModelForm mixin: the record's version travels in a hidden field.

    When the record was saved since the form was opened, the form is refused with both
    versions and, for each field where they differ, what the user typed and what is saved
    now (the user's input stays in the form). The check in ``clean()`` tells early; the
    save compares again under the row lock (:class:`StaleVersion`), which is what makes it
    hold when many save at once.
    """

    stale_status = 409

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = forms.IntegerField(
            widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1
        )
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        self.stale = None

    def current_version(self):
        found = type(self.instance)._base_manager.filter(pk=self.instance.pk)
        return found.values_list("version", flat=True).first()

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            current = self.current_version()
            yours = data.get("version")
            if yours is None or (current is not None and yours != current):
                self.refuse_stale(StaleVersion(yours or 0, current))
        return data

    def refuse_stale(self, error):
        """Put the stale message and the differences on top of the form."""
        self.stale = error
        messages = [error.messages[0], *self.differences()]
        self.add_error(None, messages)
        if self.is_bound and error.current is not None:
            # Sent again as it is (after reading the differences), it overwrites knowingly.
            self.data = self.data.copy()
            self.data[self.add_prefix("version")] = error.current

    def differences(self):
        current = type(self.instance)._base_manager.filter(pk=self.instance.pk).first()
        if current is None or not hasattr(self, "cleaned_data"):
            return []
        lines = []
        initial = forms.models.model_to_dict(current, fields=list(self._meta.fields or []))
        for name, saved in initial.items():
            if name not in self.fields or name not in self.cleaned_data:
                continue
            typed = self.cleaned_data[name]
            field = self.fields[name]
            if isinstance(field, forms.ModelMultipleChoiceField):
                saved = list(field.queryset.filter(pk__in=[getattr(v, "pk", v) for v in saved]))
                if {v.pk for v in saved} == {v.pk for v in typed}:
                    continue
            elif isinstance(field, forms.ModelChoiceField):
                saved = field.queryset.filter(pk=saved).first() if saved else None
                if getattr(saved, "pk", None) == getattr(typed, "pk", None):
                    continue
            elif saved == typed:
                continue
            lines.append(
                f"{field.label}：您填写的是“{_shown(self, name, typed)}”，"
                f"现在保存的是“{_shown(self, name, saved)}”。"
            )
        return lines

    def save(self, commit=True):
        self.instance.expected_version = self.cleaned_data.get("version")
        return super().save(commit=commit)


class VersionedUpdateMixin:
    """For an UpdateView whose form has :class:`VersionedFormMixin`: a stale save is a 409.

    The POST runs in a savepoint; when another save won meanwhile (the check under the row
    lock raised :class:`StaleVersion`), nothing of this one is kept and the form is shown
    again with the message, both versions and the user's input.
    """

    def get_form(self, form_class=None):
        self._versioned_form = super().get_form(form_class)
        return self._versioned_form

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if getattr(form, "stale", None) is not None:
            response.status_code = form.stale_status
        return response

    def post(self, request, *args, **kwargs):
        try:
            with transaction.atomic():
                return super().post(request, *args, **kwargs)
        except StaleVersion as error:
            form = self._versioned_form
            form.refuse_stale(error)
            return self.form_invalid(form)
