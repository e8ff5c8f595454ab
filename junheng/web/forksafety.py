"""What keeps gunicorn's forked workers from inheriting a dead Polars thread pool.

Polars computes on a pool of native threads (named ``polars-0``, ``polars-1`` …) started on the
first computation of a process. `fork` copies only the calling thread: a worker forked from a
process whose pool had started believes the pool exists and waits for it forever on its first
computation, until gunicorn's timeout kills it. The server process must therefore never compute
(`serve.prepare_in_own_process` does the demo set-up in a fresh interpreter); this module makes a
breach of that rule stop the server at once with a message, instead of hanging every worker.

The threads are read from ``/proc/self/task``; where that does not exist (not Linux) the check
finds nothing and the server starts as before.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

_POOL_THREAD = re.compile(r"polars-\d+")

FORK_REFUSED = (
    "服务进程在启动工作进程之前已经使用过 Polars 计算（线程池：{threads}），"
    "由它派生的工作进程会在第一次计算时卡死。服务已停止。"
    "请不要在 gunicorn 主进程中载入或评估数据（例如在 wsgi.py 或 gunicorn 配置中），"
    "改为在单独的进程中完成后再启动服务。"
)


def compute_pool_threads(tasks: Path = Path("/proc/self/task")) -> list[str]:
    """Names of this process's Polars compute-pool threads (empty when the pool never started)."""
    if not tasks.is_dir():
        return []
    names = []
    for task in tasks.iterdir():
        try:
            name = (task / "comm").read_text(encoding="utf-8").strip()
        except OSError:
            continue  # the thread ended while we looked
        if _POOL_THREAD.fullmatch(name):
            names.append(name)
    return sorted(names)


def refuse_fork_after_compute(server: Any, worker: Any) -> None:
    """gunicorn's `pre_fork` hook: halt the server rather than fork a worker that would hang."""
    threads = compute_pool_threads()
    if not threads:
        return
    from gunicorn.errors import HaltServer

    # gunicorn logs the reason as it halts, and the server exits with status 3.
    raise HaltServer(FORK_REFUSED.format(threads="、".join(threads)), 3)
