"""A small asyncio WebSocket client (RFC 6455) for talking to a real daphne.

No client library is installed (daphne's autobahn is Twisted's): the handshake and the
framing are a few lines, and a test needs to send what a browser never would (a lone
surrogate's bytes, binary frames, a frame larger than daphne accepts) and to see exactly
how the server ends a connection (the close code, or none). Used by the tests that start
daphne (``tests/sandbox/test_daphne_limits.py``).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import struct
from dataclasses import dataclass

TEXT, BINARY, CLOSE, PING, PONG = 0x1, 0x2, 0x8, 0x9, 0xA


class Closed(Exception):
    """The server ended the connection: ``code`` from its close frame, None without one."""

    def __init__(self, code: int | None, reason: str = "") -> None:
        super().__init__(f"closed ({code}) {reason}".strip())
        self.code = code
        self.reason = reason


@dataclass
class RawSocket:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    @classmethod
    async def open(
        cls, host: str, port: int, path: str, *, origin: str | None = None, cookie: str = ""
    ) -> RawSocket:
        """Connect and upgrade; ``origin`` defaults to ``http://host:port`` (a page of the
        site); ``cookie``: a ``Cookie`` header's value (a session)."""
        reader, writer = await asyncio.open_connection(host, port, limit=2**24)
        key = base64.b64encode(os.urandom(16)).decode()
        origin = origin or f"http://{host}:{port}"
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n"
            + (f"Cookie: {cookie}\r\n" if cookie else "")
            + "\r\n"
        )
        writer.write(request.encode())
        await writer.drain()
        status = await reader.readuntil(b"\r\n\r\n")
        if b" 101 " not in status.split(b"\r\n", 1)[0]:
            writer.close()
            raise Closed(None, status.split(b"\r\n", 1)[0].decode("latin-1"))
        return cls(reader, writer)

    async def send_frame(self, opcode: int, payload: bytes) -> None:
        """One masked frame, as a browser sends it."""
        self.writer.write(frame(opcode, payload))
        await self.writer.drain()

    async def send_text(self, text: str | bytes) -> None:
        """A text frame; bytes are sent as they are (even if they are not UTF-8)."""
        await self.send_frame(TEXT, text if isinstance(text, bytes) else text.encode())

    async def receive(self) -> tuple[int, bytes]:
        """The next data frame (opcode, payload); ``Closed`` when the server ends it."""
        while True:
            try:
                first, second = await self.reader.readexactly(2)
                size = second & 0x7F
                if size == 126:
                    (size,) = struct.unpack("!H", await self.reader.readexactly(2))
                elif size == 127:
                    (size,) = struct.unpack("!Q", await self.reader.readexactly(8))
                payload = await self.reader.readexactly(size)
            except (asyncio.IncompleteReadError, ConnectionError):
                raise Closed(None) from None
            opcode = first & 0x0F
            if opcode == CLOSE:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                raise Closed(code, payload[2:].decode("utf-8", "replace"))
            if opcode == PING:
                await self.send_frame(PONG, payload)
                continue
            return opcode, payload

    async def receive_text(self) -> str:
        return (await self.receive())[1].decode()

    async def close(self) -> None:
        with contextlib.suppress(ConnectionError):
            await self.send_frame(CLOSE, struct.pack("!H", 1000))
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()


def frame(opcode: int, payload: bytes) -> bytes:
    """One masked frame, as a client must send it (RFC 6455; the key's value does not
    matter here). Also what ``bench/clients.py`` sends."""
    size = len(payload)
    head = bytes([0x80 | opcode])
    if size < 126:
        head += bytes([0x80 | size])
    elif size < 2**16:
        head += bytes([0x80 | 126]) + struct.pack("!H", size)
    else:
        head += bytes([0x80 | 127]) + struct.pack("!Q", size)
    mask = os.urandom(4)
    return head + mask + _masked(payload, mask)


def _masked(payload: bytes, mask: bytes) -> bytes:
    """XOR with the mask as one big integer (a per-byte loop is slow for megabytes)."""
    repeated = (mask * (len(payload) // 4 + 1))[: len(payload)]
    value = int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")
    return value.to_bytes(len(payload), "big")
