"""Log records shaped for the operators who read standard error.

A refused request (403) is an everyday event: a leader opening an administrator's page, a school
user following an old link. Django logs it with the exception's traceback, a dozen lines that
bury the real errors; one line saying who, where and why is all an operator needs.
"""

from __future__ import annotations

import logging
from typing import Any


def _who(request: Any) -> str:
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return "未登录用户"
    return f"{user.get_username()}（编号 {user.pk}）"


def _one_line(text: str) -> str:
    # The reason is shown to users too and may be long; a log line must stay one line.
    return " ".join(str(text).split())


class ForbiddenOneLine(logging.Filter):
    """Turn Django's 403 record (message plus traceback) into one line: who, path, why."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.security.DisallowedHost":
            return _disallowed_host(record)
        if getattr(record, "status_code", None) != 403 or not record.exc_info:
            return True
        request = getattr(record, "request", None)
        exception = record.exc_info[1]
        # Django escapes the path (unicode_escape) so a crafted URL cannot forge log lines.
        path = getattr(request, "path", "")
        escaped = path.encode("unicode_escape").decode("ascii") if path else "?"
        reason = _one_line(exception) if exception is not None and str(exception) else "无权访问"
        record.msg = "拒绝访问（403）：用户 %s，路径 %s，原因：%s"
        record.args = (_who(request), escaped, reason)
        record.exc_info = None
        record.exc_text = None
        return True


def _disallowed_host(record: logging.LogRecord) -> bool:
    """A request for a host name the site does not serve (a scanner, a wrong DNS entry): one
    line naming the host and the setting, instead of a traceback."""
    request = getattr(record, "request", None)
    host = ""
    if request is not None:
        host = request.META.get("HTTP_HOST", "")
    host = host.encode("unicode_escape").decode("ascii")[:200] or "?"
    record.msg = "拒绝请求（400）：域名 %s 不在 JUNHENG_ALLOWED_HOSTS 中"
    record.args = (host,)
    record.exc_info = None
    record.exc_text = None
    return True
