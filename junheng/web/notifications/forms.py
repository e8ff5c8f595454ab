from __future__ import annotations

from typing import Any

from django import forms

from junheng.web.notifications.models import CountyChannel, Preference


class PreferenceForm(forms.ModelForm):
    """`has_email=False` (no address on the account): 电子邮件 is shown unticked and cannot be
    changed, since nothing would be sent; the stored choice is kept for when an address is added."""

    webhook_url = forms.URLField(
        label="个人群机器人地址",
        required=False,
        assume_scheme="https",
        max_length=200,
        help_text="留空则使用本县区的群机器人（如已设置）",
        error_messages={"invalid": "请填写完整的网址，以 https:// 或 http:// 开头"},
    )

    class Meta:
        model = Preference
        fields = ["digest", "in_app", "email", "robot", "webhook_url"]
        labels = {
            "digest": "每天早上发送我的待办",
            "in_app": "站内消息",
            "email": "电子邮件",
            "robot": "群机器人",
        }
        help_texts = {
            "digest": "关闭后不再收到每日待办提醒（逾期督办提醒不受影响）",
            "robot": "发到下面的个人群机器人；未填写则发到本县区的群机器人（如已设置）",
        }

    def __init__(self, *args: Any, has_email: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not has_email:
            field = self.fields["email"]
            # a disabled field saves its initial value, the stored choice, whatever is posted
            field.disabled = True
            field.widget = forms.CheckboxInput(check_test=lambda value: False)


class CountyChannelForm(forms.ModelForm):
    webhook_url = forms.URLField(
        label="群机器人地址",
        required=False,
        assume_scheme="https",
        max_length=200,
        help_text="在群聊中添加机器人后得到的推送地址；留空则不发往本县的群",
        error_messages={"invalid": "请填写完整的网址，以 https:// 或 http:// 开头"},
    )

    class Meta:
        model = CountyChannel
        fields = ["webhook_url", "template", "escalate_after_days"]
        widgets = {"template": forms.Textarea(attrs={"rows": 4})}
        error_messages = {
            "escalate_after_days": {"invalid": "请填写整数天数，或留空使用系统默认值"}
        }
