"""`junheng web` (and `./run demo`): the web system on this computer, ready to try.

Prepares the database (and, unless told otherwise, the demo county with one account per role),
collects the static files and runs gunicorn with `gunicorn.conf.py`, as a server would, printing
in Chinese where to open it, how to log in and how to stop it.

The server runs with debug off, like a county's server, so every page (the 404 page included) is
the one users will see. It serves plain HTTP, so HTTPS settings are off unless the environment
says otherwise; the secret key is generated once and kept in the var folder.
"""

from __future__ import annotations

import errno
import multiprocessing
import os
import secrets
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent
GUNICORN_CONFIG = PACKAGE_DIR / "gunicorn.conf.py"
SECRET_KEY_FILE = "secret_key"

Echo = Callable[[str], None]


def _echo(line: str) -> None:
    # Flushed at once: the output may be a pipe (a test, a log) that waits for the address.
    print(line, flush=True)


def _var_dir() -> Path:
    # The same folder as settings.VAR_DIR, found before the settings are imported because the
    # secret key must be in the environment by then.
    default = PACKAGE_DIR.parent.parent / "var"
    return Path(os.environ.get("JUNHENG_VAR_DIR", default))


def port_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on host:port, in Chinese; None when it can."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        return f"无法识别监听地址“{host}”。请使用本机的 IP 地址，例如 127.0.0.1 或 0.0.0.0。"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        # As gunicorn does, so a port left in TIME_WAIT by a stopped server counts as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except PermissionError:
            return (
                f"没有权限使用端口 {port}（1024 以下的端口需要管理员权限）。"
                "请换一个端口，例如：./run demo --port 8080"
            )
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (
                    f"端口 {port} 已被占用：可能均衡网页系统已经在运行，"
                    "或另一个程序正在使用该端口。"
                    f"请先停止那个程序，或换一个端口，例如：./run demo --port {port + 1}"
                )
            if exc.errno == errno.EADDRNOTAVAIL:
                return f"本机没有地址 {host}。请使用本机的 IP 地址，例如 127.0.0.1 或 0.0.0.0。"
            return f"无法在 {host}:{port} 上启动服务：{exc.strerror or exc}"
    return None


def _wildcard(host: str) -> bool:
    return host in ("0.0.0.0", "::", "")


def _url_host(host: str) -> str:
    if _wildcard(host):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _lan_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback, for opening the site from elsewhere."""
    found: list[str] = []
    # The address of the interface that routes to the local network. Connecting a UDP socket
    # sends nothing; it only picks the route.
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.254.254.254", 1))
            found.append(str(probe.getsockname()[0]))
    except OSError:
        pass
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        infos = []
    found += [str(info[4][0]) for info in infos]
    unique = dict.fromkeys(a for a in found if not a.startswith(("127.", "0.")))
    return list(unique)


def prepare_environment(host: str) -> None:
    """Settings for a server on this computer; values already in the environment win."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "junheng.web.settings")
    os.environ.setdefault("JUNHENG_DEBUG", "0")
    os.environ.setdefault("JUNHENG_HTTPS", "0")
    if _wildcard(host):
        # Reached from other computers by whatever address they use for this one.
        os.environ.setdefault("JUNHENG_ALLOWED_HOSTS", "*")
    elif host not in ("127.0.0.1", "localhost", "::1"):
        os.environ.setdefault("JUNHENG_ALLOWED_HOSTS", f"localhost,127.0.0.1,[::1],{host}")
    if not os.environ.get("JUNHENG_SECRET_KEY"):
        os.environ["JUNHENG_SECRET_KEY"] = _local_secret_key(_var_dir())


def _local_secret_key(var_dir: Path) -> str:
    """The key kept in the var folder (created once, readable by this user only)."""
    path = var_dir / SECRET_KEY_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def _banner(
    host: str,
    port: int,
    logins: Sequence[Any] | None,
    has_users: bool = True,
    public: Sequence[str] = (),
) -> list[str]:
    from junheng.web.registry.management.commands.junheng_demo import login_lines

    url = f"http://{_url_host(host)}:{port}/"
    lines = ["", "=" * 64, f"均衡网页系统已启动。请在浏览器中打开：{url}"]
    if _wildcard(host):
        others = [f"http://{address}:{port}/" for address in _lan_addresses()]
        if others:
            lines.append(f"局域网内的其他电脑和手机可打开：{'  '.join(others)}")
    lines += public
    if logins:
        lines += ["", "演示账号（示范县 2024—2026 年数据）：", *login_lines(logins)]
    if not has_users:
        lines += [
            "",
            "还没有任何账号：请在另一个窗口创建管理员：",
            "  .venv/bin/python -m junheng.web.manage createsuperuser",
        ]
    lines += [
        "",
        "这是试用模式：使用 HTTP 和本机生成的密钥（var/secret_key），数据保存在 var/ 中；"
        "正式部署请按 docs/deployment.md 进行。",
        "停止服务：在本窗口按 Ctrl+C。",
        "只在命令行查看示范县的评估结果：./run junheng demo",
        "=" * 64,
        "",
    ]
    return lines


