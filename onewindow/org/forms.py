"""Forms of the staff-side organisation pages. They read input; the services validate the domain."""

from __future__ import annotations

from typing import Any

from django import forms

from onewindow.core.actor import Actor
from onewindow.core.errors import Invalid
from onewindow.org.models import Centre, Jurisdiction, Level, ResidentKind, Shift, Staff, Window
from onewindow.org.selectors import jurisdiction_choices


def apply_errors(form: forms.BaseForm, exc: Invalid) -> None:
    """Put a service's :class:`Invalid` details on the form's fields (unknown fields: non-field)."""
    details = exc.details if isinstance(exc.details, dict) else {}
    if not details:
        form.add_error(None, exc.message)
        return
    for name, messages in details.items():
        field = name if name in form.fields else None
        for message in messages if isinstance(messages, list) else [messages]:
            form.add_error(field, str(message))


class JurisdictionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        indent = {Level.COUNTY: "", Level.TOWNSHIP: "　", Level.VILLAGE: "　　"}.get(obj.level, "")
        return f"{indent}{obj.name}（{obj.code}）"


class ResidentForm(forms.Form):
    kind = forms.ChoiceField(
        label="类型", choices=ResidentKind.choices, initial=ResidentKind.PERSON, widget=forms.RadioSelect
    )
    name = forms.CharField(label="姓名/单位名称", max_length=100, required=False)
    id_number = forms.CharField(
        label="证件号码",
        max_length=40,
        required=False,
        help_text="个人填写18位居民身份证号；企业/组织填写18位统一社会信用代码",
    )
    phone = forms.CharField(label="联系电话（手机）", max_length=20, required=False)
    address = forms.CharField(label="地址", max_length=200, required=False)
    jurisdiction = JurisdictionChoiceField(
        label="所在嘎查村（社区）",
        queryset=Jurisdiction.objects.none(),
        error_messages={"required": "请选择所在区域", "invalid_choice": "所选区域不在您的管辖范围内"},
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["jurisdiction"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = jurisdiction_choices(actor=actor)
        for name in ("id_number", "phone"):
            self.fields[name].widget.attrs["autocomplete"] = "off"


class LookupForm(forms.Form):
    number = forms.CharField(
        label="证件号码",
        max_length=40,
        error_messages={"required": "请输入完整的身份证号或统一社会信用代码"},
    )


class RevealForm(forms.Form):
    purpose = forms.CharField(label="查看事由", max_length=200, required=False)


class DutyForm(forms.Form):
    staff = forms.ModelChoiceField(
        label="人员",
        queryset=Staff.objects.none(),
        error_messages={"required": "请选择人员", "invalid_choice": "所选人员不是本中心的工作人员"},
    )
    date = forms.DateField(
        label="日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "请选择日期", "invalid": "日期格式应为YYYY-MM-DD"},
    )
    shift = forms.ChoiceField(
        label="班次",
        choices=Shift.choices,
        initial=Shift.FULL,
        error_messages={"invalid_choice": "请选择有效的班次"},
    )
    window = forms.ModelChoiceField(
        label="窗口",
        queryset=Window.objects.none(),
        required=False,
        empty_label="（不指定）",
        error_messages={"invalid_choice": "所选窗口不属于本中心"},
    )
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff_field = self.fields["staff"]
        window_field = self.fields["window"]
        assert isinstance(staff_field, forms.ModelChoiceField)
        assert isinstance(window_field, forms.ModelChoiceField)
        staff_field.queryset = Staff.objects.filter(centre=centre).order_by("name")
        window_field.queryset = Window.objects.filter(centre=centre, is_active=True).order_by("number")
