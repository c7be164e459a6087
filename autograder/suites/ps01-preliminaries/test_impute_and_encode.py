"""Hidden suite for impute_and_encode(df): column-mean imputation of numbers, one-hot encoding (dummy_na) of text.

A DataFrame cannot cross the worker boundary, so a driver builds it in the
worker from plain columns (lists with None for missing entries), calls the
student's function, and sends back the column names and the values as a
float64 tensor (to_numpy(dtype=float)). Columns are matched by name; their
order is not graded.
"""
import math

import torch
from hypothesis import given, settings, strategies as st

import d2lkit as d2l
from autograder.suite import expect, fail, points

CALL = "impute_and_encode(df)"
CATEGORIES = ["Pave", "Grvl", "Slate", "Tile"]


def _impute_and_encode(ns, columns):
    """impute_and_encode(df) on a DataFrame built from the grader's columns"""
    import pandas as pd
    import torch

    df = pd.DataFrame(columns)
    before = df.copy()
    out = ns["impute_and_encode"](df)
    unchanged = bool(df.equals(before)) and list(df.columns) == list(before.columns)
    if not isinstance(out, pd.DataFrame):
        return {"error": f"returned {type(out).__name__}, not a pandas DataFrame", "unchanged": unchanged}
    names = [str(name) for name in out.columns]
    values = {}
    for name, column in zip(names, out.columns):
        try:
            values[name] = torch.tensor(out[column].to_numpy(dtype=float), dtype=torch.float64)
        except (TypeError, ValueError) as error:
            return {"error": f"column {name!r} does not convert to numbers ({error}): encode every text column",
                    "unchanged": unchanged, "columns": names}
    return {"columns": names, "values": values, "rows": len(out), "unchanged": unchanged}


@st.composite
def _tables(draw, min_rows=2, max_rows=8, missing_text=None):
    """Columns (name -> list) of 1-2 numeric columns with missing values and 1-2 text columns."""
    n = draw(st.integers(min_rows, max_rows))
    columns = {}
    for name in draw(st.sampled_from([["NumRooms"], ["NumRooms", "Area"]])):
        values = [draw(st.integers(1, 200)) / 4 for _ in range(n)]  # never 0: a fill with 0 is then not the mean or median
        missing = [draw(st.booleans()) for _ in range(n)]
        missing[draw(st.integers(0, n - 1))] = False  # at least one present value
        columns[name] = [None if gone else value for value, gone in zip(values, missing)]
    for name in draw(st.sampled_from([["RoofType"], ["RoofType", "Alley"]])):
        choices = st.sampled_from(CATEGORIES if missing_text is False else CATEGORIES + [None])
        values = [draw(choices) for _ in range(n)]
        if all(v is None for v in values):
            values[0] = CATEGORIES[0]
        if missing_text and all(v is not None for v in values):
            values[-1] = None
        columns[name] = values
    if draw(st.booleans()):  # an integer column without missing values, as the book's Price
        columns["Price"] = [draw(st.integers(50_000, 300_000)) for _ in range(n)]
    return columns


def _expect_table(reply, columns, expected):
    if "error" in reply:
        fail(f"{CALL} {reply['error']}", df=columns)
    got_names, want_names = set(reply["columns"]), set(expected["columns"])
    if len(reply["columns"]) != len(got_names):
        fail(f"{CALL} returned duplicate column names: {reply['columns']}", df=columns)
    if got_names != want_names:
        missing, extra = sorted(want_names - got_names), sorted(got_names - want_names)
        hint = ""
        if any(name.endswith("_nan") for name in missing):
            hint = ("; add an indicator column <column>_nan for missing text entries, even when none is missing "
                    "(pd.get_dummies(..., dummy_na=True))")
        elif any(name in columns and isinstance(columns[name][0], str) or name in extra for name in columns):
            hint = "; replace each text column by its indicator columns and keep numeric columns as they are"
        fail(f"{CALL} returned the columns {sorted(got_names)}, expected {sorted(want_names)} (missing "
             f"{missing}, unexpected {extra}){hint}", df=columns)
    expect(reply["rows"] == expected["rows"], f"{CALL} returned {reply['rows']} rows, expected "
                                              f"{expected['rows']}: keep every row", df=columns)
    for name in expected["columns"]:
        got, want = reply["values"][name], expected["values"][name]
        if torch.isnan(got).any():
            fail(f"{CALL} left missing values in column {name!r}: fill the missing numbers with the column mean "
                 f"(df[c].fillna(df[c].mean()))", df=columns)
        if not torch.allclose(got, want, rtol=1e-9, atol=1e-9):
            hint = ""
            if name in columns and not isinstance(_present(columns[name])[0], str):
                present = _present(columns[name])
                mean = sum(present) / len(present)
                if _filled(columns[name], 0.0, got):
                    hint = f": missing values were filled with 0, fill them with the column mean ({mean:g})"
                elif _filled(columns[name], sorted(present)[(len(present) - 1) // 2], got) or \
                        _filled(columns[name], _median(present), got):
                    hint = f": missing values were filled with the median, fill them with the mean ({mean:g})"
                else:
                    hint = (f": fill the missing values with the mean of the present ones ({mean:g}); the present "
                            f"values stay as they are")
            else:
                hint = ": an indicator column c_v is 1 exactly where column c holds v (c_nan where it is missing)"
            fail(f"{CALL} column {name!r} is wrong{hint}\n  expected = {want.tolist()}\n  got = {got.tolist()}",
                 df=columns)


def _present(values):
    return [v for v in values if v is not None]


def _median(values):
    ordered = sorted(values)
    k = len(ordered)
    return (ordered[(k - 1) // 2] + ordered[k // 2]) / 2


def _filled(values, fill, got):
    want = torch.tensor([fill if v is None else v for v in values], dtype=torch.float64)
    return bool(torch.allclose(got, want, rtol=1e-9, atol=1e-9)) and not math.isnan(fill)


def _reference(columns):
    return _impute_and_encode({"impute_and_encode": d2l.impute_and_encode}, columns)


@points(3)
@settings(max_examples=10)
@given(columns=_tables())
def test_matches_reference(student, columns):
    """Numbers are imputed with their column's mean and text columns become named 0/1 indicator columns."""
    _expect_table(student.run(_impute_and_encode, columns), columns, _reference(columns))


@points(1)
@settings(max_examples=5)
@given(columns=_tables(missing_text=True))
def test_missing_text_gets_indicator(student, columns):
    """A missing text entry is marked in the column <column>_nan (and in no <column>_<value> column)."""
    _expect_table(student.run(_impute_and_encode, columns), columns, _reference(columns))


@points(1)
@settings(max_examples=5)
@given(columns=_tables(missing_text=False))
def test_nan_indicator_without_missing_text(student, columns):
    """A text column without missing entries still gets its <column>_nan indicator, all zeros."""
    _expect_table(student.run(_impute_and_encode, columns), columns, _reference(columns))


@points(1)
@settings(max_examples=5)
@given(columns=_tables())
def test_does_not_modify_input(student, columns):
    """impute_and_encode(df) is correct and leaves df unchanged (no fillna(..., inplace=True) on df)."""
    reply = student.run(_impute_and_encode, columns)
    _expect_table(reply, columns, _reference(columns))
    expect(reply["unchanged"], f"{CALL} modified the caller's DataFrame: work on df.copy(), or use fillna and "
                               f"get_dummies without inplace=True on df", df=columns)
