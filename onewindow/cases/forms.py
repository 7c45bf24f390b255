"""Input forms of the case pages. They only collect input; every check that matters (ID numbers,
the item's typed fields, the materials, the state machine) is done by ``cases.services``, whose
domain errors are put back on these forms next to the fields (:func:`apply_error`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import Delivery
from onewindow.catalog.models import FieldKind, ItemVersion
from onewindow.core.errors import DomainError
from onewindow.org.models import ResidentKind


class Form(forms.Form):
    """A form with Chinese label punctuation (no trailing colon)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ApplicantForm(Form):
    kind = forms.ChoiceField(
        label=_("申请人类型"),
        choices=ResidentKind.choices,
        initial=ResidentKind.PERSON,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(
        label=_("姓名/名称"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"data-needed": "intake"}),
    )
    id_number = forms.CharField(
        label=_("身份证号/统一社会信用代码"),
        max_length=18,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "data-needed": "intake"}),
        help_text=_("个人填18位居民身份证号，企业/组织填18位统一社会信用代码"),
    )
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=11,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)

    def applicant(self) -> dict[str, Any]:
        d = self.cleaned_data
        data = {"kind": d["kind"], "name": d["name"], "phone": d["phone"], "address": d["address"]}
        key = "credit_code" if d["kind"] == ResidentKind.ENTERPRISE else "id_number"
        data[key] = d["id_number"]
        return data


class RejectForm(Form):
    """不予受理 at the window: the reason and its legal basis, both in writing."""

    reason = forms.CharField(
        label=_("不予受理理由"),
        error_messages={"required": "请写明不予受理理由"},
        widget=forms.Textarea(attrs={"rows": 2, "data-needed": "reject", "data-confirm-line": "理由"}),
        max_length=500,
    )
    basis = forms.CharField(
        label=_("法律依据"),
        max_length=300,
        error_messages={"required": "请写明不予受理的法律依据"},
        widget=forms.Textarea(attrs={"rows": 2, "data-needed": "reject", "data-confirm-line": "法律依据"}),
    )


def item_fields_form(version: ItemVersion | None, data: QueryDict | None = None) -> forms.Form:
    """The item's typed application form (一表申请), prefix ``f``; values are validated by the service."""
    form = Form(data, prefix="f")
    if version is None:
        return form
    for f in version.fields.all():
        attrs: dict[str, Any] = {}
        if f.required:
            attrs["aria-required"] = "true"
        field: forms.Field
        if f.kind == FieldKind.CHOICE:
            field = forms.ChoiceField(choices=[("", "请选择"), *[(str(c), str(c)) for c in f.choices]])
            field.widget.attrs.update(attrs)
        elif f.kind == FieldKind.NUMBER:
            field = forms.CharField(widget=forms.TextInput(attrs={**attrs, "inputmode": "decimal"}))
        elif f.kind == FieldKind.DATE:
            field = forms.CharField(widget=forms.DateInput(attrs={**attrs, "type": "date"}))
        else:
            field = forms.CharField(max_length=2000, widget=forms.TextInput(attrs=attrs))
        field.required = False
        field.label = f.label
        field.help_text = f.help_text
        field.widget.is_required = f.required  # only for the "*" marker
        form.fields[f.key] = field
    return form


def form_values(form: forms.Form) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}


def material_rows(
    version: ItemVersion | None,
    data: QueryDict | None,
    current: list[dict[str, Any]] | None = None,
    received: set[str] | frozenset[str] = frozenset(),
) -> list[dict[str, Any]]:
    """The checklist for display: each material of the version with its 「已提交」 box and note.

    Inputs are ``m-<code>-provided`` (checkbox) and ``m-<code>-note``; without posted data the
    boxes show ``current`` (the case's checklist), with the materials ``received`` since the notice
    (handed in online) ticked and their old remark (why it was missing) cleared."""
    if version is None:
        return []
    given = {str(m.get("code")): m for m in current or []}
    rows = []
    for m in version.materials.all():
        if data is not None:
            provided = data.get(f"m-{m.code}-provided") == "1"
            note = data.get(f"m-{m.code}-note", "")
        elif m.code in received:
            provided, note = True, ""
        else:
            provided = bool(given.get(m.code, {}).get("provided"))
            note = str(given.get(m.code, {}).get("note") or "")
        rows.append(
            {
                "material": m,
                "code": m.code,
                "provided": provided,
                "note": note,
                "received": m.code in received,
            }
        )
    return rows


