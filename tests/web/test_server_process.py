"""How gunicorn runs the site: a server process that has computed refuses to fork workers that
would hang (forksafety.py), and a worker ended for a timeout is reported as a timeout, in
Chinese, never as "out of memory" (serverlog.py). gunicorn is started with the project's own
gunicorn.conf.py, as production and `junheng web` start it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config
from gunicorn.errors import HaltServer

from junheng.web import forksafety, serverlog

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "junheng" / "web" / "gunicorn.conf.py"
GUNICORN = Path(sys.executable).parent / "gunicorn"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _gunicorn(app: str, port: int, **env: str) -> subprocess.Popen[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("JUNHENG_")}
    environment |= {
        "JUNHENG_BIND": f"127.0.0.1:{port}",
        "JUNHENG_WORKERS": "1",
        "JUNHENG_LOG_LEVEL": "warning",
        "JUNHENG_ACCESS_LOG": "",
        **env,
    }
    return subprocess.Popen(
        [str(GUNICORN), "-c", str(CONFIG), f"tests.web.server_apps:{app}"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _get(port: int, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=timeout) as answer:
                return answer.read().decode()
        except (ConnectionError, urllib.error.URLError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _wait_for_listener(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_pool_threads_are_told_apart_from_polars_other_threads(tmp_path):
    # Polars starts its out-of-core cleaner ("polars-ooc-clea", the name cut to 15 characters)
    # and jemalloc its threads on import; only the numbered compute-pool threads break a fork.
    for tid, name in enumerate(
        ["python", "polars-ooc-clea", "jemalloc_bg_thd", "polars-1", "polars-0"]
    ):
        (tmp_path / str(tid)).mkdir()
        (tmp_path / str(tid) / "comm").write_text(name + "\n")
    assert forksafety.compute_pool_threads(tmp_path) == ["polars-0", "polars-1"]
    assert forksafety.compute_pool_threads(tmp_path / "missing") == []


def test_the_fork_hook_halts_only_when_the_pool_has_started(monkeypatch):
    server = SimpleNamespace()
    monkeypatch.setattr(forksafety, "compute_pool_threads", lambda: [])
    assert forksafety.refuse_fork_after_compute(server, None) is None
    monkeypatch.setattr(forksafety, "compute_pool_threads", lambda: ["polars-0", "polars-1"])
    with pytest.raises(HaltServer) as halted:
        forksafety.refuse_fork_after_compute(server, None)
    assert halted.value.exit_status == 3
    assert "线程池：polars-0、polars-1" in halted.value.reason
    assert "工作进程会在第一次计算时卡死" in halted.value.reason


def test_a_server_process_that_computed_stops_instead_of_forking_hung_workers():
    process = _gunicorn("computing", _free_port(), JUNHENG_TEST_COMPUTE_AT_IMPORT="1")
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 3
    assert "服务进程在启动工作进程之前已经使用过 Polars 计算" in output
    assert "Booting worker" not in output


def test_a_server_process_that_did_not_compute_serves_computations():
    port = _free_port()
    process = _gunicorn("computing", port)
    try:
        # grouped sums: a = 1 → 3 + 5 = 8, a = 2 → 4; their total 12
        assert _get(port) == "12"
        assert _get(port) == "12"
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert "Polars" not in output


def _log(tmp_path: Path, timeout: int = 120) -> tuple[serverlog.ServerLog, Path]:
    path = tmp_path / "error.log"
    config = Config()
    config.set("errorlog", str(path))
    config.set("timeout", timeout)
    return serverlog.ServerLog(config), path


def test_a_killed_worker_after_a_timeout_is_a_timeout_not_memory(tmp_path):
    log, path = _log(tmp_path, timeout=120)
    # gunicorn's own calls, word for word (arbiter.murder_workers, arbiter.reap_workers)
    log.critical("WORKER TIMEOUT (pid:%s)", 4242)
    log.error("Worker (pid:%s) was sent %s! Perhaps out of memory?", 4242, "SIGKILL")
    text = path.read_text()
    assert "工作进程 4242 处理一个请求超过 120 秒仍未完成（请求超时）" in text
    assert (
        "工作进程 4242 请求超时后没有响应结束信号，已被强制结束（SIGKILL）。"
        "这是超时，不是内存不足。" in text
    )
    assert "out of memory" not in text and "WORKER TIMEOUT" not in text


def test_a_killed_worker_without_a_timeout_may_be_memory(tmp_path):
    log, path = _log(tmp_path)
    log.critical("WORKER TIMEOUT (pid:%s)", 1)
    log.error("Worker (pid:%s) was sent %s! Perhaps out of memory?", 2, "SIGKILL")
    log.error("Worker (pid:%s) exited with code %s.", 3, 1)
    text = path.read_text()
    assert "工作进程 2 被强制结束（SIGKILL），可能是系统内存不足" in text
    # other messages pass through unchanged
    assert "Worker (pid:3) exited with code 1." in text


def test_a_stuck_request_is_reported_as_a_timeout_by_the_running_server():
    port = _free_port()
    process = _gunicorn("stuck", port, JUNHENG_TIMEOUT="2")
    try:
        _wait_for_listener(port)
        # The worker is ended after the 2 s timeout and the connection drops unanswered.
        with pytest.raises((ConnectionError, urllib.error.URLError)):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert "处理一个请求超过 2 秒仍未完成（请求超时）" in output
    assert "这是超时，不是内存不足" in output
    assert "out of memory" not in output


def _site(port: int, var_dir: Path, **env: str) -> subprocess.Popen[str]:
    """The site as production starts it (`gunicorn -c junheng/web/gunicorn.conf.py`), with only
    what the environment gives: no DJANGO_SETTINGS_MODULE, no JUNHENG_DEBUG."""
    environment = {
        k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")
    } | {
        "JUNHENG_BIND": f"127.0.0.1:{port}",
        "JUNHENG_WORKERS": "1",
        "JUNHENG_VAR_DIR": str(var_dir),
        "JUNHENG_ACCESS_LOG": "",
        **env,
    }
    return subprocess.Popen(
        [str(GUNICORN), "-c", str(CONFIG)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_the_production_command_without_a_key_refuses_to_start(tmp_path):
    process = _site(_free_port(), tmp_path)
    output, _ = process.communicate(timeout=60)
    assert process.returncode != 0
    assert (
        "未设置 JUNHENG_SECRET_KEY：正式运行（未设置 JUNHENG_DEBUG=1）时必须设置一个随机密钥"
        in (output)
    )


def test_the_production_command_never_shows_debug_pages(tmp_path):
    port = _free_port()
    process = _site(port, tmp_path, JUNHENG_SECRET_KEY="k" * 50, JUNHENG_HTTPS="0")
    try:
        _wait_for_listener(port)
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/no-such-page/", timeout=30)
        page = missing.value.read().decode()
        assert missing.value.code == 404 and "页面不存在" in page
        assert "URLconf" not in page and "Traceback" not in page
        foreign = urllib.request.Request(
            f"http://127.0.0.1:{port}/login/", headers={"Host": "evil.example"}
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(foreign, timeout=30)
        body = refused.value.read().decode()
        assert refused.value.code == 400 and "DisallowedHost" not in body
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert "Traceback" not in output


def test_the_production_command_refuses_debug_mode(tmp_path):
    process = _site(_free_port(), tmp_path, JUNHENG_DEBUG="1", JUNHENG_SECRET_KEY="k" * 50)
    output, _ = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "正式运行（gunicorn）不能打开调试模式，请删除设置 JUNHENG_DEBUG=1" in output
    assert "Booting worker" not in output
