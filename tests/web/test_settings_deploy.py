"""Production settings and the production guide agree: the environment file of docs/deployment.md
passes Django's deployment checks, a server without a secret key refuses to start, gunicorn
started as the guide's systemd unit starts it answers the headers the guide's nginx sends, and
every variable the guide names is one the code reads (and the other way round)."""

from __future__ import annotations

import http.client
import os
import re
import runpy
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from junheng.intake.sources import MAX_FILE_MB

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "deployment.md"
GUNICORN_CONF = ROOT / "junheng" / "web" / "gunicorn.conf.py"
SOURCES = [
    ROOT / "junheng" / "web" / "settings.py",
    GUNICORN_CONF,
    ROOT / "junheng" / "web" / "serve.py",
    ROOT / "junheng" / "cli.py",
    ROOT / "junheng" / "clock.py",
    ROOT / "junheng" / "web" / "registry" / "management" / "commands" / "junheng_demo.py",
]
INSTALL_DIR = "/opt/junheng"
ENV_FILE = "/etc/junheng/junheng.env"


def _file_block(path: str) -> str:
    """The contents of a file as the guide gives them: the code block after the line that
    introduces `path` (in backticks, the line ending with a colon)."""
    text = GUIDE.read_text(encoding="utf-8")
    found = re.search(rf"`{re.escape(path)}`[^\n]*：\n\n```[a-z]*\n(.*?)\n```", text, re.S)
    assert found, f"the guide gives no file {path}"
    return found.group(1)


def _documented_env() -> dict[str, str]:
    env = {}
    for line in _file_block(ENV_FILE).splitlines():
        if line.strip() and not line.startswith("#"):
            name, value = line.split("=", 1)
            env[name] = value
    return env


def _clean_env(**values: str) -> dict[str, str]:
    """A process environment without this test run's settings (DATABASE_URL, JUNHENG_…)."""
    keep = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    return keep | values


