"""The wire format of every sandbox pipe: a 4-byte big-endian length, then UTF-8 JSON. Values
cross as ``repr`` text that the receiver rebuilds with ``ast.literal_eval`` -- never pickle."""

from __future__ import annotations

import json
import os
import struct

HEADER = struct.Struct(">I")


def read_exact(fd: int, n: int) -> bytes:
    chunks: list[bytes] = []
    while n:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            raise EOFError("parent closed the pipe")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def recv(fd: int) -> dict:
    (length,) = HEADER.unpack(read_exact(fd, HEADER.size))
    return json.loads(read_exact(fd, length).decode("utf-8"))


def send(fd: int, obj: dict) -> None:
    data = json.dumps(obj, ensure_ascii=False).encode("utf-8", "surrogatepass")
    data = HEADER.pack(len(data)) + data
    while data:
        n = os.write(fd, data)
        data = data[n:]
