"""How the cluster benchmark tells a grouping difference that concurrency explains from
one it does not."""

from __future__ import annotations

from omnicase.benchmarks.cluster import Key, compare_grouping

A: Key = ("acme", "email", "a")
B: Key = ("acme", "chat", "b")
C: Key = ("acme", "sms", "c")
SENT = [A, B, C]


def test_the_same_partition_under_other_case_ids_is_no_difference() -> None:
    got = {A: 10, B: 10, C: 11}
    want = {A: 1, B: 1, C: 2}
    result = compare_grouping(got, want, {A: 1, B: 2, C: 3}, SENT)
    assert result["grouping_differences"] == 0
    assert result["cases"] == result["reference_cases"] == 2


def test_a_split_stored_out_of_order_is_reordered() -> None:
    got = {A: 10, B: 11, C: 11}
    want = {A: 1, B: 1, C: 2}
    result = compare_grouping(got, want, {A: 2, B: 1, C: 3}, SENT)  # B overtook A
    assert result["grouping_differences"] == 2
    assert result["grouping_components_reordered"] == 1
    assert result["grouping_components_unexplained"] == 0


def test_a_split_stored_in_order_is_unexplained() -> None:
    got = {A: 10, B: 11, C: 12}
    want = {A: 1, B: 1, C: 2}
    result = compare_grouping(got, want, {A: 1, B: 2, C: 3}, SENT)
    assert result["grouping_differences"] == 2  # {A} and {B}, one component
    assert result["grouping_components_unexplained"] == 1
