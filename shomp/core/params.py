"""Ids from URLs, query strings and forms, read without surprises.

`str.isdigit()` says yes to "²" (which int() refuses) and int() refuses more than 4,300 digits,
both a 500; a database integer holds at most 18 digits safely (a 64-bit integer has 19). So an
id is ASCII digits, 1 to 18 of them, or it names nothing: the caller answers "nothing found".
"""

MAX_ID_DIGITS = 18


def parse_id(value: object) -> int | None:
    """The non-negative integer `value` spells in 1 to 18 ASCII digits, else None."""
    if isinstance(value, str) and 0 < len(value) <= MAX_ID_DIGITS and value.isascii() and value.isdigit():
        return int(value)
    return None