def _gunicorn(options: dict[str, Any]) -> Any:
    from gunicorn.app.base import Application

    class JunhengServer(Application):
        def init(self, parser: Any, opts: Any, args: Any) -> None:  # pragma: no cover
            return None

        def load_config(self) -> None:
            self.load_config_from_file(str(GUNICORN_CONFIG))
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from junheng.web.wsgi import application

            return application

    return JunhengServer()


def _prepare(demo: bool, echo: Echo) -> tuple[Sequence[Any] | None, bool]:
    """Database, demo data and static files; the demo logins and whether any account exists."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    logins = None
    if demo:
        from junheng.web.registry.management.commands.junheng_demo import set_up_demo

        echo("正在准备示范县的数据和演示账号…")
        logins = set_up_demo(echo)
    else:
        call_command("migrate", interactive=False, verbosity=0)
        echo("数据库已就绪。")
    # Debug is off, so WhiteNoise serves what collectstatic gathered (copies only what changed).
    call_command("collectstatic", interactive=False, verbosity=0)
    return logins, get_user_model().objects.exists()


class PreparationFailed(Exception):
    """The preparation process could not set up the database; the message is for the user."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _prepare_child(demo: bool, results: Connection) -> None:
    """The body of the preparation process (started with `spawn`: a fresh interpreter)."""
    import django
    from django.db import DatabaseError

    try:
        django.setup()
        logins, has_users = _prepare(demo, _echo)
    except KeyboardInterrupt:
        return  # the server process, which got the same Ctrl+C, says it was cancelled
    except DatabaseError as exc:
        results.send(("database", str(exc).strip()))
        return
    results.send(("ready", (list(logins) if logins is not None else None, has_users)))


def prepare_in_own_process(demo: bool) -> tuple[Sequence[Any] | None, bool]:
    """`_prepare` in a process of its own, which ends before the server starts.

    Loading and evaluating the demo county runs Polars, whose thread pool is started on first
    use and does not survive a fork: a gunicorn worker forked from a process that had used it
    waits forever on its first computation. The server process therefore never computes; a
    fresh interpreter does the set-up and only the logins come back.
    """
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_prepare_child, args=(demo, send), name="junheng-prepare")
    child.start()
    send.close()
    try:
        try:
            kind, payload = receive.recv()
        except EOFError:
            kind, payload = "died", None
        child.join()
    except KeyboardInterrupt:
        child.join(timeout=30)
        raise
    finally:
        receive.close()
    if kind == "ready":
        return payload
    if kind == "database":
        raise PreparationFailed(
            f"无法使用数据库（{payload}）。"
            "请检查 DATABASE_URL，或不设置它以使用 var/ 中的 SQLite 数据库。",
            2,
        )
    if child.exitcode in (0, -signal.SIGINT, 130):
        raise KeyboardInterrupt
    raise PreparationFailed(
        f"准备数据时出错（准备进程退出，状态 {child.exitcode}），服务未启动。"
        "请查看上面的错误信息。",
        2,
    )


def start_worker() -> subprocess.Popen[bytes]:
    """The background worker that generates reports and archives (`junheng_worker`), in a
    process of its own beside the server, with the server's settings."""
    command = [sys.executable, "-m", "junheng.web.manage", "junheng_worker"]
    return subprocess.Popen(
        [*command, "--verbosity", "0", "--no-startup-delay", "--no-reload"],
        env=dict(os.environ),
    )


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    """Ask the worker to stop (it finishes the file it is writing), then end it."""
    if worker.poll() is not None:
        return
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 2,
    demo: bool = True,
    echo: Echo = _echo,
) -> int:
    """Prepare and run the server until it is stopped; returns the exit status on failure."""
    problem = port_problem(host, port)
    if problem is not None:
        print(f"错误：{problem}", file=sys.stderr, flush=True)
        return 1
    prepare_environment(host)

    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        print(f"错误：{exc}", file=sys.stderr, flush=True)
        return 2

    from django.db import connections

    try:
        logins, has_users = prepare_in_own_process(demo)
    except KeyboardInterrupt:
        print("已取消，服务未启动。", file=sys.stderr, flush=True)
        return 130
    except PreparationFailed as exc:
        print(f"错误：{exc}", file=sys.stderr, flush=True)
        return exc.status
    public: list[str] = []
    if demo:
        from junheng.web.registry.management.commands.junheng_demo import public_lines

        # one read of the demo county's public address, before the connection is closed
        public = public_lines(f"http://{_url_host(host)}:{port}/")
    # The workers are forked from this process: none may inherit an open database connection.
    connections.close_all()

    banner = _banner(host, port, logins, has_users, public)
    worker = start_worker()

    def when_ready(server: Any) -> None:
        for line in banner:
            echo(line)

    def on_exit(server: Any) -> None:
        stop_worker(worker)
        echo("均衡网页系统已停止。")

    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    options: dict[str, Any] = {
        "bind": [bind],
        "workers": workers,
        "when_ready": when_ready,
        "on_exit": on_exit,
    }
    # In a terminal, a line per request (or gunicorn's start-up notes) would push the address
    # and the logins out of sight; warnings and errors are still shown.
    if "JUNHENG_ACCESS_LOG" not in os.environ:
        options["accesslog"] = None
    if "JUNHENG_LOG_LEVEL" not in os.environ:
        options["loglevel"] = "warning"
    try:
        _gunicorn(options).run()
    finally:
        stop_worker(worker)
    return 0
