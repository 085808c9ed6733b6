"""Billable units by AWS's documented rules: item sizes, write and read units, SQS chunks, GB-s."""

from __future__ import annotations

import pytest

from sirocco.metering import units


def test_strings_count_their_utf8_bytes_and_names_count_too() -> None:
    assert units.item_size({"pk": {"S": "abc"}}) == 2 + 3
    assert units.item_size({"n": {"S": "é"}}) == 1 + 2


@pytest.mark.parametrize("number, size", [("1", 2), ("12", 2), ("123", 3), ("-1234.5", 4), ("1000", 2),
                                          ("0.001", 2), ("12345678901234567890", 11)])
def test_numbers_take_a_byte_per_two_significant_digits_plus_one(number: str, size: int) -> None:
    assert units.number_size(number) == size


def test_containers_take_three_bytes_and_one_per_element() -> None:
    assert units.value_size({"L": [{"S": "ab"}, {"BOOL": True}]}) == 3 + (2 + 1) + (1 + 1)
    assert units.value_size({"M": {"k": {"S": "v"}}}) == 3 + (1 + 1 + 1)
    assert units.value_size({"NULL": True}) == 1
    assert units.value_size({"B": b"\x00\x01\x02"}) == 3
    assert units.value_size({"B": "AAEC"}) == 3  # the wire form, base64
    assert units.value_size({"SS": ["a", "bc"]}) == 3


def test_a_write_costs_one_unit_per_started_kilobyte() -> None:
    assert units.write_units(0) == 1
    assert units.write_units(1024) == 1
    assert units.write_units(1025) == 2
    assert units.write_units(10 * 1024) == 10


def test_a_read_costs_one_unit_per_started_4_kb_half_when_eventually_consistent() -> None:
    assert units.read_units(1) == 1
    assert units.read_units(4096) == 1
    assert units.read_units(4097) == 2
    assert units.read_units(4097, consistent=False) == 1.0
    assert units.read_units(0, consistent=False) == 0.5


def test_batched_reads_round_each_item() -> None:
    assert units.items_read_units([100, 100, 5000]) == 1 + 1 + 2


def test_sqs_bills_per_started_64_kb_of_payload() -> None:
    assert units.sqs_requests(0) == 1
    assert units.sqs_requests(64 * 1024) == 1
    assert units.sqs_requests(64 * 1024 + 1) == 2
    attributes = {"kind": {"DataType": "String", "StringValue": "abc"}}
    assert units.sqs_message_size("hello", attributes) == 5 + 4 + 6 + 3


def test_lambda_duration_is_rounded_up_to_the_millisecond() -> None:
    assert units.gb_seconds(0.2, 1024) == pytest.approx(0.001)
    assert units.gb_seconds(1000, 512) == pytest.approx(0.5)
