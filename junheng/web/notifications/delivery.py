"""Queueing and sending reminders, each exactly once, safe with several workers at once.

1. `queue_digests` and `queue_escalations` insert `Delivery` rows with conflicts ignored: the
   unique (user, channel, key) makes a second worker's identical rows no-ops.
2. `send_due` claims rows with one conditional UPDATE (status pending, or failed and due, or a
   claim abandoned by a worker that died) that stamps its own claim token; only the rows
   carrying that token are sent by this worker. A row's claim is re-checked on every write.
3. A failure is kept with its reason and tried again after the backoff of `rules.yaml`; after
   the last attempt it is given up. A user who switched a channel or the digest off before the
   row is sent is not sent it (the row is cancelled).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from junheng.notifications import messages
from junheng.notifications.messages import Message
from junheng.notifications.rules import escalates, overdue_days, rules
from junheng.rectification.tasks import Status as TaskStatus
from junheng.web import clock
from junheng.web.accounts.models import Profile, Role
from junheng.web.notifications.models import (
    Channel,
    CountyChannel,
    Delivery,
    DeliveryStatus,
    Notification,
    Preference,
)
from junheng.web.notifications.sources import chunks, link, matching
from junheng.web.notifications.todo import todo_for
from junheng.web.rectification.models import Task, UnitMember

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=15)
"""A claim older than this belongs to a worker that stopped; its rows are claimed again."""
WEBHOOK_TIMEOUT = 10
"""Seconds to wait for a group-chat robot."""

DIGEST = "digest"
ESCALATION = "escalation"


@dataclass(frozen=True)
class Switches:
    in_app: bool = True
    email: bool = True
    robot: bool = True
    digest: bool = True
    webhook_url: str = ""

    def allows(self, channel: str) -> bool:
        return bool(getattr(self, channel))


def switches(user_ids: Sequence[int]) -> dict[int, Switches]:
    """Each user's switches (users without a saved row: all on)."""
    found: dict[int, Switches] = {}
    saved = Preference.objects.values(
        "user_id", "in_app", "email", "robot", "digest", "webhook_url"
    )
    for row in matching(saved, "user_id", user_ids):
        user_id = row.pop("user_id")
        found[user_id] = Switches(**row)
    return {pk: found.get(pk, Switches()) for pk in user_ids}


def site_url() -> str:
    return getattr(settings, "JUNHENG_SITE_URL", "").rstrip("/")


def recipients() -> list[AbstractBaseUser]:
    """Active users who work in the system: with a role or a ledger unit."""
    user_model = get_user_model()
    return list(
        user_model.objects.filter(is_active=True)
        .filter(Q(profile__isnull=False) | Q(rectification_membership__isnull=False))
        .only("id", "username", "first_name", "last_name", "email")
        .order_by("id")
    )


def home_counties(users: Sequence[AbstractBaseUser]) -> dict[int, int]:
    """The county each user works in (for the county's robot): profile, school, or unit."""
    found: dict[int, int] = {}
    ids = [u.pk for u in users]
    roles = Profile.objects.values("user_id", "county_id", "school__county_id")
    for row in matching(roles, "user_id", ids):
        if row["county_id"] or row["school__county_id"]:
            found[row["user_id"]] = row["county_id"] or row["school__county_id"]
    members = UnitMember.objects.values("user_id", "unit__county_id")
    for row in matching(members, "user_id", ids):
        found.setdefault(row["user_id"], row["unit__county_id"])
    return found


def robots(county_ids: Sequence[int]) -> dict[int, CountyChannel]:
    found: dict[int, CountyChannel] = {}
    for batch in chunks(sorted(set(county_ids))):
        for row in CountyChannel.objects.filter(county_id__in=batch):
            found[row.county_id] = row
    return found


def _channels(user: AbstractBaseUser, switch: Switches, robot_url: str) -> list[str]:
    chosen = []
    if switch.in_app:
        chosen.append(Channel.IN_APP)
    if switch.email and getattr(user, "email", ""):
        chosen.append(Channel.EMAIL)
    if switch.robot and (switch.webhook_url or robot_url):
        chosen.append(Channel.ROBOT)
    return chosen


def _name(user: AbstractBaseUser) -> str:
    return user.get_full_name() or user.get_username()  # type: ignore[attr-defined]


def build_digests(
    users: Sequence[AbstractBaseUser], today: date
) -> dict[int, tuple[AbstractBaseUser, Message]]:
    """Each user's digest for `today` (users with nothing to do, or the digest off, left out)."""
    switch = switches([u.pk for u in users])
    wanted = [u for u in users if switch[u.pk].digest]
    todo = todo_for(wanted, today)
    site = site_url()
    return {
        u.pk: (u, messages.digest(_name(u), today, todo[u.pk], site))
        for u in wanted
        if todo.get(u.pk)
    }


