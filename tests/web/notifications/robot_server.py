"""A local group-chat robot for the tests: answers each POST with the next status of a script
(the last one repeated) and keeps what it was sent."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Robot:
    def __init__(self, statuses: list[int] | None = None, answer: dict | None = None) -> None:
        self.statuses = list(statuses or [200])
        self.answer = answer if answer is not None else {"errcode": 0, "errmsg": "ok"}
        self.received: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.lock = threading.Lock()
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with robot.lock:
                    robot.received.append(json.loads(body))
                    robot.paths.append(self.path)
                    n = len(robot.received)
                    status = robot.statuses[min(n, len(robot.statuses)) - 1]
                payload = json.dumps(robot.answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/robot"

    def __enter__(self) -> Robot:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
