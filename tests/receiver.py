"""A webhook receiver for tests: a real HTTP server on loopback that records every request it gets.

``fail`` (a number) makes the next that many requests answer 503; ``down`` makes every request answer 503
until it is cleared. Requests are recorded either way, with their raw body and headers.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self):
        self.requests: list[dict] = []  # every request: body (bytes), headers, status answered
        self.fail = 0
        self.down = False
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    status = 503 if receiver.down or receiver.fail > 0 else 204
                    if receiver.fail > 0:
                        receiver.fail -= 1
                    receiver.requests.append({"body": body, "headers": dict(self.headers), "status": status})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def accepted(self) -> list[dict]:
        """The events answered 2xx, parsed, in arrival order (duplicates included)."""
        with self._lock:
            return [json.loads(r["body"]) for r in self.requests if r["status"] < 300]

    def wait(self, until, timeout: float = 60.0) -> list[dict]:
        """Wait until ``until(accepted events)`` is true; return them."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.accepted()
            if until(got):
                return got
            assert time.monotonic() < deadline, f"receiver got {[(e['type'], e['id']) for e in got]}"
            time.sleep(0.05)
