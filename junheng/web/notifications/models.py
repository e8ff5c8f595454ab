"""Notifications: each user's switches, a county's group-chat robot, the messages shown in the
system, and the delivery rows that make every reminder go out exactly once.

A reminder to one user on one channel is a `Delivery` with a unique key (user, channel, key),
the key naming the local day for a digest ("digest:2026-12-07") or the object for an escalation
("escalation:task:42:2026-11-20", the deadline included so a moved and missed deadline is
escalated again). Rows are inserted with conflicts ignored, so two workers queueing the same
reminder make one row, and each row is claimed by one conditional UPDATE before it is sent, so
two workers never both send it (`delivery.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from junheng.notifications.messages import DEFAULT_TEMPLATE, TemplateError, check_template
from junheng.web.registry.models import County


class Channel(models.TextChoices):
    IN_APP = "in_app", "站内消息"
    EMAIL = "email", "电子邮件"
    ROBOT = "robot", "群机器人"


class Preference(models.Model):
    """One user's switches; a user without a row has every switch on (the defaults)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name="用户",
    )
    in_app = models.BooleanField("站内消息", default=True)
    email = models.BooleanField("电子邮件", default=True, help_text="发往账号中登记的邮箱")
    robot = models.BooleanField("群机器人", default=True)
    digest = models.BooleanField("每日待办提醒", default=True)
    webhook_url = models.URLField(
        "个人群机器人地址",
        blank=True,
        help_text="留空则使用本县区的群机器人（如已设置）",
    )

    class Meta:
        verbose_name = "提醒设置"
        verbose_name_plural = "提醒设置"

    def __str__(self) -> str:
        return str(self.user)


class CountyChannel(models.Model):
    """A county's group-chat robot and its escalation rule."""

    county = models.OneToOneField(
        County, on_delete=models.CASCADE, related_name="+", verbose_name="县区"
    )
    webhook_url = models.URLField("群机器人地址", blank=True)
    template = models.TextField(
        "消息模板",
        default=DEFAULT_TEMPLATE,
        help_text="可用 {标题}、{内容}、{链接}，发送时换成提醒的文字",
    )
    escalate_after_days = models.PositiveIntegerField(
        "逾期多少天后报县级领导",
        null=True,
        blank=True,
        help_text="留空则按系统默认值",
    )

    class Meta:
        verbose_name = "县区提醒渠道"
        verbose_name_plural = "县区提醒渠道"

    def __str__(self) -> str:
        return str(self.county)

    def clean(self) -> None:
        try:
            check_template(self.template)
        except TemplateError as exc:
            raise ValidationError({"template": str(exc)}) from None


class Notification(models.Model):
    """A message shown in the system (站内消息)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="用户",
    )
    kind = models.CharField("类别", max_length=20)
    title = models.CharField("标题", max_length=200)
    text = models.TextField("内容")
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notif_user_unread")]

    def __str__(self) -> str:
        return self.title


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败，等待重试"
    GIVEN_UP = "given_up", "多次失败，已放弃"
    CANCELLED = "cancelled", "用户已关闭，未发送"


class Delivery(models.Model):
    """One reminder to one user on one channel, sent at most once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="用户",
    )
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    kind = models.CharField("类别", max_length=20)
    key = models.CharField("标识", max_length=120)
    county = models.ForeignKey(
        County, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject = models.CharField("标题", max_length=200)
    text = models.TextField("内容")
    url = models.CharField("链接", max_length=300, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试时间")
    claim = models.CharField("领取标记", max_length=40, blank=True)
    claimed_at = models.DateTimeField("领取时间", null=True, blank=True)
    last_error = models.CharField("最近一次错误", max_length=300, blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "提醒发送记录"
        verbose_name_plural = "提醒发送记录"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "channel", "key"], name="notif_delivery_once")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notif_due")]

    def __str__(self) -> str:
        return f"{self.user} {self.get_channel_display()} {self.subject}"
