"""Forms for the catalog management pages: the guide, its materials and its form fields."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet, formset_factory

from onewindow.catalog.models import (
    GUIDE_ELEMENTS,
    Domain,
    ExtensionRule,
    FormField,
    Item,
    ItemType,
    ItemVersion,
    Material,
    item_code,
)
from onewindow.org.models import Department, Level

GUIDE_FORM_FIELDS = list(GUIDE_ELEMENTS)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class GuideForm(forms.ModelForm):
    """Every guide element of a version. Model validation (``ItemVersion.clean``) runs too."""

    accept_levels = forms.MultipleChoiceField(
        label="受理层级", choices=Level.choices, widget=forms.CheckboxSelectMultiple
    )
    steps = forms.CharField(
        label="办理流程", required=False, widget=forms.Textarea(attrs={"rows": 5}), help_text="每步一行"
    )
    change_note = forms.CharField(label="修订说明", max_length=200, required=False)

    class Meta:
        model = ItemVersion
        fields = [*GUIDE_FORM_FIELDS, "change_note"]
        widgets = {
            "basis": forms.Textarea(attrs={"rows": 3}),
            "conditions": forms.Textarea(attrs={"rows": 3}),
        }

    # the page's fieldsets, in order (a new item's form puts its code first)
    SECTIONS = (
        ("基本信息", ("code", "name", "aliases", "domain", "type", "department", "basis")),
        ("层级与时限", ("accept_levels", "decide_level", "legal_days", "promised_days", "max_visits")),
        ("收费、条件与流程", ("fee", "fee_basis", "conditions", "steps", "result", "extension_rule")),
        (
            "地点、时间与电话",
            ("place", "hours", "consult_phone", "complaint_phone", "online", "proxy_allowed"),
        ),
    )

    def sections(self) -> list[tuple[str, list[Any]]]:
        return [(legend, [self[n] for n in names if n in self.fields]) for legend, names in self.SECTIONS]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["domain"].queryset = Domain.objects.all()  # type: ignore[attr-defined]
        self.fields["department"].queryset = Department.objects.select_related("jurisdiction")  # type: ignore[attr-defined]
        if self.instance.pk and not self.is_bound:
            self.initial["steps"] = "\n".join(self.instance.steps or [])
            self.initial["accept_levels"] = list(self.instance.accept_levels or [])
        # not chosen: follows the item type (联办件 → art. 42 para. 2, otherwise para. 1)
        self.fields["extension_rule"].required = False

    def clean_extension_rule(self) -> str:
        chosen = self.cleaned_data.get("extension_rule") or ""
        if chosen:
            return str(chosen)
        return ExtensionRule.JOINT if self.data.get("type") == ItemType.JOINT else ExtensionRule.GENERAL

    def clean_steps(self) -> list[str]:
        return _lines(self.cleaned_data.get("steps") or "")

    def clean_accept_levels(self) -> list[str]:
        chosen = self.cleaned_data.get("accept_levels") or []
        return [c for c, _label in Level.choices if c in chosen]

    def guide(self) -> dict[str, Any]:
        """The cleaned guide elements as keyword arguments for the services."""
        return {name: self.cleaned_data[name] for name in [*GUIDE_FORM_FIELDS, "change_note"]}


class ItemCreateForm(GuideForm):
    code = forms.CharField(label="事项编码", max_length=40, validators=[item_code], help_text="如：MZ-003")

    field_order = ["code"]

    def clean_code(self) -> str:
        code = (self.cleaned_data.get("code") or "").strip()
        if Item.objects.filter(code=code).exists():
            raise ValidationError(f"事项编码 {code} 已存在")
        return code


class MaterialForm(forms.ModelForm):
    class Meta:
        model = Material
        fields = ["code", "name", "original", "copies", "required", "condition", "note", "reusable"]


class FormFieldForm(forms.ModelForm):
    choices = forms.CharField(
        label="选项",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="选项类字段每行一个选项",
    )

    class Meta:
        model = FormField
        fields = ["key", "label", "kind", "required", "choices", "help_text"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        initial_choices = self.initial.get("choices")
        if isinstance(initial_choices, list):
            self.initial["choices"] = "\n".join(initial_choices)

    def clean_choices(self) -> list[str]:
        return _lines(self.cleaned_data.get("choices") or "")


class _RowsFormSet(BaseFormSet):
    key_field = "code"
    key_label = "编码"

    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[str] = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            key = form.cleaned_data.get(self.key_field)
            if key in seen:
                form.add_error(self.key_field, f"{self.key_label} {key} 重复")
            seen.add(key)

    def rows(self) -> list[dict[str, Any]]:
        """The non-empty, non-deleted rows in page order, ready for the services."""
        out = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            out.append({k: v for k, v in data.items() if k != "DELETE"})
        return out


class MaterialFormSetBase(_RowsFormSet):
    key_field = "code"
    key_label = "材料编码"


class FormFieldFormSetBase(_RowsFormSet):
    key_field = "key"
    key_label = "字段名"


MaterialFormSet = cast(
    "type[MaterialFormSetBase]",
    formset_factory(MaterialForm, formset=MaterialFormSetBase, extra=3, can_delete=True),
)
FormFieldFormSet = cast(
    "type[FormFieldFormSetBase]",
    formset_factory(FormFieldForm, formset=FormFieldFormSetBase, extra=2, can_delete=True),
)


def material_initial(version: ItemVersion) -> list[dict[str, Any]]:
    return [{f: getattr(m, f) for f in MaterialForm.Meta.fields} for m in version.materials.all()]


def form_field_initial(version: ItemVersion) -> list[dict[str, Any]]:
    return [{f: getattr(x, f) for f in FormFieldForm.Meta.fields} for x in version.fields.all()]


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")
    publish = forms.BooleanField(label="导入后直接发布", required=False)
