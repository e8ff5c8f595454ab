"""The web system started the way `./run demo` starts it: `junheng web` in its own process on a
free port, with a fresh data folder; a browser logs in with the password it printed. Then Ctrl+C,
a second start on the same folder (nothing reloaded, the session still valid), and a start on a
port that is taken."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.browser.browsing import login, screenshot

JUNHENG = Path(sys.executable).parent / "junheng"
READY = "均衡网页系统已启动"
START_TIMEOUT = 180


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _env(var_dir: Path) -> dict[str, str]:
    # Only what a person's shell would have: no DATABASE_URL of this test run, no JUNHENG_….
    keep = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    return keep | {"JUNHENG_VAR_DIR": str(var_dir)}


@dataclass
class Server:
    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    _queue: queue.Queue[str | None] = field(default_factory=queue.Queue)

    @classmethod
    def start(cls, *args: str, var_dir: Path) -> Server:
        process = subprocess.Popen(
            [str(JUNHENG), "web", *args],
            env=_env(var_dir),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        server = cls(process)
        threading.Thread(target=server._read, daemon=True).start()
        return server

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, text: str, timeout: float = START_TIMEOUT) -> str:
        """Everything printed until a line containing `text`."""
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            try:
                line = self._queue.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                raise AssertionError(f"no “{text}” after {timeout} s:\n" + self.output) from None
            if line is None:
                raise AssertionError(f"ended before “{text}”:\n" + self.output)
            self.lines.append(line)
        return self.output

    def stop(self) -> int:
        """Ctrl+C, as a person in the terminal would press it."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
        code = self.process.wait(timeout=60)
        while (line := self._queue.get(timeout=10)) is not None:
            self.lines.append(line)
        return code

    @property
    def output(self) -> str:
        return "\n".join(self.lines)


@pytest.fixture
def start() -> Iterator:
    servers: list[Server] = []

    def run(*args: str, var_dir: Path) -> Server:
        server = Server.start(*args, var_dir=var_dir)
        servers.append(server)
        return server

    yield run
    for server in servers:
        if server.process.poll() is None:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait()


DEMO_USERNAMES = ("admin", "county_admin", "school", "leader", "inspector", "township", "duxue")


def _passwords(output: str) -> dict[str, str]:
    found = {}
    for line in output.splitlines():
        cells = line.split()
        if cells and cells[0] in DEMO_USERNAMES:
            found[cells[0]] = cells[1]
    return found


def test_the_demo_server_from_first_start_to_ctrl_c_and_again(page, tmp_path, start):
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = start("--port", str(port), var_dir=tmp_path)
    output = server.wait_for(READY)
    # First start: the database, three years of data evaluated, the accounts, then the address.
    for year in ("2024", "2025", "2026"):
        assert f"已完成评估：示范县 {year} 年，结论：未达标。" in output
    assert f"均衡网页系统已启动。请在浏览器中打开：{url}/" in output
    server.wait_for("只在命令行查看示范县的评估结果：./run junheng demo")
    assert "停止服务：在本窗口按 Ctrl+C。" in server.output
    # The demo's creation work: the county's public progress page, its address printed.
    public = re.search(
        rf"创建工作进展公开页面（无需登录）：({re.escape(url)}/p/[a-z0-9-]+/)", server.output
    )
    assert public, server.output
    shown = page.goto(public.group(1))
    assert shown.status == 200
    assert page.locator("h1").inner_text() == "示范县义务教育优质均衡发展创建工作进展"
    screenshot(page, "server-public-page")
    passwords = _passwords(server.output)
    assert sorted(passwords) == [
        "admin",
        "county_admin",
        "duxue",
        "inspector",
        "leader",
        "school",
        "township",
    ]
    assert (tmp_path / "junheng.sqlite3").exists()
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600

    # Every page runs under the site's Content-Security-Policy: nothing it needs may be refused.
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    login(page, url, "county_admin", passwords["county_admin"])
    assert re.search(r"/counties/\d+/2026/$", page.url)
    policy = page.request.get(page.url).headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    overview = page.url
    heading = page.locator("h1").inner_text()
    assert "示范县" in heading and "2026 学年" in heading
    screenshot(page, "server-county-admin")
    # Debug is off as on a county's server: the Chinese 404 page, static files from collectstatic.
    missing = page.goto(f"{url}/schools/0000000000/2026/")
    assert missing.status == 404 and page.locator("h1").inner_text() == "页面不存在"
    assets = page.request.get(f"{url}/static/vendor/echarts.min.js")
    assert assets.status == 200 and len(assets.body()) > 500_000

    _first_writes(page, url, overview)
    _reports_from_the_worker(page, url, overview)
    for path in ("", "indicators/R4/primary/", "review/", "import/", "rectification/"):
        page.goto(f"{overview}{path}")
        assert page.locator("h1").count() == 1, path
    page.goto(overview)
    page.wait_for_selector("[data-chart] canvas")
    assert refused == []
    assert "WORKER TIMEOUT" not in server.output and "超时" not in server.output

    assert server.stop() == 0
    assert "均衡网页系统已停止。" in server.output
    assert "Traceback" not in server.output

    # Second start on the same folder: nothing loaded again, no password shown, and the browser's
    # session still valid because the secret key was kept.
    again = start("--port", str(port), var_dir=tmp_path)
    output = again.wait_for(READY)
    assert "已载入" not in output and output.count("保留现有数据") == 3
    again.wait_for("./run junheng demo")
    assert again.output.count("（首次运行时已显示）") == 7
    assert again.output.count(public.group(1)) == 1 and "已登记推进会" not in again.output
    assert not set(passwords.values()) & set(again.output.split())
    page.goto(overview)
    assert page.url == overview
    assert again.stop() == 0