def _production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The guide's environment file with a real key and a private data folder."""
    env = _documented_env()
    assert env["JUNHENG_SECRET_KEY"] == "把这里换成上面生成的密钥"
    env["JUNHENG_SECRET_KEY"] = secrets.token_urlsafe(50)
    env["JUNHENG_VAR_DIR"] = str(tmp_path / "var")
    return env | overrides


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "junheng.web.manage", *args],
        cwd=ROOT,
        env=_clean_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_guides_environment_passes_the_deployment_checks(tmp_path):
    # Through the guide's junheng-manage script, with its paths pointed at this checkout.
    script = _file_block("/usr/local/bin/junheng-manage")
    env_file = tmp_path / "junheng.env"
    env_file.write_text(
        "".join(f"{k}={v}\n" for k, v in _production_env(tmp_path).items()), encoding="utf-8"
    )
    script = (
        script.replace(ENV_FILE, str(env_file))
        .replace(f"cd {INSTALL_DIR}", f"cd {ROOT}")
        .replace("!= junheng ]; then", '!= "$(id -un)" ]; then')
        .replace(".venv/bin/python", sys.executable)
    )
    (tmp_path / "junheng-manage").write_text(script, encoding="utf-8")
    result = subprocess.run(
        ["sh", str(tmp_path / "junheng-manage"), "check", "--deploy", "--fail-level", "WARNING"],
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("debug", [None, "0"], ids=["debug-unset", "debug-off"])
@pytest.mark.parametrize(
    "key", [None, "django-insecure-junheng-development-key-do-not-use-in-production"]
)
def test_without_a_secret_key_the_server_refuses_to_start(tmp_path, key, debug):
    # Unset means off: a server whose environment forgot the setting runs without debug pages.
    env = {"JUNHENG_VAR_DIR": str(tmp_path)}
    if debug is not None:
        env["JUNHENG_DEBUG"] = debug
    if key is not None:
        env["JUNHENG_SECRET_KEY"] = key
    result = _manage(env, "check")
    assert result.returncode != 0
    assert (
        "未设置 JUNHENG_SECRET_KEY：正式运行（未设置 JUNHENG_DEBUG=1）时必须设置一个随机密钥"
        in (result.stderr)
    )


def test_plain_http_is_reported_by_the_checks(tmp_path):
    # What the guide says of JUNHENG_HTTPS=0: the checks point out the missing HTTPS.
    result = _manage(_production_env(tmp_path, JUNHENG_HTTPS="0"), "check", "--deploy")
    found = set(re.findall(r"security\.W\d+", result.stdout + result.stderr))
    assert found == {"security.W004", "security.W008", "security.W012", "security.W016"}


def test_every_documented_variable_is_read_and_every_read_variable_documented():
    guide = GUIDE.read_text(encoding="utf-8")
    documented = set(re.findall(r"\bJUNHENG_[A-Z_]+[A-Z]\b|\bDATABASE_URL\b", guide))
    read: set[str] = set()
    for source in SOURCES:
        text = source.read_text(encoding="utf-8")
        read |= set(re.findall(r"\"(JUNHENG_[A-Z_]+|DATABASE_URL)\"", text))
    # JUNHENG_TEST_POSTGRES belongs to ./run test and JUNHENG_CHROMIUM to the browser tests.
    assert documented == read


def _gunicorn_settings(monkeypatch, **env: str) -> dict:
    # JUNHENG_DEBUG too: the test run is in development mode, which gunicorn refuses
    names = ("JUNHENG_BIND", "JUNHENG_WORKERS", "JUNHENG_TIMEOUT", "JUNHENG_ACCESS_LOG")
    for name in (*names, "JUNHENG_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(GUNICORN_CONF))


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    defaults = _gunicorn_settings(monkeypatch)
    assert defaults["bind"] == ["127.0.0.1:8000"]
    assert defaults["workers"] == min(2 * (os.cpu_count() or 1) + 1, 8)
    assert defaults["timeout"] == 120
    assert defaults["accesslog"] == "-"
    assert defaults["wsgi_app"] == "junheng.web.wsgi:application"
    chosen = _gunicorn_settings(
        monkeypatch,
        JUNHENG_BIND="127.0.0.1:9001",
        JUNHENG_WORKERS="3",
        JUNHENG_TIMEOUT="300",
        JUNHENG_ACCESS_LOG="",
    )
    assert (chosen["bind"], chosen["workers"], chosen["timeout"]) == (["127.0.0.1:9001"], 3, 300)
    assert chosen["accesslog"] is None


def test_nginx_and_systemd_match_the_settings(monkeypatch):
    env = _documented_env()
    gunicorn = _gunicorn_settings(monkeypatch)
    nginx = _file_block("/etc/nginx/sites-available/junheng")
    unit = dict(
        line.split("=", 1)
        for line in _file_block("/etc/systemd/system/junheng.service").splitlines()
        if "=" in line
    )

    assert re.findall(r"server_name (\S+);", nginx) == [env["JUNHENG_ALLOWED_HOSTS"]] * 2
    # nginx passes the scheme in the header Django trusts (SECURE_PROXY_SSL_HEADER), to the
    # address gunicorn listens on by default.
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in nginx
    assert f"proxy_pass http://{gunicorn['bind'][0]};" in nginx
    read_timeout = int(re.search(r"proxy_read_timeout (\d+)s;", nginx).group(1))
    assert read_timeout > gunicorn["timeout"]
    body_mb = int(re.search(r"client_max_body_size (\d+)m;", nginx).group(1))
    assert body_mb >= MAX_FILE_MB
    assert f"alias {env['JUNHENG_VAR_DIR']}/static/;" in nginx

    assert unit["EnvironmentFile"] == ENV_FILE
    assert unit["WorkingDirectory"] == INSTALL_DIR
    assert unit["ReadWritePaths"] == env["JUNHENG_VAR_DIR"]
    program, option, config = unit["ExecStart"].split()
    assert program == f"{INSTALL_DIR}/.venv/bin/gunicorn" and option == "-c"
    assert (ROOT / Path(config).relative_to(INSTALL_DIR)) == GUNICORN_CONF


def test_the_guides_backup_scripts_are_valid_shell():
    for path in ("/usr/local/bin/junheng-manage", "/usr/local/bin/junheng-backup"):
        script = _file_block(path)
        assert script.startswith("#!/bin/sh\n"), path
        result = subprocess.run(["sh", "-n"], input=script, capture_output=True, text=True)
        assert result.returncode == 0, (path, result.stderr)
    cron = _file_block("/etc/cron.d/junheng-backup").split()
    assert cron[5:] == ["root", "/usr/local/bin/junheng-backup"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _request(port: int, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


def test_gunicorn_as_the_systemd_unit_starts_it_behind_nginx(tmp_path):
    port = _free_port()
    env = _production_env(
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'junheng.sqlite3'}",
        JUNHENG_BIND=f"127.0.0.1:{port}",
        JUNHENG_WORKERS="1",
    )
    for command in (("migrate", "--verbosity", "0"), ("collectstatic", "--noinput")):
        result = _manage(env, *command)
        assert result.returncode == 0, result.stderr
    unit = _file_block("/etc/systemd/system/junheng.service")
    exec_start = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
    command = exec_start.removeprefix("ExecStart=").replace(INSTALL_DIR, str(ROOT)).split()
    command[0] = str(Path(sys.executable).parent / "gunicorn")
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            command, cwd=ROOT, env=_clean_env(**env), stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        host = env["JUNHENG_ALLOWED_HOSTS"]
        https = {"Host": host, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}

        login = _request(port, "/login/", https)
        assert login.status == 200
        assert "登录" in login.body.decode()
        assert login.headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        )
        assert "Secure" in login.headers["Set-Cookie"]
        assert login.headers["X-Frame-Options"] == "DENY"

        plain = _request(port, "/login/", {"Host": host})
        assert plain.status == 301
        assert plain.headers["Location"] == f"https://{host}/login/"

        assert _request(port, "/login/", https | {"Host": "evil.example.com"}).status == 400

        css = _request(port, "/static/junheng/site.css", https)
        assert css.status == 200 and b".site-header" in css.body
        missing = _request(port, "/no-such-page/", https)
        assert missing.status == 404
        assert "页面不存在" in missing.body.decode()
        assert "Traceback" not in missing.body.decode()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    assert server.returncode == 0
    output = log.read_text()
    # The access log names the user's address as nginx passed it on, and the time taken.
    assert re.search(r'^203\.0\.113\.7 .* "GET /login/ HTTP/1\.1" 200 \d+ \d+ms', output, re.M)


def test_the_worker_runs_as_its_systemd_unit_starts_it(tmp_path):
    """The guide's junheng-worker unit: same settings file, folder and data as the site, and its
    command runs (here with --batch: it takes what is queued, then ends)."""
    site = dict(
        line.split("=", 1)
        for line in _file_block("/etc/systemd/system/junheng.service").splitlines()
        if "=" in line
    )
    unit = dict(
        line.split("=", 1)
        for line in _file_block("/etc/systemd/system/junheng-worker.service").splitlines()
        if "=" in line
    )
    for key in ("EnvironmentFile", "WorkingDirectory", "ReadWritePaths", "User"):
        assert unit[key] == site[key], key
    assert unit["Restart"] == "always"
    command = unit["ExecStart"].replace(INSTALL_DIR, str(ROOT)).split()
    assert command[:4] == [f"{ROOT}/.venv/bin/python", "-m", "junheng.web.manage", "junheng_worker"]
    env = _production_env(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'junheng.sqlite3'}")
    assert _manage(env, "migrate", "--verbosity", "0").returncode == 0
    result = _manage(env, *command[3:], "--batch", "--no-startup-delay")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