def queue_digests(today: date, users: Sequence[AbstractBaseUser] | None = None) -> int:
    """Queue today's digest of every user on every channel they keep on; returns rows new."""
    users = recipients() if users is None else users
    built = build_digests(users, today)
    switch = switches(list(built))
    counties = home_counties([u for u, _ in built.values()])
    county_robot = robots(list(counties.values()))
    now = timezone.now()
    rows = []
    for pk, (user, message) in built.items():
        county_id = counties.get(pk)
        robot = county_robot.get(county_id) if county_id else None
        for channel in _channels(user, switch[pk], robot.webhook_url if robot else ""):
            rows.append(
                Delivery(
                    user_id=pk,
                    channel=channel,
                    kind=DIGEST,
                    key=f"{DIGEST}:{today.isoformat()}",
                    county_id=county_id,
                    subject=message.subject,
                    text=message.text,
                    url=message.url,
                    next_attempt_at=now,
                )
            )
    return _insert(rows)


def _insert(rows: list[Delivery]) -> int:
    if not rows:
        return 0
    keys = {(r.user_id, r.channel, r.key) for r in rows}
    before = _existing(keys)
    Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(keys - before)


def _existing(keys: set[tuple[int, str, str]]) -> set[tuple[int, str, str]]:
    found: set[tuple[int, str, str]] = set()
    by_key: dict[str, list[int]] = defaultdict(list)
    for user_id, _, key in keys:
        by_key[key].append(user_id)
    for key, ids in by_key.items():
        for batch in chunks(sorted(set(ids))):
            found.update(
                Delivery.objects.filter(key=key, user_id__in=batch).values_list(
                    "user_id", "channel", "key"
                )
            )
    return found


def escalation_days(county_robot: CountyChannel | None) -> int:
    """Days overdue after which a county's tasks go to its leaders (its own or the default)."""
    if county_robot is not None and county_robot.escalate_after_days is not None:
        return county_robot.escalate_after_days
    return rules().escalate_after_days


def queue_escalations(today: date) -> int:
    """Queue, for the county's 县级领导 and 县级管理员, each open task overdue more than the
    county's escalation days (once per task and deadline); returns rows new."""
    own = CountyChannel.objects.filter(escalate_after_days__isnull=False).values_list(
        "escalate_after_days", flat=True
    )
    smallest = min([rules().escalate_after_days, *own])
    latest = today - timedelta(days=smallest + 1)
    tasks = list(
        Task.objects.exclude(status=TaskStatus.CLOSED.value)
        .filter(deadline__lte=latest)
        .values(
            "id",
            "deadline",
            "problem__title",
            "problem__county_id",
            "problem__county__name",
            "lead_unit__name",
        )
        .order_by("deadline", "id")
    )
    if not tasks:
        return 0
    county_ids = sorted({t["problem__county_id"] for t in tasks})
    county_robot = robots(county_ids)
    heads: dict[int, list[AbstractBaseUser]] = defaultdict(list)
    user_model = get_user_model()
    for batch in chunks(county_ids):
        for user in user_model.objects.filter(
            is_active=True,
            profile__role__in=[Role.LEADER, Role.COUNTY_ADMIN],
            profile__county_id__in=batch,
        ).select_related("profile"):
            heads[user.profile.county_id].append(user)
    switch = switches([u.pk for users in heads.values() for u in users])
    site = site_url()
    now = timezone.now()
    rows = []
    for task in tasks:
        county_id = task["problem__county_id"]
        robot = county_robot.get(county_id)
        after = escalation_days(robot)
        if not escalates(task["deadline"], today, after):
            continue
        header = messages.escalation_header(task["problem__county__name"], after)
        line = messages.escalation_line(
            messages.OverdueTask(
                f"{task['problem__title']} · {task['lead_unit__name']}",
                task["deadline"],
                overdue_days(task["deadline"], today),
                link("rectification_task", task["id"]),
            ),
            site,
        )
        for user in heads.get(county_id, ()):
            for channel in _channels(user, switch[user.pk], robot.webhook_url if robot else ""):
                rows.append(
                    Delivery(
                        user_id=user.pk,
                        channel=channel,
                        kind=ESCALATION,
                        key=f"{ESCALATION}:task:{task['id']}:{task['deadline'].isoformat()}",
                        county_id=county_id,
                        subject=header,
                        text=line,
                        url=link("rectification_task", task["id"]),
                        next_attempt_at=now,
                    )
                )
    return _insert(rows)


def _claimable(now: datetime) -> Q:
    return Q(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED], next_attempt_at__lte=now
    ) | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - LEASE)


def claim(now: datetime, limit: int = 2000) -> str | None:
    """Claim up to `limit` rows due now for this worker; returns its token (None: nothing)."""
    ids = list(
        Delivery.objects.filter(_claimable(now)).order_by("id").values_list("id", flat=True)[:limit]
    )
    if not ids:
        return None
    token = uuid.uuid4().hex
    claimed = 0
    for batch in chunks(ids):
        # One statement per batch: the condition is checked again on each row as it is
        # written, so a row another worker claimed in between is left to that worker.
        claimed += (
            Delivery.objects.filter(id__in=batch)
            .filter(_claimable(now))
            .update(status=DeliveryStatus.SENDING, claim=token, claimed_at=now)
        )
    return token if claimed else None


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0
    given_up: int = 0
    cancelled: int = 0