# A request that hangs is ended by gunicorn after 120 s; a hung worker fails well before that.
ANSWER_WITHIN_MS = 60_000


def _first_writes(page, url: str, overview: str) -> None:
    """The writes a county makes on its first day, each the first computation of a worker (two
    workers, so each is reached): every one must be answered, none may hang in a thread pool
    inherited from the server process."""
    county_path = overview.removeprefix(url)  # /counties/<id>/2026/
    page.goto(f"{url}{county_path}review/")
    school_link = page.locator("a[href^='/schools/']", has_text="石桥镇中心小学").first
    school_id = school_link.get_attribute("href").split("/")[2]

    def csrf() -> str:
        cookies = page.context.cookies(url)
        return next(c["value"] for c in cookies if c["name"] == "csrftoken")

    def post(path: str, **kwargs):
        form = kwargs.pop("form", {}) | {"csrfmiddlewaretoken": csrf()}
        if "multipart" in kwargs:
            kwargs["multipart"] |= form
        else:
            kwargs["form"] = form
        return page.request.post(f"{url}{path}", timeout=ANSWER_WITHIN_MS, **kwargs)

    # 重新评估 with all data.
    evaluated = post(f"{county_path}evaluate/", form={"data": "all"})
    assert evaluated.ok and "示范县" in evaluated.text()
    # The first save of a school's data form, through the page as a clerk would.
    page.goto(f"{url}/schools/{school_id}/2026/edit/")
    with page.expect_navigation(wait_until="load", timeout=ANSWER_WITHIN_MS):
        page.get_by_role("button", name="保存").click()
    assert "石桥镇中心小学" in page.locator("h1").inner_text()
    # The templates: one school's book, the county workbook, every school's book in a zip.
    book = page.request.get(
        f"{url}/schools/{school_id}/2026/template.xlsx", timeout=ANSWER_WITHIN_MS
    )
    assert book.ok and book.body()[:2] == b"PK"
    for name in ("county.xlsx", "schools.zip"):
        got = page.request.get(f"{url}{county_path}templates/{name}", timeout=ANSWER_WITHIN_MS)
        assert got.ok and got.body()[:2] == b"PK", name
    # A web import of that book: checked (and loaded, or its problems listed), never 正在校验.
    upload = {
        "name": "石桥镇中心小学.xlsx",
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "buffer": book.body(),
    }
    imported = post(f"/schools/{school_id}/2026/import/", multipart={"files": upload})
    assert imported.ok and "导入结果" in imported.text() and "正在校验" not in imported.text()
    # 生成问题清单 from the new evaluation.
    generated = post(f"{county_path}rectification/generate/")
    assert generated.ok and "问题" in generated.text()


def _reports_from_the_worker(page, url: str, overview: str) -> None:
    """The county's documents through the background worker `junheng web` started: 重新评估, then
    生成自评报告 and 生成评估附表 on the 报告 page, the progress watched until the files are
    listed, and both downloaded."""
    county_path = overview.removeprefix(url)
    page.goto(f"{url}{county_path}evaluate/")
    page.locator("input[name=data][value=all]").check()
    with page.expect_navigation(timeout=ANSWER_WITHIN_MS):
        page.get_by_role("button", name="开始评估").click()
    page.goto(f"{url}{county_path}reports/")
    assert page.locator("h1").inner_text() == "示范县 2026学年 报告"
    for kind in ("自评报告", "评估附表"):
        with page.expect_navigation(timeout=ANSWER_WITHIN_MS):
            page.get_by_role("button", name=f"生成{kind}").click()
        assert f"已开始生成{kind}" in page.locator(".messages").inner_text()
    screenshot(page, "server-reports-progress")
    # the jobs box polls every 2 s and reloads the page when nothing waits or runs any more
    documents = page.locator("table.documents")
    documents.get_by_text("示范县2026学年自评报告.docx").wait_for(timeout=180_000)
    documents.get_by_text("示范县2026学年评估附表.xlsx").wait_for(timeout=60_000)
    assert "失败" not in page.locator("#jobs").inner_text()
    screenshot(page, "server-reports-done")
    for name in ("示范县2026学年自评报告.docx", "示范县2026学年评估附表.xlsx"):
        with page.expect_download(timeout=ANSWER_WITHIN_MS) as got:
            documents.get_by_role("link", name=name).click()
        assert got.value.suggested_filename == name
        assert Path(got.value.path()).read_bytes()[:2] == b"PK"


