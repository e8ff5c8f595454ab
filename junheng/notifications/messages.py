"""The texts of reminders: a user's daily digest, an escalation of overdue tasks, and the body
a group-chat robot is sent (a county's JSON template with the text put in its slots).

Pure: items are anything with `title`, `url`, `due` and `overdue` (the web's `TodoItem`); links
are made absolute with the site address handed in.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

SLOTS = ("{标题}", "{内容}", "{链接}")
"""What a robot template may contain in its strings: the message's title, text and link."""

DEFAULT_TEMPLATE = '{"msgtype": "text", "text": {"content": "{标题}\\n{内容}"}}'
"""The text message most group-chat robots (企业微信、钉钉) accept."""


class Item(Protocol):
    @property
    def title(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def due(self) -> date | None: ...
    @property
    def overdue(self) -> bool: ...


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    url: str = ""


class TemplateError(ValueError):
    """A robot template that cannot be used; the message says why, in Chinese."""


def _day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def item_line(item: Item, site: str = "") -> str:
    """One item as a line of text: what, when it is due, and its link."""
    when = ""
    if item.due is not None:
        when = (
            f"（已逾期，时限 {item.due:%Y-%m-%d}）"
            if item.overdue
            else f"（时限 {item.due:%Y-%m-%d}）"
        )
    elif item.overdue:
        when = "（已逾期）"
    return f"· {item.title}{when} {site}{item.url}".rstrip()


def digest(name: str, today: date, items: Sequence[Item], site: str = "") -> Message:
    """A user's daily digest of their to-do items (already in order)."""
    overdue = sum(1 for i in items if i.overdue)
    head = f"{name}，{_day(today)}您有 {len(items)} 项待办"
    if overdue:
        head += f"，其中 {overdue} 项已逾期"
    lines = [head + "：", *(item_line(i, site) for i in items)]
    return Message(
        f"【均衡】{_day(today)}待办提醒（{len(items)} 项）", "\n".join(lines), f"{site}/todo/"
    )


@dataclass(frozen=True)
class OverdueTask:
    title: str
    """The problem and the lead unit, e.g. "生均教学用房面积不达标 · 县教育局"."""
    deadline: date
    days: int
    """Whole days past the deadline."""
    url: str


def escalation_header(county: str, after_days: int) -> str:
    """What an escalation is about; each task escalated carries it."""
    return f"{county}以下整改任务逾期超过 {after_days} 天，请督办："


def escalation_line(task: OverdueTask, site: str = "") -> str:
    return (
        f"· {task.title}（时限 {task.deadline:%Y-%m-%d}，已逾期 {task.days} 天） {site}{task.url}"
    )


def escalation(lines: Sequence[tuple[str, str]], site: str = "") -> Message:
    """Escalated tasks sent as one message: (header, line) pairs, lines under their header."""
    by_header: dict[str, list[str]] = {}
    for header, line in lines:
        by_header.setdefault(header, []).append(line)
    text = "\n\n".join("\n".join([header, *body]) for header, body in by_header.items())
    return Message(f"【均衡】整改任务逾期督办（{len(lines)} 项）", text, f"{site}/notifications/")


def check_template(template: str) -> Any:
    """The parsed template, or TemplateError: it must be a JSON object whose strings may hold
    the slots {标题}, {内容}, {链接}, and at least one of them."""
    try:
        data = json.loads(template)
    except ValueError as exc:
        raise TemplateError(
            f"消息模板格式有误（第 {getattr(exc, 'lineno', 1)} 行附近）：请检查引号、逗号和括号"
        ) from None
    if not isinstance(data, dict):
        raise TemplateError("消息模板应以 { 开头、以 } 结尾（群机器人要求的格式）")
    if not any(slot in template for slot in SLOTS):
        raise TemplateError("消息模板中没有 {标题}、{内容} 或 {链接}，机器人收到的消息将没有内容")
    return data


def _fill(value: Any, slots: dict[str, str]) -> Any:
    if isinstance(value, str):
        for slot, text in slots.items():
            value = value.replace(slot, text)
        return value
    if isinstance(value, list):
        return [_fill(v, slots) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, slots) for k, v in value.items()}
    return value


def robot_body(template: str, message: Message) -> bytes:
    """The JSON a robot is posted: the template with the message in its slots. Slots are filled
    inside parsed strings, so quotes and line breaks in the text never break the JSON."""
    data = check_template(template)
    slots = {"{标题}": message.subject, "{内容}": message.text, "{链接}": message.url}
    return json.dumps(_fill(data, slots), ensure_ascii=False).encode("utf-8")
