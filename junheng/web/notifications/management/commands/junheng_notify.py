"""`junheng_notify`: queue today's digests (from the digest hour on) and escalations, then send
every reminder due, retries included. Run by a systemd timer every few minutes; two copies on
two machines at once send each reminder once (see notifications/delivery.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from junheng.web.notifications.delivery import run


class Command(BaseCommand):
    help = "发送每日待办提醒、逾期任务督办提醒，并重试发送失败的提醒"

    def handle(self, *args: Any, **options: Any) -> None:
        digests, escalations, outcome = run()
        self.stdout.write(
            f"新增每日提醒 {digests} 条，新增督办提醒 {escalations} 条；"
            f"发送成功 {outcome.sent} 条，失败待重试 {outcome.failed} 条，"
            f"多次失败已放弃 {outcome.given_up} 条，用户已关闭未发送 {outcome.cancelled} 条"
        )