class DeliveryError(Exception):
    """A channel refused or failed the message; the text (Chinese) is kept on the row."""


def post_webhook(url: str, body: bytes) -> None:
    """POST the JSON to a robot; DeliveryError unless it answers 2xx (and no errcode)."""
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:
            answer = response.read(4096)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"群机器人返回错误（HTTP {exc.code}）") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"无法连接群机器人：{reason}") from None
    try:
        data: Any = json.loads(answer or b"{}")
    except ValueError:
        return
    if isinstance(data, dict) and data.get("errcode") not in (None, 0):
        raise DeliveryError(
            f"群机器人拒收（错误码 {data.get('errcode')}：{data.get('errmsg', '')}）"
        )


def _message(rows: Sequence[Delivery]) -> Message:
    if rows[0].kind == ESCALATION:
        return messages.escalation([(r.subject, r.text) for r in rows], site_url())
    return Message(rows[0].subject, rows[0].text, f"{site_url()}{rows[0].url}")


def _send(channel: str, user: AbstractBaseUser, rows: Sequence[Delivery], switch: Switches) -> None:
    message = _message(rows)
    if channel == Channel.EMAIL:
        address = getattr(user, "email", "")
        if not address:
            raise DeliveryError("账号中没有登记邮箱")
        try:
            send_mail(message.subject, message.text, None, [address])
        except Exception as exc:  # any failure of the mail server is retried
            raise DeliveryError(f"邮件发送失败：{exc.__class__.__name__}") from None
    elif channel == Channel.ROBOT:
        url = switch.webhook_url
        template = messages.DEFAULT_TEMPLATE
        county = CountyChannel.objects.filter(county_id=rows[0].county_id).first()
        if county is not None:
            template = county.template or template
            url = url or county.webhook_url
        if not url:
            raise DeliveryError("没有可用的群机器人地址")
        try:
            body = messages.robot_body(template, message)
        except messages.TemplateError as exc:
            raise DeliveryError(str(exc)) from None
        post_webhook(url, body)


def send_due(now: datetime | None = None) -> Outcome:
    """Send every row due now that this worker claims; returns what happened."""
    now = now or timezone.now()
    outcome = Outcome()
    while (token := claim(now)) is not None:
        rows = list(Delivery.objects.filter(claim=token, status=DeliveryStatus.SENDING))
        groups: dict[tuple[int, str, str], list[Delivery]] = defaultdict(list)
        for row in rows:
            groups[(row.user_id, row.channel, row.kind)].append(row)
        users = get_user_model().objects.in_bulk({r.user_id for r in rows})
        switch = switches(sorted({r.user_id for r in rows}))
        for (user_id, channel, kind), group in groups.items():
            _deliver(users[user_id], channel, kind, group, switch[user_id], token, now, outcome)
    return outcome


def _deliver(
    user: AbstractBaseUser,
    channel: str,
    kind: str,
    group: list[Delivery],
    switch: Switches,
    token: str,
    now: datetime,
    outcome: Outcome,
) -> None:
    ids = [r.pk for r in group]
    mine = Delivery.objects.filter(id__in=ids, claim=token, status=DeliveryStatus.SENDING)
    if not user.is_active or not switch.allows(channel) or (kind == DIGEST and not switch.digest):
        outcome.cancelled += mine.update(status=DeliveryStatus.CANCELLED)
        return
    try:
        if channel == Channel.IN_APP:
            message = _message(group)
            with transaction.atomic():
                if mine.update(
                    status=DeliveryStatus.SENT, sent_at=now, attempts=group[0].attempts + 1
                ):
                    Notification.objects.create(
                        user=user,
                        kind=kind,
                        title=message.subject,
                        text=message.text,
                        url=group[0].url if kind == DIGEST or len(group) == 1 else "",
                    )
                    outcome.sent += len(group)
            return
        _send(channel, user, group, switch)
    except DeliveryError as exc:
        attempts = group[0].attempts + 1
        wait = rules().retry_after(attempts)
        if wait is None:
            outcome.given_up += mine.update(
                status=DeliveryStatus.GIVEN_UP, attempts=attempts, last_error=str(exc)[:300]
            )
            log.warning("提醒多次发送失败，已放弃：%s", exc)
        else:
            outcome.failed += mine.update(
                status=DeliveryStatus.FAILED,
                attempts=attempts,
                next_attempt_at=now + wait,
                last_error=str(exc)[:300],
            )
        return
    outcome.sent += mine.update(
        status=DeliveryStatus.SENT, sent_at=now, attempts=group[0].attempts + 1
    )


def run(now: datetime | None = None) -> tuple[int, int, Outcome]:
    """What the daily command does: today's digests (from the digest hour on), escalations, and
    every row due. Returns (digest rows new, escalation rows new, outcome of sending)."""
    now = now or timezone.now()
    local = clock.local(now)
    today = local.date()
    digests = queue_digests(today) if local.hour >= rules().digest_hour else 0
    escalated = queue_escalations(today)
    return digests, escalated, send_due(now)
