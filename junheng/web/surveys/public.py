"""The public questionnaire: no login, one response per access code, light enough for a phone
on a poor connection (a plain HTML form, no scripts).

A form carries a signed ticket with a random nonce and the time it was shown. The time gives
the seconds the respondent took (the quality check needs nothing more exact); the nonce makes
a repeated POST of the same form, sent again because the answer never arrived, a success
instead of "code already used".

The ticket is also the form's protection against cross-site forgery, in place of Django's CSRF
token and cookie (the form's path is exempt from that middleware). A forged request is dangerous
where the victim's browser adds an authority the forger lacks (a session cookie); this path reads
no cookie and no session: what authorises a submission is the code in the address and a ticket
signed with the site's key for that very code, which only opening the form for that code gives.
Whoever can make a browser post them already holds both and could post them directly, so the
forgery gains nothing, exactly as with the CSRF token (whose cookie and mask cost more than the
rest of the form). A browser that names another site as the origin of the post is refused still.
"""

from __future__ import annotations

import secrets
import time
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import http_date
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from junheng.survey.distribution import is_code, normalize_code, printed_code
from junheng.survey.questionnaire import Questionnaire
from junheng.survey.rules import Distribution
from junheng.web.surveys import ratelimit, respond, services
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
    return respond.rules().distribution


