"""NHS number: ten digits, the last a modulus-11 check digit (DOMAIN.md section 6)."""

from __future__ import annotations


def check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None where the number cannot be valid (remainder 10)."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True))
    result = 11 - total % 11
    if result == 11:
        return 0
    if result == 10:
        return None
    return result


def is_valid(number: str) -> bool:
    """True for ten digits whose last is the modulus-11 check digit of the first nine."""
    if len(number) != 10 or not number.isdigit():
        return False
    return check_digit(number[:9]) == int(number[9])


def format_nhs_number(number: str) -> str:
    """Show as 3-3-4: ``943 476 5919``."""
    if len(number) != 10:
        return number
    return f"{number[:3]} {number[3:6]} {number[6:]}"
