"""The public questionnaire: no login, one response per access code, light enough for a phone
on a poor connection (a plain HTML form, no scripts).

A form carries a signed ticket with a random nonce and the time it was shown. The time gives
the seconds the respondent took (the quality check needs nothing more exact); the nonce makes
a repeated POST of the same form, sent again because the answer never arrived, a success
instead of "code already used".
"""

from __future__ import annotations

import secrets
import time

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from junheng.survey.distribution import is_code, normalize_code, printed_code
from junheng.survey.loader import load_rules
from junheng.survey.questionnaire import Questionnaire
from junheng.survey.rules import Distribution
from junheng.web.surveys import ratelimit, services
from junheng.web.surveys.models import AccessCode, Survey
from junheng.web.surveys.services import Outcome

TICKET_SALT = "junheng.surveys.form"

MESSAGES: dict[Outcome, tuple[int, str, str]] = {
    Outcome.UNKNOWN: (
        404,
        "访问码不存在",
        "没有找到这个访问码。请核对纸条上的访问码（不区分大小写，短横线可不输入）后重新输入。",
    ),
    Outcome.USED: (
        409,
        "访问码已使用",
        "这个访问码已经提交过答卷，每个访问码只能提交一次。如有疑问，请联系发放访问码的学校。",
    ),
    Outcome.CLOSED: (410, "调查已结束", "本次调查已经结束，不再接受答卷。感谢您的关注！"),
    Outcome.NOT_OPEN: (403, "调查尚未开始", "本次调查还没有开始，请在调查开始后再打开此页面。"),
}


def _distribution() -> Distribution:
    return load_rules().distribution


def _refuse(request: HttpRequest, outcome: Outcome) -> HttpResponse:
    status, title, text = MESSAGES[outcome]
    return render(
        request, "surveys/public_message.html", {"title": title, "text": text}, status=status
    )


def _closed_or_not_open(request: HttpRequest, survey: Survey, outcome: Outcome) -> HttpResponse:
    """CLOSED as `_refuse` says it; NOT_OPEN with the day and time the survey opens, when it
    is still ahead (a survey past its opening time but not yet started has no date to give)."""
    if outcome is not Outcome.NOT_OPEN or timezone.now() >= survey.opens_at:
        return _refuse(request, outcome)
    status, title, _ = MESSAGES[outcome]
    text = (
        f"本次调查将于 {services.opening_text(survey.opens_at)} 开始，"
        "请在开始后再扫码或输入访问码打开问卷。"
    )
    return render(
        request, "surveys/public_message.html", {"title": title, "text": text}, status=status
    )


def _too_many(request: HttpRequest) -> HttpResponse:
    seconds = _distribution().rate_limit_seconds
    return render(
        request,
        "surveys/public_message.html",
        {"title": "请稍后再试", "text": f"来自您所在网络的请求过多，请等待 {seconds} 秒后再试。"},
        status=429,
    )


def _thanks(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "surveys/public_message.html",
        {
            "title": "已收到",
            "text": "您的答卷已经收到，感谢您参与本次调查！现在可以关闭此页面。",
            "done": True,
        },
    )


@never_cache
@require_http_methods(["GET"])
def code_entry(request: HttpRequest) -> HttpResponse:
    """A page to type the code printed under the QR code."""
    typed = request.GET.get("code", "")
    error = ""
    if typed:
        if not ratelimit.allow(request, _distribution()):
            return _too_many(request)
        code = normalize_code(typed)
        if is_code(code, _distribution()):
            return redirect("survey_form", code=code)
        error = f"访问码应为 {_distribution().code_length} 位字母和数字，请核对后重新输入。"
    return render(
        request,
        "surveys/public_code.html",
        {"typed": typed, "error": error},
        status=400 if error else 200,
    )


def _ticket(code: str) -> str:
    return signing.dumps(
        {"c": code, "n": secrets.token_urlsafe(16), "t": time.time()}, salt=TICKET_SALT
    )


def _form(
    request: HttpRequest,
    access: AccessCode,
    questionnaire: Questionnaire,
    *,
    ticket: str,
    chosen: dict[str, str] | None = None,
    error: str = "",
) -> HttpResponse:
    chosen = chosen or {}
    questions = [
        {
            "number": n,
            "id": q.id,
            "text": q.text,
            "options": [
                {"value": v, "label": label, "checked": chosen.get(f"q_{q.id}") == str(v)}
                for v, label in questionnaire.scale
            ],
        }
        for n, q in enumerate(questionnaire.questions, start=1)
    ]
    return render(
        request,
        "surveys/public_form.html",
        {
            "survey": access.survey,
            "questionnaire": questionnaire,
            "questions": questions,
            "code": access.code,
            "printed": printed_code(access.code),
            "ticket": ticket,
            "error": error,
            "action": reverse("survey_form", args=[access.code]),
        },
        status=400 if error else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def survey_form(request: HttpRequest, code: str) -> HttpResponse:
    if not ratelimit.allow(request, _distribution()):
        return _too_many(request)
    code = normalize_code(code)
    if request.method == "POST":
        return _submit(request, code)
    access = services.find_code(code) if is_code(code, _distribution()) else None
    if access is None:
        return _refuse(request, Outcome.UNKNOWN)
    if access.used:
        return _refuse(request, Outcome.USED)
    state = services.form_state(access.survey, timezone.now())
    if state is not None:
        return _closed_or_not_open(request, access.survey, state)
    questionnaire = services.questionnaire_for_group(access.survey, access.batch.group)
    return _form(request, access, questionnaire, ticket=_ticket(code))


def _submit(request: HttpRequest, code: str) -> HttpResponse:
    try:
        ticket = signing.loads(request.POST.get("ticket", ""), salt=TICKET_SALT)
    except signing.BadSignature:
        ticket = None
    if not isinstance(ticket, dict) or ticket.get("c") != code:
        return render(
            request,
            "surveys/public_message.html",
            {
                "title": "表单无效",
                "text": "表单内容不完整或已被改动，请重新扫码或输入访问码打开问卷。",
            },
            status=400,
        )
    seconds = round(time.time() - float(ticket["t"]))
    result = services.submit(code, str(ticket["n"]), request.POST, seconds, timezone.now())
    if result.outcome in (Outcome.ACCEPTED, Outcome.REPEATED):
        return _thanks(request)
    if result.outcome is Outcome.INVALID:
        access = services.find_code(code)
        assert access is not None
        questionnaire = services.questionnaire_for_group(access.survey, access.batch.group)
        return _form(
            request,
            access,
            questionnaire,
            ticket=request.POST["ticket"],
            chosen=dict(request.POST.items()),
            error=result.message,
        )
    if result.outcome in (Outcome.CLOSED, Outcome.NOT_OPEN):
        access = services.find_code(code)
        assert access is not None
        return _closed_or_not_open(request, access.survey, result.outcome)
    return _refuse(request, result.outcome)
