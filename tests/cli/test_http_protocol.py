"""``credence serve``'s HTTP protocol (cli/http_protocol.py): a response's headers go out in its body's write,
and every byte on the wire is what uvicorn's own httptools protocol sends — for a JSON answer, a streamed
one, an empty one, a HEAD, a 100-continue upload, pipelined requests and an app that fails mid-response.
Served for real by uvicorn on loopback, read with a raw socket."""

from __future__ import annotations

import gc
import re
import socket
import threading
import time
from contextlib import contextmanager

import pytest
import uvicorn

from credence.cli.http_protocol import CONTINUE, HeadWithBody, OneWriteProtocol
from tests.served import free_port


async def app(scope, receive, send):
    """A JSON answer, a streamed one, an empty one, an echo of the body, a failure after the start."""
    if scope["type"] != "http":
        return
    path = scope["path"]
    if path == "/echo":
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 201, "headers": [(b"content-length", b"%d" % len(body))]})
        await send({"type": "http.response.body", "body": body})
    elif path == "/stream":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        for part in (b"one ", b"two ", b"three"):
            await send({"type": "http.response.body", "body": part, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    elif path == "/empty":
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})
    elif path == "/fail":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"10")]})
        raise RuntimeError("the app fails after its start")
    else:
        body = b'{"ok": true, "path": "%s"}' % path.encode()
        headers = [(b"content-length", b"%d" % len(body)), (b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})


@contextmanager
def served(protocol):
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, http=protocol, log_level="critical", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def exchange(port: int, raw: bytes, wait_continue: bool = False) -> bytes:
    """Send ``raw`` (its last request says ``Connection: close``) and read until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        if wait_continue:  # the headers first, the body once the server says 100 Continue
            head, body = raw.split(b"\r\n\r\n", 1)
            s.sendall(head + b"\r\n\r\n")
            assert s.recv(len(CONTINUE)) == CONTINUE
            raw = body
        s.sendall(raw)
        out = b""
        while chunk := s.recv(65536):
            out += chunk
    return re.sub(rb"date: [^\r]*\r\n", b"date: -\r\n", out)  # the one header that changes by the second


def get(path: str, method: str = "GET", close: bool = True) -> bytes:
    return f"{method} {path} HTTP/1.1\r\nHost: t\r\n{'Connection: close' + chr(13) + chr(10) if close else ''}\r\n".encode()


CASES = {
    "json": get("/json"),
    "head": get("/json", "HEAD"),
    "stream": get("/stream"),
    "empty": get("/empty"),
    "pipelined": get("/a", close=False) + get("/b", close=False) + get("/stream", close=False) + get("/c"),
    "post": b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
    "fails after its start": get("/fail"),
}


@pytest.fixture(scope="module")
def answers():
    """Every case's bytes from uvicorn's own protocol and from OneWriteProtocol."""
    out = {}
    for name, protocol in (("httptools", "httptools"), ("one write", OneWriteProtocol)):
        with served(protocol) as port:
            out[name] = {case: exchange(port, raw) for case, raw in CASES.items()}
            expect = b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n"
            out[name]["100-continue"] = exchange(port, expect + b"Connection: close\r\n\r\nhello", wait_continue=True)
    return out


@pytest.mark.parametrize("case", [*CASES, "100-continue"])
def test_the_bytes_on_the_wire_are_uvicorns(answers, case):
    assert answers["one write"][case] == answers["httptools"][case]
    assert answers["one write"][case].startswith(b"HTTP/1.1 ")


def test_the_answers_are_whole(answers):
    got = answers["one write"]
    assert got["json"].endswith(b'{"ok": true, "path": "/json"}') and b"content-length: 29" in got["json"]
    assert got["head"].count(b"HTTP/1.1 200") == 1 and b'{"ok"' not in got["head"]
    assert got["stream"].endswith(b"0\r\n\r\n") and b"transfer-encoding: chunked" in got["stream"]
    assert got["pipelined"].count(b"HTTP/1.1 200 OK") == 4 and got["pipelined"].index(b"/a") < got["pipelined"].index(
        b"/c"
    )
    assert got["post"].startswith(b"HTTP/1.1 201") and got["post"].endswith(b"hello")
    assert got["100-continue"].endswith(b"hello")
    assert (
        got["fails after its start"].startswith(b"HTTP/1.1 200")
        and b"content-length: 10" in got["fails after its start"]
    )


class Recorder:
    def __init__(self):
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


def test_headers_and_body_are_one_write():
    t = Recorder()
    w = HeadWithBody(t)  # type: ignore[arg-type]
    w.write(CONTINUE)  # before the response: at once
    assert t.writes == [CONTINUE]
    w.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
    assert t.writes == [CONTINUE]  # held
    w.write(b"ok")
    assert t.writes == [CONTINUE, b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"]
    w.write(b"more")  # a streamed body's next parts: as they come
    assert t.writes[-1] == b"more" and not w.is_closing()


def test_held_headers_go_out_before_a_close():
    t = Recorder()
    w = HeadWithBody(t)  # type: ignore[arg-type]
    w.write(b"HTTP/1.1 200 OK\r\n\r\n")
    w.close()
    assert t.writes == [b"HTTP/1.1 200 OK\r\n\r\n"] and t.closed and w.is_closing()


def test_a_request_leaves_no_reference_cycle():
    """The response cycle refers to its HeadWithBody, which refers only to the transport: freed by reference
    counting, no collector pass per request (20 requests on one connection leave no garbage)."""
    with served(OneWriteProtocol) as port, socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        gc.collect()
        gc.disable()
        try:
            gc.set_debug(gc.DEBUG_SAVEALL)
            for _ in range(20):
                s.sendall(get("/json", close=False))
                answer = b""
                while not answer.endswith(b"}"):
                    answer += s.recv(65536)
            time.sleep(0.2)
            gc.collect()
            kinds = [type(o).__name__ for o in gc.garbage]
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            gc.enable()
    assert not {"RequestResponseCycle", "HeadWithBody"} & set(kinds)
