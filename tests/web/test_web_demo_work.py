"""The demo's creation work (`registry.demo_work`, run by `junheng_demo`): each account finds
work in its 待办, the ledger holds the 2026 problems with their tasks, the 责任督学 has visits,
the meeting has a decision made a task, the county's public page is published and its address
printed; a second run adds nothing. `creation_work=False` gives the bare demo."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from junheng.inspections import kinds
from junheng.web.appraisal.models import Meeting, MeetingDecision
from junheng.web.clock import today
from junheng.web.inspections.models import Finding, Visit
from junheng.web.notifications.todo import todo_for
from junheng.web.public.models import PublicBulletin, PublicPage
from junheng.web.rectification.models import (
    Milestone,
    Phase,
    Plan,
    Problem,
    ProblemSource,
    ProgressUpdate,
    Task,
    Unit,
)
from junheng.web.registry.management.commands.junheng_demo import set_up_demo

pytestmark = pytest.mark.django_db(transaction=True)

MODELS = (Problem, Task, ProgressUpdate, Unit, Visit, Finding, Meeting, MeetingDecision, Plan)


def _run() -> str:
    out = io.StringIO()
    call_command("junheng_demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    models = (*MODELS, Phase, Milestone, PublicPage, PublicBulletin)
    return {m.__name__: m.objects.count() for m in models} | {
        "users": get_user_model().objects.count()
    }


def _todo(username: str) -> list[str]:
    user = get_user_model().objects.get(username=username)
    return [item.title for item in todo_for([user], today()).get(user.pk, [])]


@pytest.fixture
def no_password_env(monkeypatch):
    monkeypatch.delenv("JUNHENG_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("JUNHENG_DEMO_PASSWORD", raising=False)


def test_the_demo_has_creation_work_for_every_account_and_makes_it_once(no_password_env):
    first = _run()
    # 21 problems drawn from the 2026 evaluation (the ledger's own count, printed by it), one
    # task each; an inspection finding and a meeting decision add one problem and task each.
    assert "新增问题 21 个" in first
    assert Problem.objects.filter(source=ProblemSource.EVALUATION).count() == 21
    assert Problem.objects.count() == 23 and Task.objects.count() == 23
    evaluated = Problem.objects.filter(source=ProblemSource.EVALUATION, year__label="2026")
    assert evaluated.filter(tasks__isnull=True).count() == 0

    # The school's clerk: its own task due in 5 days, the township-led one it shares (3 days
    # late), and the year's data to fill in.
    day = today()
    school = _todo("school")
    assert sum(t.startswith("整改任务：石桥镇中心小学") for t in school) == 2
    assert "填报 2026 学年本校数据并提交审核" in school
    own = Task.objects.get(lead_unit__name="石桥镇中心小学", problem__source="evaluation")
    assert own.deadline == day + dt.timedelta(days=5)
    led = Task.objects.get(lead_unit__name="石桥镇中心校", problem__source="evaluation")
    assert led.deadline == day - dt.timedelta(days=3)
    # The township's office: the same two tasks (it leads one and is responsible for the other).
    assert sorted(_todo("township")) == sorted(t for t in school if t.startswith("整改任务"))
    # The 责任督学: today's planned visit (the one in three days is not due yet).
    visits = Visit.objects.filter(inspector__username="duxue")
    assert sorted((v.status, (v.planned_on - day).days) for v in visits.order_by("planned_on")) == [
        (kinds.DONE, -10),
        (kinds.PLANNED, 0),
        (kinds.PLANNED, 3),
    ]
    assert [t for t in _todo("duxue") if t.startswith("督导检查：")] == [
        f"督导检查：石桥镇中心小学（常规督导，计划 {day:%Y-%m-%d}）"
    ]
    finding = Finding.objects.get()
    assert finding.problem is not None and finding.problem.tasks.get().status == "待验收"
    # The county's administrator: the submitted school, the finding's task to approve, overdue
    # tasks to press (those of DEADLINE_DAYS -3 and -12 and the township's two).
    admin = _todo("county_admin")
    assert "验收销号：1 项整改任务已提交验收（2026 学年）" in admin
    assert any(t.startswith("督办：本县") for t in admin)
    # The meeting: decision 1 a closed task, decision 2 with its proposed lead unit.
    first_decision, second = MeetingDecision.objects.order_by("order")
    assert first_decision.problem.tasks.get().status == "已销号"
    assert second.problem is None and second.lead_unit.name == "县财政局"
    assert Plan.objects.get().target_year == 2027 and Phase.objects.count() == 3
    # the milestone of the phase that is over is done, those to come are not yet due
    assert sorted((m.day - day).days for m in Milestone.objects.filter(done=False)) == [60, 260]
    assert [(m.day - day).days for m in Milestone.objects.filter(done=True)] == [-100]

    # The public page is published and its address printed with the web address.
    page = PublicPage.objects.get()
    assert page.published
    address = f"http://127.0.0.1:8000/p/{page.slug}/"
    assert f"示范县创建工作进展公开页面（无需登录）：{address}" in first
    response = Client().get(f"/p/{page.slug}/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    html = response.content.decode()
    assert "示范县义务教育优质均衡发展创建工作进展" in html
    bulletin = PublicBulletin.objects.get()
    assert bulletin.period == "week" and bulletin.title in html
    # last week, Monday to Sunday: the Sunday before today is weekday()+1 days back (a Monday
    # gives the day before), its Monday six days before that
    assert bulletin.end == day - dt.timedelta(days=day.weekday() + 1)
    assert bulletin.start == bulletin.end - dt.timedelta(days=6)
    assert bulletin.start.weekday() == 0

    counts = _counts()
    second_output = _run()
    assert _counts() == counts
    assert "新增问题" not in second_output and "已登记推进会" not in second_output
    assert address in second_output


def test_the_bare_demo_has_no_creation_work(no_password_env):
    set_up_demo(creation_work=False)
    assert {m.__name__: m.objects.count() for m in MODELS} == dict.fromkeys(
        (m.__name__ for m in MODELS), 0
    )
    assert not PublicPage.objects.exists()
