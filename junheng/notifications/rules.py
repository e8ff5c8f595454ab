"""The reminder rules as data (`rules.yaml`): days ahead, escalation days and retry backoff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from junheng.standards import StandardError, read_yaml

RULES_FILE = Path(__file__).with_name("rules.yaml")


class RulesError(ValueError):
    """A malformed rules file; the message names the file and the key, in Chinese."""


@dataclass(frozen=True)
class Rules:
    digest_hour: int
    due_soon_days: int
    escalate_after_days: int
    backoff_minutes: tuple[int, ...]
    max_attempts: int

    def retry_after(self, attempts: int) -> timedelta | None:
        """How long to wait after `attempts` failed attempts; None when it is given up."""
        if attempts >= self.max_attempts:
            return None
        steps = self.backoff_minutes
        return timedelta(minutes=steps[min(attempts, len(steps)) - 1])

    def due_horizon(self, today: date) -> date:
        """The last deadline that is 'due soon' on `today`."""
        return today + timedelta(days=self.due_soon_days)


def _whole(data: dict, key: str, where: str, minimum: int = 0) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise RulesError(f"{where}：“{key}”应为不小于 {minimum} 的整数，现为“{value}”")
    return value


def parse(data: dict, where: str = RULES_FILE.name) -> Rules:
    """The rules from the file's mapping, or RulesError naming what is wrong."""
    known = {"digest_hour", "due_soon_days", "escalate_after_days", "retry"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise RulesError(f"{where}：无法识别的项“{'、'.join(map(str, unknown))}”")
    retry = data.get("retry")
    if not isinstance(retry, dict):
        raise RulesError(f"{where}：缺少“retry”（重试间隔和次数）")
    steps = retry.get("backoff_minutes")
    if (
        not isinstance(steps, list)
        or not steps
        or not all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in steps)
    ):
        raise RulesError(f"{where}：“retry.backoff_minutes”应为正整数（分钟）的列表")
    hour = _whole(data, "digest_hour", where)
    if hour > 23:
        raise RulesError(f"{where}：“digest_hour”应为 0 到 23 的整数（几点起发送），现为“{hour}”")
    return Rules(
        digest_hour=hour,
        due_soon_days=_whole(data, "due_soon_days", where),
        escalate_after_days=_whole(data, "escalate_after_days", where),
        backoff_minutes=tuple(steps),
        max_attempts=_whole(retry, "max_attempts", f"{where} retry", minimum=1),
    )


@cache
def rules() -> Rules:
    """The rules of `rules.yaml` (read once per process)."""
    try:
        data = read_yaml(RULES_FILE)
    except StandardError as exc:
        raise RulesError(str(exc)) from None
    return parse(data)


def overdue_days(deadline: date, today: date) -> int:
    """Whole days past the deadline (0 on the deadline day itself and before)."""
    return max(0, (today - deadline).days)


def escalates(deadline: date, today: date, after_days: int) -> bool:
    """An open task overdue more than `after_days` days goes to the county's leaders."""
    return overdue_days(deadline, today) > after_days
