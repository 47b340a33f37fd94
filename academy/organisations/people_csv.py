"""Reading a coordinator's CSV of people. Pure: bytes in, rows or problems out.

Columns (a header row, any order, any case): email, full_name, cohort, role. Every
row is checked before anything is written; each problem names its line."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

COLUMNS = ("email", "full_name", "cohort", "role")
REQUIRED = ("email", "full_name")
ROLES = ("learner", "coordinator")
MAX_ROWS = 20_000
TASK_ROWS = 1_000  # larger files are imported by the task worker
FORMULA_START = ("=", "+", "-", "@")


@dataclass(frozen=True)
class PersonRow:
    line: int
    email: str
    full_name: str
    cohort: str
    role: str


@dataclass(frozen=True)
class RowProblem:
    line: int | None  # None: the file as a whole
    message: str


def parse_people_csv(
    data: bytes, *, cohorts: set[str]
) -> tuple[list[PersonRow], list[RowProblem]]:
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark is fine
    except UnicodeDecodeError:
        return [], [
            RowProblem(
                None,
                _(
                    "The file is not UTF-8 text. In your spreadsheet, save it as "
                    "“CSV UTF-8” "
                    "and upload it again."
                ),
            )
        ]
    if "\x00" in text:
        return [], [RowProblem(None, _("This is not a CSV text file."))]
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        return [], [RowProblem(None, _("The file is empty."))]
    names = [h.strip().lower().replace(" ", "_") for h in header]
    missing = [c for c in REQUIRED if c not in names]
    unknown = [h for h in names if h and h not in COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("missing: %(cols)s") % {"cols": ", ".join(missing)})
        if unknown:
            parts.append(_("not recognised: %(cols)s") % {"cols": ", ".join(unknown)})
        return [], [
            RowProblem(
                1,
                _(
                    "The first row must name the columns email, full_name, cohort and "
                    "role "
                    "(%(detail)s)."
                )
                % {"detail": "; ".join(parts)},
            )
        ]
    rows: list[PersonRow] = []
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    cohort_names = {c.casefold(): c for c in cohorts}
    for line, values in enumerate(reader, start=2):
        if len(rows) + len(problems) >= MAX_ROWS:  # this would be one row too many
            return [], [
                RowProblem(
                    None,
                    _(
                        "The file has more than %(max)s people. "
                        "Split it into smaller files."
                    )
                    % {"max": f"{MAX_ROWS:,}"},
                )
            ]
        if not any(v.strip() for v in values):
            continue  # blank lines are harmless
        record = {
            name: (values[i].strip() if i < len(values) else "")
            for i, name in enumerate(names)
            if name
        }
        email = record.get("email", "").lower()
        name = record.get("full_name", "")
        cohort = record.get("cohort", "")
        role = (record.get("role") or "learner").lower()
        row_problems = []
        for value in (email, name, cohort, role):
            if value.startswith(FORMULA_START):
                row_problems.append(
                    _(
                        "a cell starts with %(ch)s, as spreadsheet formulas "
                        "do; remove it"
                    )
                    % {"ch": value[0]}
                )
                break
        try:
            validate_email(email)
        except ValidationError:
            row_problems.append(
                _("“%(email)s” is not an email address") % {"email": email}
                if email
                else _("the email address is missing")
            )
        if not name:
            row_problems.append(_("the full name is missing"))
        elif len(name) > 200:
            row_problems.append(_("the full name is longer than 200 characters"))
        if cohort and cohort.casefold() not in cohort_names:
            row_problems.append(
                _("there is no cohort called “%(cohort)s”") % {"cohort": cohort}
            )
        if role not in ROLES:
            row_problems.append(_("the role must be learner or coordinator"))
        if email and email in seen:
            row_problems.append(
                _("this email is already on line %(line)s") % {"line": seen[email]}
            )
        if email:
            seen.setdefault(email, line)
        if row_problems:
            problems.append(RowProblem(line, "; ".join(row_problems)))
        else:
            rows.append(
                PersonRow(
                    line, email, name, cohort_names.get(cohort.casefold(), ""), role
                )
            )
    if not rows and not problems:
        problems.append(RowProblem(None, _("The file has a header but no people.")))
    return (rows if not problems else []), problems