def materials_given(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"code": r["code"], "provided": r["provided"], "note": r["note"].strip()} for r in rows]


class ActionForm(Form):
    """The inputs an action on a case may need; which ones are shown depends on the action."""

    action = forms.CharField(max_length=32)
    note = forms.CharField(
        label=_("说明/意见"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.CharField(
        label=_("理由"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    basis = forms.CharField(label=_("法律依据"), max_length=300, required=False)
    to = forms.ChoiceField(label=_("送达方式"), choices=[("", "请选择"), *Delivery.choices], required=False)
    signed_by = forms.CharField(label=_("签收人"), max_length=50, required=False)
    tracking_number = forms.CharField(label=_("邮寄单号"), max_length=50, required=False)
    days = forms.IntegerField(label=_("延期工作日数"), min_value=1, max_value=15, required=False)
    approver = forms.CharField(label=_("批准人（决定机关负责人）"), max_length=150, required=False)
    override_reason = forms.CharField(label=_("再次告知理由（负责人批准）"), max_length=500, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action in ("reject", "deny"):
            # in writing, with the reason and the legal basis (the service checks both again)
            label = "不予受理" if action == "reject" else "不予许可"
            if not (data.get("reason") or "").strip():
                self.add_error("reason", f"「{label}」须写明理由")
            if not (data.get("basis") or "").strip():
                self.add_error("basis", f"{label}须写明法律依据")
        elif action in ("suspend", "extend") and not (data.get("reason") or "").strip():
            self.add_error("reason", "「中止」须写明理由" if action == "suspend" else "「延期」须写明理由")
        if action == "extend":
            if not data.get("days") and "days" not in self.errors:
                self.add_error("days", "请填写延期的工作日数")
        elif action == "deliver":
            to = data.get("to") or ""
            if not to:
                self.add_error("to", "请选择送达方式")
            elif to == Delivery.POST and not (data.get("tracking_number") or "").strip():
                self.add_error("tracking_number", "邮寄送达须填写邮寄单号")
            elif to != Delivery.POST and not (data.get("signed_by") or "").strip():
                self.add_error("signed_by", "请填写签收人")
        return data


# Details keys of the services' errors → (form key, field) on the page.
_APPLICANT_CODES = {
    "invalid_id_number": "id_number",
    "invalid_credit_code": "id_number",
    "invalid_phone": "phone",
}


def apply_error(exc: DomainError, targets: dict[str, forms.Form]) -> list[str]:
    """Put a service error next to the fields it names; return what belongs nowhere else.

    ``targets`` maps a prefix of the error's details keys (``applicant``, ``form``, ``reject``,
    ``action``) to the form showing those fields."""
    unplaced: list[str] = []
    placed = False
    field = _APPLICANT_CODES.get(exc.code)
    if field and "applicant" in targets:
        targets["applicant"].add_error(field, exc.message)
        return []
    details = exc.details if isinstance(exc.details, dict) else {}
    for key, msgs in details.items():
        messages = msgs if isinstance(msgs, list) and all(isinstance(m, str) for m in msgs) else None
        prefix, _dot, name = str(key).partition(".")
        if not name:
            prefix, name = "", prefix
        form = targets.get(prefix) if prefix else None
        if form is None and not prefix:
            form = next((f for f in targets.values() if name in f.fields), None)
        if form is not None and name in form.fields and messages:
            text = exc.message if len(details) == 1 else messages[0]
            if text in ("必填", "无效", "未知"):
                text = exc.message
            form.add_error(name, text)
            placed = True
    if not placed:
        unplaced.append(exc.message)
    return unplaced
