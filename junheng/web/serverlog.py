"""gunicorn's log, with the messages about stopped workers said truthfully and in Chinese.

When a request runs past the timeout, gunicorn sends the worker SIGABRT; a worker stuck in
native code cannot react, so a second pass sends SIGKILL, which gunicorn reports as
"Perhaps out of memory?". An administrator reading that looks for a memory problem that does not
exist. This logger remembers which workers were ended for a timeout and says so.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

TIMEOUT = "WORKER TIMEOUT (pid:%s)"
KILLED = "Worker (pid:%s) was sent %s! Perhaps out of memory?"

TIMEOUT_TEXT = (
    "工作进程 {pid} 处理一个请求超过 {seconds} 秒仍未完成（请求超时），正在结束该进程；"
    "该请求没有完成。超时时间可用环境变量 JUNHENG_TIMEOUT 调整。"
)
KILLED_AFTER_TIMEOUT_TEXT = (
    "工作进程 {pid} 请求超时后没有响应结束信号，已被强制结束（SIGKILL）。这是超时，不是内存不足。"
)
KILLED_TEXT = (
    "工作进程 {pid} 被强制结束（SIGKILL），可能是系统内存不足，请检查服务器的内存和系统日志。"
)


class ServerLog(Logger):
    """gunicorn's logger; only the two messages above are rewritten."""

    def __init__(self, cfg: Any) -> None:
        super().__init__(cfg)
        self.timed_out: set[int] = set()

    def critical(self, msg: str, *args: Any, **kwargs: Any) -> None:
        if msg == TIMEOUT and args:
            pid = args[0]
            self.timed_out.add(pid)
            msg, args = TIMEOUT_TEXT.format(pid=pid, seconds=self.cfg.timeout), ()
        super().critical(msg, *args, **kwargs)

    def error(self, msg: str, *args: Any, **kwargs: Any) -> None:
        if msg == KILLED and args:
            pid = args[0]
            text = KILLED_AFTER_TIMEOUT_TEXT if pid in self.timed_out else KILLED_TEXT
            self.timed_out.discard(pid)
            msg, args = text.format(pid=pid), ()
        super().error(msg, *args, **kwargs)
