from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from planner.nhs_number import check_digit, format_nhs_number, is_valid


def test_known_valid_number() -> None:
    assert is_valid("9434765919")
    assert format_nhs_number("9434765919") == "943 476 5919"


def test_wrong_check_digit_is_invalid() -> None:
    assert not is_valid("9434765918")


def test_not_ten_digits_is_invalid() -> None:
    assert not is_valid("943476591")
    assert not is_valid("94347659190")
    assert not is_valid("94347659a9")


def test_remainder_ten_can_never_be_valid() -> None:
    # 000000001: total 2, 11 - 2 = 9; find nine digits whose check would be 10
    nine = next(f"{n:09d}" for n in range(1000) if check_digit(f"{n:09d}") is None)
    assert all(not is_valid(nine + str(d)) for d in range(10))


def test_remainder_eleven_gives_zero() -> None:
    assert check_digit("000000000") == 0
    assert is_valid("0000000000")


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_exactly_one_check_digit_is_valid(nine: str) -> None:
    valid = [d for d in range(10) if is_valid(nine + str(d))]
    expected = check_digit(nine)
    assert valid == ([] if expected is None else [expected])
