"""Reading a coordinator's CSV of people. Pure: bytes in, rows or problems out.

Columns (a header row, any order, any case): email, full_name, cohort, role,
work_role. Every row is checked before anything is written; each problem names its
line. The one-person form uses the same row check (`person_row_check`)."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from academy.core.spreadsheets import looks_like_formula
from academy.core.vocab import WORK_ROLES

COLUMNS = ("email", "full_name", "cohort", "role", "work_role")
REQUIRED = ("email", "full_name")
ROLES = ("learner", "coordinator")
MAX_ROWS = 20_000
TASK_ROWS = 1_000  # larger files are imported by the task worker
MAX_EMAIL = 254  # RFC 5321's path limit, and the User model's
MAX_NAME = 200
MAX_FIELD = 1_000  # any cell longer than this is not a name, an email or a cohort
CONTROL = {chr(c) for c in range(32)} | {"\x7f"}


@dataclass(frozen=True)
class PersonRow:
    line: int
    email: str
    full_name: str
    cohort: str
    role: str
    work_role: str = ""
    language: str = ""  # the coordinator's interface language, for new accounts

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> PersonRow:
        return cls(**{k: data.get(k, "") for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class RowProblem:
    line: int | None  # None: the file as a whole
    message: str


PersonRowProblem = RowProblem


def person_row_check(
    *,
    line: int,
    email: str,
    full_name: str,
    cohort: str,
    role: str,
    work_role: str,
    cohorts: set[str],
    language: str = "",
) -> PersonRow | RowProblem:
    """One person's fields checked: a row to import, or every problem in one."""
    email = (email or "").strip().lower()
    full_name = (full_name or "").strip()
    cohort = (cohort or "").strip()
    role = (role or "learner").strip().lower()
    work_role = (work_role or "").strip().lower()
    problems = []
    for value in (email, full_name, cohort, role, work_role):
        if looks_like_formula(value):
            problems.append(
                _("a cell starts with %(ch)s, as spreadsheet formulas do; remove it")
                % {"ch": value.lstrip(" ")[0]}
            )
            break
    if any(ch in CONTROL for ch in email + full_name + cohort):
        problems.append(_("a cell holds a line break or another control character"))
    if len(email) > MAX_EMAIL:
        problems.append(
            _("the email address is longer than %(n)s characters") % {"n": MAX_EMAIL}
        )
    else:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(
                _("“%(email)s” is not an email address") % {"email": email[:80]}
                if email
                else _("the email address is missing")
            )
    if not full_name:
        problems.append(_("the full name is missing"))
    elif len(full_name) > MAX_NAME:
        problems.append(
            _("the full name is longer than %(n)s characters") % {"n": MAX_NAME}
        )
    cohort_names = {c.casefold(): c for c in cohorts}
    if cohort and cohort.casefold() not in cohort_names:
        problems.append(
            _("there is no cohort called “%(cohort)s”") % {"cohort": cohort[:80]}
        )
    if role not in ROLES:
        problems.append(_("the role must be learner or coordinator"))
    if work_role and work_role not in WORK_ROLES:
        problems.append(
            _("the work role must be one of %(roles)s")
            % {"roles": ", ".join(WORK_ROLES)}
        )
    if problems:
        return RowProblem(line, "; ".join(problems))
    return PersonRow(
        line,
        email,
        full_name,
        cohort_names.get(cohort.casefold(), ""),
        role,
        work_role,
        language,
    )


def parse_people_csv(
    data: bytes, *, cohorts: set[str], language: str = ""
) -> tuple[list[PersonRow], list[RowProblem]]:
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark is fine
    except UnicodeDecodeError:
        return [], [
            RowProblem(
                None,
                _(
                    "The file is not UTF-8 text. In your spreadsheet, save it as "
                    "“CSV UTF-8” and upload it again."
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
    except csv.Error:
        return [], [RowProblem(1, _("The first row is not readable CSV."))]
    names = [h.strip().lower().replace(" ", "_") for h in header]
    missing = [c for c in REQUIRED if c not in names]
    unknown = [h for h in names if h and h not in COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("missing: %(cols)s") % {"cols": ", ".join(missing)})
        if unknown:
            parts.append(
                _("not recognised: %(cols)s") % {"cols": ", ".join(unknown)[:200]}
            )
        return [], [
            RowProblem(
                1,
                _(
                    "The first row must name the columns email, full_name, cohort, "
                    "role and work_role (%(detail)s)."
                )
                % {"detail": "; ".join(parts)},
            )
        ]
    rows: list[PersonRow] = []
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    line = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error:  # e.g. a field longer than the csv module allows
            line += 1
            problems.append(
                RowProblem(
                    line, _("this row is not readable CSV (a cell is too long?)")
                )
            )
            break
        line += 1
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
        if any(len(v) > MAX_FIELD for v in values):
            problems.append(RowProblem(line, _("a cell is far too long")))
            continue
        record = {
            name: (values[i] if i < len(values) else "")
            for i, name in enumerate(names)
            if name
        }
        checked = person_row_check(
            line=line,
            email=record.get("email", ""),
            full_name=record.get("full_name", ""),
            cohort=record.get("cohort", ""),
            role=record.get("role", ""),
            work_role=record.get("work_role", ""),
            cohorts=cohorts,
            language=language,
        )
        if isinstance(checked, RowProblem):
            problems.append(checked)
            continue
        if checked.email in seen:
            problems.append(
                RowProblem(
                    line,
                    _("this email is already on line %(line)s")
                    % {"line": seen[checked.email]},
                )
            )
            continue
        seen[checked.email] = line
        rows.append(checked)
    if not rows and not problems:
        problems.append(RowProblem(None, _("The file has a header but no people.")))
    return (rows if not problems else []), problems
