"""The resident's application form as Django form widgets, built from the item's typed fields
(``catalog.FormField``): a date is ``<input type="date">`` (the phone's date picker), a number gets the
numeric keypad (``inputmode="numeric"``, ``decimal`` for amounts), a phone number is ``type="tel"``,
a choice a select, text a textarea. The form only renders; the values are checked by the cases
service (``validate_form``), the one authority for the form's rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from onewindow.catalog.models import FieldKind, FormField, ItemVersion

PHONE_WORDS = ("phone", "mobile", "tel")
PHONE_LABELS = ("电话", "手机")
AMOUNT_LABELS = ("元", "金额", "收入", "面积", "亩")


def is_phone(f: FormField) -> bool:
    return any(w in f.key for w in PHONE_WORDS) or any(w in f.label for w in PHONE_LABELS)


def _widget(f: FormField) -> forms.Widget:
    if f.kind == FieldKind.DATE:
        return forms.DateInput(attrs={"type": "date", "autocomplete": "off"}, format="%Y-%m-%d")
    if f.kind == FieldKind.NUMBER:
        decimal = any(w in f.label or w in f.help_text for w in AMOUNT_LABELS)
        return forms.TextInput(
            attrs={"inputmode": "decimal" if decimal else "numeric", "autocomplete": "off", "maxlength": "20"}
        )
    if f.kind == FieldKind.CHOICE:
        return forms.Select()
    if is_phone(f):
        return forms.TextInput(
            attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel", "maxlength": "20"}
        )
    return forms.Textarea(attrs={"rows": 3, "maxlength": "2000"})


def _field(f: FormField) -> forms.Field:
    common: dict[str, Any] = {"label": f.label, "required": f.required, "help_text": f.help_text}
    if f.kind == FieldKind.CHOICE:
        choices = [("", "请选择")] + [(str(c), str(c)) for c in f.choices]
        return forms.ChoiceField(choices=choices, widget=_widget(f), **common)
    return forms.CharField(widget=_widget(f), **common)


class ApplicationForm(forms.Form):
    """The item's form fields, named ``f-<key>`` (ids ``id_f-<key>``)."""

    def __init__(
        self, version: ItemVersion, data: Mapping[str, Any] | None = None, errors: Mapping[str, Any] = {}
    ) -> None:
        super().__init__(data=data, prefix="f")
        for f in version.fields.all():
            field = _field(f)
            if f"form.{f.key}" in errors:
                field.widget.attrs.update({"aria-invalid": "true", "aria-describedby": f"err-f-{f.key}"})
            self.fields[f.key] = field
        self.field_errors = {k[5:]: v for k, v in errors.items() if k.startswith("form.")}

    def rows(self) -> list[dict[str, Any]]:
        return [{"field": self[name], "errors": self.field_errors.get(name, [])} for name in self.fields]