def _page(template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """A public page rendered from its context alone: no context processors (the respondent
    has no account, no navigation and no messages to read), so no session is looked up."""
    return HttpResponse(get_template(template).render(context), status=status)


def _message(title: str, text: str, status: int, *, done: bool = False) -> HttpResponse:
    return _page(
        "surveys/public_message.html", {"title": title, "text": text, "done": done}, status
    )


def _refuse(request: HttpRequest, outcome: Outcome) -> HttpResponse:
    status, title, text = MESSAGES[outcome]
    return _message(title, text, status)


def _closed_or_not_open(
    request: HttpRequest, survey: respond.SurveyHead, outcome: Outcome
) -> HttpResponse:
    """CLOSED as `_refuse` says it; NOT_OPEN with the day and time the survey opens, when it
    is still ahead (a survey past its opening time but not yet started has no date to give)."""
    if outcome is not Outcome.NOT_OPEN or timezone.now() >= survey.opens_at:
        return _refuse(request, outcome)
    status, title, _ = MESSAGES[outcome]
    text = (
        f"本次调查将于 {services.opening_text(survey.opens_at)} 开始，"
        "请在开始后再扫码或输入访问码打开问卷。"
    )
    return _message(title, text, status)


def _too_many(request: HttpRequest) -> HttpResponse:
    seconds = _distribution().rate_limit_seconds
    return _message(
        "请稍后再试",
        f"来自您所在网络的请求过多，请等待 {seconds} 秒后再试。",
        429,
    )


@lru_cache(maxsize=1)
def _thanks_html() -> str:
    # the same page for everyone: rendered once per process
    return get_template("surveys/public_message.html").render(
        {
            "title": "已收到",
            "text": "您的答卷已经收到，感谢您参与本次调查！现在可以关闭此页面。",
            "done": True,
        }
    )


def _thanks(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_thanks_html())


@never_cache
@require_http_methods(["GET"])
def code_entry(request: HttpRequest) -> HttpResponse:
    """A page to type the code printed under the QR code. Nothing is looked up here (the form's
    address is), so nothing is counted against the address either."""
    typed = request.GET.get("code", "")
    error = ""
    if typed:
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


def _ticket(code: str, seen: respond.Seen | None = None) -> str:
    """The form's signed ticket: the code, a nonce and the time, and what the form shows (the
    code's row, survey, questionnaire version and the respondent's place), which lets its
    submission skip looking the code up (`respond.store_seen`)."""
    ticket: dict[str, Any] = {"c": code, "n": secrets.token_urlsafe(16), "t": time.time()}
    if seen is not None:
        ticket["s"] = [
            seen.code_pk,
            seen.survey_pk,
            seen.version,
            seen.group,
            seen.school_pk,
            seen.area_type,
            seen.rules_id,
        ]
    return signing.dumps(ticket, salt=TICKET_SALT)


def _seen(ticket: dict[str, Any]) -> respond.Seen | None:
    """What the ticket says its form showed; None for a ticket without it."""
    shown = ticket.get("s")
    if not isinstance(shown, list) or len(shown) != 7:
        return None
    try:
        return respond.Seen(*shown)
    except TypeError:
        return None


def _questions(questionnaire: Questionnaire, chosen: dict[str, str]) -> list[dict[str, Any]]:
    return [
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


_SLOT = "\x1f"
"""Marks the places of a form page's own values in its cached text (escaping leaves it alone)."""
_SLOTS = ("printed", "action", "ticket")
_pages: dict[tuple[object, ...], list[str]] = {}
"""(survey, version, what the page shows of the survey) → the blank form page cut at its slots."""


def _blank_page(
    found: respond.FoundCode, version: str, questionnaire: Questionnaire
) -> list[str] | None:
    """The blank form as text cut into pieces, the odd ones naming a slot: everything but the
    code and the ticket is the same for every respondent of a questionnaire version, so the
    template is rendered once per process and version. The key holds what the page shows of
    the survey, so a changed title or closing time is shown at once."""
    survey = found.survey
    key = (survey.pk, version, survey.title, survey.county, survey.closes_at)
    pieces = _pages.get(key)
    if pieces is None:
        context = {
            "survey": survey,
            "questionnaire": questionnaire,
            "questions": _questions(questionnaire, {}),
            "error": "",
            **{name: f"{_SLOT}{name}{_SLOT}" for name in _SLOTS},
        }
        pieces = get_template("surveys/public_form.html").render(context).split(_SLOT)
        if pieces[1::2] != list(_SLOTS):
            return None  # the slot's mark typed into a text of the survey: rendered each time
        if len(_pages) >= respond.CACHED_SURVEYS:
            _pages.clear()
        _pages[key] = pieces
    return pieces


def _filled(pieces: list[str], values: dict[str, str]) -> str:
    return "".join(escape(values[p]) if i % 2 else p for i, p in enumerate(pieces))


def _form(
    found: respond.FoundCode,
    version: str,
    questionnaire: Questionnaire,
    *,
    ticket: str,
    chosen: dict[str, str] | None = None,
    error: str = "",
) -> HttpResponse:
    values = {
        "printed": printed_code(found.code),
        "action": reverse("survey_form", args=[found.code]),
        "ticket": ticket,
    }
    pieces = None if chosen or error else _blank_page(found, version, questionnaire)
    if pieces is not None:
        return HttpResponse(_filled(pieces, values))
    context: dict[str, Any] = {
        "survey": found.survey,
        "questionnaire": questionnaire,
        "questions": _questions(questionnaire, chosen or {}),
        "error": error,
        **values,
    }
    return _page("surveys/public_form.html", context, 400 if error else 200)


_NO_STORE = "max-age=0, no-cache, no-store, must-revalidate, private"


def _not_kept(response: HttpResponse) -> HttpResponse:
    """`never_cache`'s headers, written directly: a form holds a ticket of its own, so no
    browser or proxy may keep it (the decorator's general header merging costs more)."""
    response["Expires"] = http_date()
    response["Cache-Control"] = _NO_STORE
    return response


def _same_site(request: HttpRequest) -> bool:
    """False when the browser says the post comes from another site (no Origin: true; the
    ticket is what proves the form, see the module's note)."""
    origin = request.META.get("HTTP_ORIGIN")
    if origin is None:
        return True
    return (
        origin == f"{request.scheme}://{request.get_host()}"
        or origin in settings.CSRF_TRUSTED_ORIGINS
    )


@csrf_exempt  # the signed ticket does its work (see the module's note)
@require_http_methods(["GET", "POST"])
def survey_form(request: HttpRequest, code: str) -> HttpResponse:
    return _not_kept(_answer(request, normalize_code(code)))


def _answer(request: HttpRequest, code: str) -> HttpResponse:
    if request.method == "POST":
        return _submit(request, code)
    distribution = _distribution()
    rate = ratelimit.where(request, distribution)
    found = respond.find(code, rate) if is_code(code, distribution) else None
    if found is None:
        # only requests for codes that do not exist count: guessing is what the limit stops
        if not ratelimit.count_miss(request, distribution):
            return _too_many(request)
        return _refuse(request, Outcome.UNKNOWN)
    if ratelimit.passed(found.rate_count, distribution):
        return _too_many(request)
    if found.used:
        return _refuse(request, Outcome.USED)
    state = respond.is_open(found.survey, timezone.now())
    if state is not None:
        return _closed_or_not_open(request, found.survey, Outcome(state))
    chosen = respond.questionnaire_for(found)
    if chosen is None:
        raise services.SurveyError("调查没有供这类调查对象作答的问卷")
    version, questionnaire = chosen
    seen = respond.Seen(
        found.pk,
        found.survey.pk,
        version,
        found.group,
        found.school_pk,
        found.area_type,
        found.survey.rules_id,
    )
    return _form(found, version, questionnaire, ticket=_ticket(code, seen))


def _submit(request: HttpRequest, code: str) -> HttpResponse:
    """A form's answers. The signed ticket proves the form was opened for this code (through
    the limit), so a submission is not counted again."""
    try:
        ticket = signing.loads(request.POST.get("ticket", ""), salt=TICKET_SALT)
    except signing.BadSignature:
        ticket = None
    if not _same_site(request):
        return _message(
            "表单无效",
            "答卷只能从本系统的问卷页面提交，请重新扫码或输入访问码打开问卷。",
            403,
        )
    if not isinstance(ticket, dict) or ticket.get("c") != code:
        return _message(
            "表单无效",
            "表单内容不完整或已被改动，请重新扫码或输入访问码打开问卷。",
            400,
        )
    seconds = round(time.time() - float(ticket["t"]))
    nonce, now = str(ticket["n"]), timezone.now()
    seen = _seen(ticket)
    if seen is not None and respond.store_seen(seen, nonce, request.POST, seconds, now):
        return _thanks(request)
    attempt = respond.submit(code, nonce, request.POST, seconds, now)
    outcome = Outcome(attempt.outcome)
    if outcome in (Outcome.ACCEPTED, Outcome.REPEATED):
        return _thanks(request)
    if outcome is Outcome.INVALID:
        assert attempt.found is not None and attempt.questionnaire is not None
        return _form(
            attempt.found,
            attempt.version,
            attempt.questionnaire,
            ticket=request.POST["ticket"],
            chosen=dict(request.POST.items()),
            error=attempt.message,
        )
    if outcome in (Outcome.CLOSED, Outcome.NOT_OPEN):
        assert attempt.found is not None
        return _closed_or_not_open(request, attempt.found.survey, outcome)
    return _refuse(request, outcome)
