"""gunicorn settings for Junheng.

Production (see docs/deployment.md): `gunicorn -c junheng/web/gunicorn.conf.py` behind nginx.
`junheng web` (and so `./run demo`) starts gunicorn with this file too and sets the address,
the number of workers and the hooks that print the demo logins.

Every value can be changed through the environment, so the systemd unit, not this file, holds a
county's choices.
"""

from __future__ import annotations

import os

wsgi_app = "junheng.web.wsgi:application"

# gunicorn is how the site runs for its users: never with Django's debug pages, which list every
# URL and print tracebacks with settings to anyone. Developers use `manage runserver` instead.
if os.environ.get("JUNHENG_DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}:
    raise SystemExit(
        "错误：正式运行（gunicorn）不能打开调试模式，请删除设置 JUNHENG_DEBUG=1。"
        "开发时请用：python -m junheng.web.manage runserver"
    )

# Only nginx on the same machine talks to gunicorn: it terminates TLS and sets X-Forwarded-Proto,
# which Django trusts (settings.SECURE_PROXY_SSL_HEADER) because nobody else can reach this port.
bind = [os.environ.get("JUNHENG_BIND", "127.0.0.1:8000")]

# Sync workers behind a buffering proxy: every request is short except imports and evaluations,
# which are CPU-bound, so threads would not help. Two per core plus one, within the memory of a
# small county server (a worker with Polars and the standards loaded takes about 150 MB).
workers = int(os.environ.get("JUNHENG_WORKERS", str(min(2 * (os.cpu_count() or 1) + 1, 8))))
worker_class = "sync"
# Importing 400 per-school workbooks or evaluating a large county takes seconds, not minutes;
# two minutes leaves room on a slow machine while still ending a stuck request.
timeout = int(os.environ.get("JUNHENG_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so memory held by large imports is returned to the system.
max_requests = 1000
max_requests_jitter = 100
# The application (Django, every view, Polars, the standards, the compiled templates: see
# junheng/web/warmup.py) is loaded once, before the workers are forked: a recycled worker answers
# its first request in milliseconds instead of spending seconds of CPU on imports while the
# others serve, and the workers share the loaded code's memory. Django opens no database
# connection on import, so none is inherited.
preload_app = True
# The heartbeat file lives in memory when possible: a busy disk must not get workers killed.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Logs go to standard output and error, where systemd's journal (or the terminal) collects them.
# The access log shows the address nginx received the request from and the time taken.
accesslog = os.environ.get("JUNHENG_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("JUNHENG_LOG_LEVEL", "info").lower()
access_log_format = '%({x-forwarded-for}i)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
capture_output = True

# gunicorn's control socket (gunicornc) is not used; one fixed path per user would make two
# instances on one machine (a demo beside a test server) fight over it.
control_socket_disable = True
proc_name = "junheng"

# A worker forked from a process that has computed with Polars hangs on its first computation;
# the server stops with a message instead (junheng/web/forksafety.py).
pre_fork = "junheng.web.forksafety.refuse_fork_after_compute"
# Timeouts reported as timeouts, in Chinese (gunicorn calls a killed worker "out of memory").
logger_class = "junheng.web.serverlog.ServerLog"
