"""Hidden suite for tokenize(lines, token='word'): one list of tokens per line."""
from hypothesis import given, strategies as st

import d2lkit as d2l
from autograder.suite import describe, expect, fail, points

LINES = st.lists(st.text(alphabet="ab c\t", max_size=12), max_size=5)


def _expect_tokens(got, lines, token):
    expected = d2l.tokenize(lines, token)
    call = f"tokenize(lines, {token!r})"
    if got == expected and isinstance(got, list) and all(isinstance(line, list) for line in got):
        return
    if token == "word" and got == [line.split(" ") for line in lines]:
        fail(f"{call} returned {describe(got)}, expected {describe(expected)}: split on runs of whitespace with "
             f"line.split() (no argument), so repeated spaces and tabs give no empty tokens", lines=lines)
    if isinstance(got, list) and (got == [t for line in expected for t in line]
                                  or (got and not isinstance(got[0], list))):
        fail(f"{call} returned a flat list {describe(got)}; return one LIST of tokens per line, e.g. "
             f"[line.split() for line in lines]", lines=lines)
    fail(f"{call} returned {describe(got)}, expected {describe(expected)}", lines=lines)


@points(1)
@given(lines=LINES)
def test_word_tokens(student, lines):
    """token='word' splits each line on runs of whitespace (line.split())."""
    _expect_tokens(student.tokenize(lines, "word"), lines, "word")


@points(1)
@given(lines=LINES)
def test_char_tokens(student, lines):
    """token='char' gives every character of each line, spaces included."""
    _expect_tokens(student.tokenize(lines, "char"), lines, "char")


def _default_and_unknown(ns, lines):
    """tokenize(lines) with the default token type, and tokenize(lines, 'byte')"""
    default = ns["tokenize"](lines)
    try:
        ns["tokenize"](lines, "byte")
        error = None
    except Exception as e:  # noqa: BLE001 - the type is what is graded
        error = type(e).__name__
    return {"default": default, "error": error}


@points(1)
@given(lines=LINES.filter(lambda lines: any(lines)))
def test_default_and_unknown_type(student, lines):
    """The default token type is 'word'; an unknown token type raises ValueError."""
    reply = student.run(_default_and_unknown, lines)
    _expect_tokens(reply["default"], lines, "word")
    expect(reply["error"] == "ValueError",
           f"tokenize(lines, 'byte') should raise ValueError for an unknown token type, but "
           f"{'raised ' + reply['error'] if reply['error'] else 'raised nothing'}", lines=lines)
