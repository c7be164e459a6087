"""Hidden suite for truncate_pad(line, num_steps, padding_token): exactly num_steps items."""
from hypothesis import given, strategies as st

import d2lkit as d2l
from autograder.suite import describe, expect, points

LINES = st.lists(st.integers(0, 9), max_size=10)


@points(1)
@given(line=LINES, num_steps=st.integers(0, 10), pad=st.integers(20, 22))
def test_matches_reference(student, line, num_steps, pad):
    """Long lines are cut to num_steps items, short ones padded at the end with padding_token."""
    got = student.truncate_pad(list(line), num_steps, pad)
    expected = d2l.truncate_pad(line, num_steps, pad)
    hint = " (pad at the END: line + [padding_token] * (num_steps - len(line)))" if len(line) < num_steps else \
        " (keep the FIRST num_steps items: line[:num_steps])"
    expect(isinstance(got, list) and got == expected,
           f"truncate_pad(line, {num_steps}, {pad}) returned {describe(got)}, expected the list {expected}{hint}",
           line=line, num_steps=num_steps, padding_token=pad)


def _purity(ns, line, num_steps, pad):
    """truncate_pad(line, num_steps, padding_token), and line afterwards"""
    before = list(line)
    result = ns["truncate_pad"](line, num_steps, pad)
    return {"result": result, "line_after": line, "unchanged": line == before}


@points(1)
@given(line=LINES, num_steps=st.integers(0, 10))
def test_does_not_modify_line(student, line, num_steps):
    """The result is correct and line itself is not changed (no append/extend on it)."""
    reply = student.run(_purity, list(line), num_steps, 21)
    expected = d2l.truncate_pad(line, num_steps, 21)
    expect(reply["result"] == expected, f"truncate_pad(line, {num_steps}, 21) returned {describe(reply['result'])}, "
                                        f"expected {expected}", line=line, num_steps=num_steps)
    expect(reply["unchanged"], f"truncate_pad(line, {num_steps}, 21) changed line to {reply['line_after']}; build a "
                               f"new list (line + [...]) instead of line.extend / line.append", line=line,
           num_steps=num_steps)
