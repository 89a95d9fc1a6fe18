"""uvicorn's httptools protocol with each response's status line and headers sent in its body's write.

uvicorn writes a response as the ASGI messages come: ``http.response.start`` (status line and headers) is
one ``transport.write``, ``http.response.body`` another, and on uvloop each write is a ``send`` system call
made while the GIL is held (under load the reader it wakes may take the core meanwhile). Most answers of a
bureau's traffic are a small JSON body, so :class:`OneWriteProtocol` holds a response's header block and
sends it with the first body write: one system call and one TCP segment per response instead of two.

Nothing else changes: the bytes on the wire and their order are uvicorn's; a ``100 Continue`` goes out at
once; a ``HEAD`` response (which writes no body) is not held; a response that ends early (an app error
after its start, a closing connection) sends its held headers before the connection closes. The class is
passed to ``uvicorn.run(http=...)``, uvicorn's setting for a protocol class.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"  # uvicorn's interim answer, written before the response starts


class HeadWithBody:
    """One response's view of its connection's transport: its header block waits for its first body write.

    It refers to nothing but the transport: the response cycle refers to it, so a reference back would make
    every request a reference cycle, garbage only the collector frees (a full collection every second)."""

    __slots__ = ("transport", "head", "passed")

    def __init__(self, transport: asyncio.Transport):
        self.transport = transport
        self.head: bytes | None = None  # the held status line and headers
        self.passed = False  # the header block came

    def write(self, data: bytes) -> None:
        if not self.passed and data != CONTINUE:
            self.passed = True
            self.head = data  # the response's first write: its status line and headers
            return
        if self.head is not None:
            data, self.head = self.head + data, None
        self.transport.write(data)

    def close(self) -> None:
        if self.head is not None:
            head, self.head = self.head, None
            self.transport.write(head)
        self.transport.close()

    def is_closing(self) -> bool:
        return self.transport.is_closing()


class OneWriteProtocol(HttpToolsProtocol):
    """``HttpToolsProtocol`` whose requests (but ``HEAD``) write their response through a :class:`HeadWithBody`."""

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        cycle = self.cycle
        # a new request's cycle (an upgrade makes none); a HEAD response writes no body to carry its headers
        if cycle is not None and cycle.transport is self.transport and self.scope["method"] != "HEAD":
            cycle.transport = HeadWithBody(self.transport)  # type: ignore[assignment]
