"""Identifiers from the outside world: a URL segment or a form field naming a row.

A number too large for the database column makes SQLite raise OverflowError and
PostgreSQL raise DataError, both server errors; these refuse it first, so a tampered
link is a 404 and a tampered form a clear 400."""

from __future__ import annotations

from django import forms
from django.urls import register_converter

#: The largest primary key a 32-bit serial column holds. Our keys are far below it;
#: anything longer is not one of ours.
MAX_ID = 2**31 - 1


class IdConverter:
    """`<id:name>` in a URL: 1 to 10 digits that fit a database integer column.
    0 is allowed (status lists count from 0; no primary key is 0: simply not found)."""

    regex = "[0-9]{1,10}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError(value)  # the resolver treats this as "no match": 404
        return number

    def to_url(self, value: int) -> str:
        return str(value)


# Registered on import: routable pages compile their routes when their models load,
# before any AppConfig.ready runs, so every module that routes `<id:…>` imports this.
register_converter(IdConverter, "id")


class IdChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that answers "not one of the choices" for any value that
    cannot be a key, without asking the database."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not text.isdigit() or not 0 < int(text) <= MAX_ID:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(text)