def test_a_port_in_use_is_named_in_chinese(tmp_path, start):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = start("--port", str(port), var_dir=tmp_path)
        code = server.process.wait(timeout=60)
        server.stop()
    assert code == 1
    assert f"错误：端口 {port} 已被占用" in server.output
    assert f"./run demo --port {port + 1}" in server.output
    assert "Traceback" not in server.output
    # Refused before anything was set up.
    assert not (tmp_path / "junheng.sqlite3").exists()


def test_port_problems_in_chinese():
    from junheng.web.serve import port_problem

    assert port_problem("127.0.0.1", _free_port()) is None
    assert "无法识别监听地址“no-such-host.invalid”" in port_problem("no-such-host.invalid", 8000)
    # 192.0.2.1 (TEST-NET-1) is nobody's address on a test machine.
    assert port_problem("192.0.2.1", 8000) == (
        "本机没有地址 192.0.2.1。请使用本机的 IP 地址，例如 127.0.0.1 或 0.0.0.0。"
    )


def test_listening_on_all_addresses_names_the_lan_address(monkeypatch, tmp_path):
    from junheng.web import serve

    # prepare_environment writes to os.environ: give it a copy that is thrown away afterwards.
    monkeypatch.setattr(os, "environ", dict(os.environ))
    for name in ("JUNHENG_ALLOWED_HOSTS", "JUNHENG_DEBUG", "JUNHENG_HTTPS", "JUNHENG_SECRET_KEY"):
        os.environ.pop(name, None)
    os.environ["JUNHENG_VAR_DIR"] = str(tmp_path)
    monkeypatch.setattr(serve, "_lan_addresses", lambda: ["192.168.1.20"])
    serve.prepare_environment("0.0.0.0")
    # Reached by whatever address the other computers use; debug and HTTPS off, a kept key.
    assert os.environ["JUNHENG_ALLOWED_HOSTS"] == "*"
    assert (os.environ["JUNHENG_DEBUG"], os.environ["JUNHENG_HTTPS"]) == ("0", "0")
    key = (tmp_path / "secret_key").read_text().strip()
    assert os.environ["JUNHENG_SECRET_KEY"] == key and len(key) >= 50
    banner = serve._banner("0.0.0.0", 8080, None)
    assert "均衡网页系统已启动。请在浏览器中打开：http://127.0.0.1:8080/" in banner
    assert "局域网内的其他电脑和手机可打开：http://192.168.1.20:8080/" in banner
    assert not any("演示账号" in line for line in banner)


def test_a_chosen_address_is_allowed_and_settings_given_win(monkeypatch, tmp_path):
    from junheng.web import serve

    monkeypatch.setattr(os, "environ", dict(os.environ))
    os.environ.pop("JUNHENG_ALLOWED_HOSTS", None)
    os.environ |= {
        "JUNHENG_SECRET_KEY": "chosen-" + "k" * 50,
        "JUNHENG_HTTPS": "1",
        "JUNHENG_VAR_DIR": str(tmp_path),
    }
    serve.prepare_environment("192.168.1.20")
    assert os.environ["JUNHENG_ALLOWED_HOSTS"] == "localhost,127.0.0.1,[::1],192.168.1.20"
    assert os.environ["JUNHENG_SECRET_KEY"] == "chosen-" + "k" * 50
    assert os.environ["JUNHENG_HTTPS"] == "1"
    assert not (tmp_path / "secret_key").exists()


def test_without_the_demo_it_says_how_to_create_the_first_account(tmp_path, start):
    port = _free_port()
    server = start("--port", str(port), "--no-demo", var_dir=tmp_path)
    server.wait_for("./run junheng demo")
    assert "数据库已就绪。" in server.output
    assert "已载入" not in server.output and "演示账号" not in server.output
    assert "还没有任何账号：请在另一个窗口创建管理员：" in server.output
    assert server.stop() == 0


def test_an_unreachable_database_is_named_in_chinese(tmp_path):
    env = _env(tmp_path) | {"DATABASE_URL": "postgres://nobody:x@127.0.0.1:1/none"}
    result = subprocess.run(
        [str(JUNHENG), "web", "--port", str(_free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "错误：无法使用数据库" in result.stderr and "请检查 DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr
