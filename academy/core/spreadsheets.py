"""Cells bound for a spreadsheet. A cell that starts with = + - @ (or a tab or a
carriage return) is run as a formula by Excel and LibreOffice, so every export
(coordinators', verifiers', the Wagtail admin's) writes text through `safe`."""

from __future__ import annotations

from .vocab import FORMULA_START


def safe(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def looks_like_formula(value: str) -> bool:
    """True for input that a spreadsheet would run: imports and names refuse it."""
    return value.lstrip(" ").startswith(FORMULA_START)
