"""Certificate codes: unguessable, forgiving to read, and every likely typo caught."""

import random

import pytest

from academy.certificates.codes import (
    ALPHABET,
    Malformed,
    Mistyped,
    check_symbol,
    code_new,
    format_code,
    normalise,
)


def _symbols(code: str) -> str:
    return code.replace("-", "")


def test_a_new_code_has_the_documented_shape():
    code = code_new()
    assert len(code) == 21 and code.count("-") == 4
    assert all(ch in ALPHABET for ch in _symbols(code))
    assert normalise(code) == code
    assert len({code_new() for _ in range(1000)}) == 1000


def test_reading_is_forgiving():
    code = code_new()
    typed = _symbols(code).lower()
    assert (
        normalise(" ".join(typed[i : i + 3] for i in range(0, len(typed), 3))) == code
    )
    # O is read as 0, and I or L as 1 (the alphabet has none of them).
    payload = "0101ABCDEFGH1010"
    code = format_code(payload + check_symbol(payload))
    assert (
        normalise(code.replace("0", "O").replace("1", "l", 2).replace("1", "I")) == code
    )


@pytest.mark.parametrize("seed", range(40))
def test_every_single_substitution_is_caught_as_mistyped(seed):
    rng = random.Random(seed)
    symbols = _symbols(code_new())
    position = rng.randrange(len(symbols))
    for replacement in ALPHABET:
        if replacement == symbols[position]:
            continue
        typo = symbols[:position] + replacement + symbols[position + 1 :]
        with pytest.raises(Mistyped):
            normalise(typo)


@pytest.mark.parametrize("seed", range(200))
def test_every_swap_of_neighbours_is_caught_as_mistyped(seed):
    symbols = _symbols(code_new())
    for i in range(len(symbols) - 1):
        if symbols[i] == symbols[i + 1]:
            continue
        swapped = symbols[:i] + symbols[i + 1] + symbols[i] + symbols[i + 2 :]
        with pytest.raises(Mistyped):
            normalise(swapped)


def test_exhaustively_for_some_codes():
    for _ in range(25):
        symbols = _symbols(code_new())
        for position in range(len(symbols)):
            for replacement in ALPHABET:
                if replacement != symbols[position]:
                    typo = symbols[:position] + replacement + symbols[position + 1 :]
                    with pytest.raises(Mistyped):
                        normalise(typo)


@pytest.mark.parametrize(
    "text", ["", "ABCD", "ABCD-EFGH-JKMN-PQRS-TV", "ABCD-EFGH-JKMN-PQRU-0"]
)
def test_malformed_input_is_not_a_code(text):
    with pytest.raises(Malformed):
        normalise(text)
