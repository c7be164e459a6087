"""Messages between the trusted harness and an untrusted worker.

A frame is an 8-byte big-endian length followed by a payload written with
``torch.save``. The harness decodes worker replies with
``torch.load(weights_only=True)`` and then accepts only plain data: exact
``torch.Tensor`` instances (strided, not quantized), numbers, strings, bools,
None, dtypes, devices, and lists/tuples/dicts of those. Anything else is an
``UnsupportedReply``, never an exception the harness did not expect.
"""
from __future__ import annotations

import io
import socket
import struct

import torch

HEADER = struct.Struct(">Q")
MAX_REPLY_BYTES = 256 * 2**20
MAX_DEPTH = 32
MAX_ITEMS = 100_000

_SCALARS = (bool, int, float, complex, str, type(None), torch.dtype, torch.device)


class ProtocolError(Exception):
    """The peer closed the connection or broke the framing."""


class UnsupportedReply(Exception):
    """A reply held something other than plain data."""


def encode(obj) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


def send(sock: socket.socket, obj) -> None:
    payload = encode(obj)
    sock.sendall(HEADER.pack(len(payload)) + payload)


def send_bytes(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(HEADER.pack(len(payload)) + payload)


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    buffer = bytearray(size)
    view = memoryview(buffer)
    received = 0
    while received < size:
        count = sock.recv_into(view[received:], size - received)
        if count == 0:
            raise ProtocolError("connection closed")
        received += count
    return bytes(buffer)


def recv_bytes(sock: socket.socket, max_bytes: int = MAX_REPLY_BYTES) -> bytes:
    (size,) = HEADER.unpack(_recv_exactly(sock, HEADER.size))
    if size > max_bytes:
        raise UnsupportedReply(f"a reply of {size} bytes exceeds the limit of {max_bytes} bytes")
    return _recv_exactly(sock, size)


def decode_trusted(payload: bytes):
    """Decode a request in the worker (requests come from the harness)."""
    return torch.load(io.BytesIO(payload), weights_only=True)


def decode_plain(payload: bytes):
    """Decode a worker reply, accepting plain data only."""
    try:
        obj = torch.load(io.BytesIO(payload), weights_only=True, map_location=None)
    except Exception as error:  # any unpickling refusal means "not plain data"
        raise UnsupportedReply(f"the reply could not be decoded as plain data ({type(error).__name__})") from None
    check_plain(obj)
    return obj


def check_plain(obj) -> None:
    """Raise UnsupportedReply unless ``obj`` is plain data (see module docstring)."""
    budget = [MAX_ITEMS]

    def visit(value, depth):
        budget[0] -= 1
        if budget[0] < 0:
            raise UnsupportedReply("the reply holds too many objects")
        if depth > MAX_DEPTH:
            raise UnsupportedReply("the reply is nested too deeply")
        kind = type(value)
        if kind in _SCALARS:
            return
        if kind is torch.Tensor:
            if value.layout is not torch.strided or value.is_quantized or value.is_meta:
                raise UnsupportedReply(f"a tensor with layout {value.layout} is not supported")
            return
        if kind in (list, tuple, torch.Size):
            for item in value:
                visit(item, depth + 1)
            return
        if kind is dict:
            for key, item in value.items():
                if type(key) not in (str, int):
                    raise UnsupportedReply(f"a dict key of type {type(key).__name__} is not supported")
                visit(item, depth + 1)
            return
        raise UnsupportedReply(f"an object of type {kind.__name__} is not supported")

    visit(obj, 0)
