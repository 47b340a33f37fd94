"""Public certificate codes: XXXX-XXXX-XXXX-XXXX-C.

Sixteen symbols of Crockford's base-32 alphabet (0-9 and A-Z without I, L, O, U):
80 random bits, so codes cannot be guessed or enumerated. The seventeenth symbol is a
check symbol from the same alphabet, computed with the Damm algorithm over the
quasigroup x * y = 2x + y in GF(32) (polynomial x^5 + x^2 + 1). That quasigroup is
totally anti-symmetric, so every single-symbol substitution and every swap of two
neighbouring symbols (check symbol included) is detected: a mistyped code is
reported as mistyped, never looked up.

Reading is forgiving, as Crockford intended: any case, hyphens and spaces ignored,
O read as 0 and I or L as 1.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
VALUE = {symbol: i for i, symbol in enumerate(ALPHABET)}
READ_AS = {"O": "0", "I": "1", "L": "1"}
PAYLOAD_LENGTH = 16
POLYNOMIAL = 0b100101  # x^5 + x^2 + 1, irreducible over GF(2)


def _times_two(x: int) -> int:
    x <<= 1
    return x ^ POLYNOMIAL if x & 0b100000 else x


def _step(interim: int, symbol: int) -> int:
    """x * y = 2x + y in GF(32): addition is XOR."""
    return _times_two(interim) ^ symbol


def check_symbol(payload: str) -> str:
    interim = 0
    for symbol in payload:
        interim = _step(interim, VALUE[symbol])
    # The check symbol c makes the final step 0: 2·interim + c = 0, so c = 2·interim.
    return ALPHABET[_times_two(interim)]


def is_consistent(symbols: str) -> bool:
    interim = 0
    for symbol in symbols:
        interim = _step(interim, VALUE[symbol])
    return interim == 0


def code_new() -> str:
    payload = "".join(secrets.choice(ALPHABET) for _ in range(PAYLOAD_LENGTH))
    return format_code(payload + check_symbol(payload))


def format_code(symbols: str) -> str:
    return "-".join(
        [symbols[0:4], symbols[4:8], symbols[8:12], symbols[12:16], symbols[16:]]
    )


class Malformed(ValueError):
    """Not a certificate code at all (wrong length or characters)."""


class Mistyped(ValueError):
    """The right shape, but the check symbol does not match: a typing mistake."""


def normalise(text: str) -> str:
    """The canonical XXXX-XXXX-XXXX-XXXX-C form of what a person typed."""
    symbols = "".join(ch for ch in (text or "").upper() if ch not in " -\t\u00a0")
    symbols = "".join(READ_AS.get(ch, ch) for ch in symbols)
    if len(symbols) != PAYLOAD_LENGTH + 1 or any(ch not in VALUE for ch in symbols):
        raise Malformed(text)
    if not is_consistent(symbols):
        raise Mistyped(text)
    return format_code(symbols)
