"""Worker replies are decoded as plain data only; anything else is an UnsupportedReply."""
import io
import pickle

import pytest
import torch

from autograder import protocol


class Subclass(torch.Tensor):
    pass


class Lying:
    def __eq__(self, other):
        return True


def raw(obj) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("value", [
    None, True, 3, 2.5, "text", torch.float64, torch.device("cpu"),
    [1, (2.0, None)], {"a": torch.ones(2), "b": [torch.zeros(1, dtype=torch.int64)]},
    torch.ones(2, 3).t(),
])
def test_plain_data_round_trips(value):
    """Tensors, numbers, strings, bools, None and containers of them decode unchanged."""
    decoded = protocol.decode_plain(raw(value))
    assert repr(decoded) == repr(value)


@pytest.mark.parametrize("value", [
    torch.ones(2).as_subclass(Subclass),
    Lying(),
    {"x": Lying()},
    torch.ones(2, 2).to_sparse(),
])
def test_non_plain_objects_are_rejected(value):
    """Tensor subclasses, arbitrary objects and sparse tensors are refused."""
    with pytest.raises(protocol.UnsupportedReply):
        protocol.decode_plain(raw(value))


def test_pickle_with_code_execution_is_refused(tmp_path):
    """A payload whose unpickling would run code is refused without running it."""
    marker = tmp_path / "ran"

    class Exploit:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    with pytest.raises(protocol.UnsupportedReply):
        protocol.decode_plain(pickle.dumps(Exploit()))
    assert not marker.exists()


def test_nesting_and_size_are_capped():
    """Deeply nested replies and frames over the size limit are refused."""
    deep = []
    for _ in range(protocol.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(protocol.UnsupportedReply):
        protocol.decode_plain(raw(deep))
    import socket

    left, right = socket.socketpair()
    left.sendall(protocol.HEADER.pack(protocol.MAX_REPLY_BYTES + 1))
    with pytest.raises(protocol.UnsupportedReply):
        protocol.recv_bytes(right)
