"""The coordinator's matrix as CSV and XLSX, for audits. Every cell is written as
text (core.spreadsheets.safe), so a name typed as a formula stays a name."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from academy.core.spreadsheets import safe


def training_record(overview: dict) -> tuple[list[str], list[list[str]]]:
    """The coordinator's matrix as a header and rows: person, then per course its
    state (Duty.label, as on the dashboard) and due date."""
    header = [_("Name"), _("Email"), _("Cohort")]
    for course in overview["courses"]:
        header += [course.title, _("Due")]
    rows = []
    for row in overview["rows"]:
        m = row["membership"]
        values = [m.user.full_name, m.user.email, m.cohort.name if m.cohort else ""]
        for duty in row["cells"]:
            if duty is None:
                values += ["", ""]
                continue
            values += [duty.label, duty.due_on.isoformat() if duty.due_on else ""]
        rows.append(values)
    return header, rows


def to_csv(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe(h) for h in header])
    for row in rows:
        writer.writerow([safe(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel reads UTF-8 right


def to_xlsx(header: list[str], rows: list[list], sheet: str = "Training") -> bytes:
    """One sheet of text cells, written with openpyxl in write-only mode."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet)
    for values in [header, *rows]:
        cells = []
        for value in values:
            cell = WriteOnlyCell(worksheet, value=safe(value))
            cell.data_type = "s"  # text, never a formula
            cells.append(cell)
        worksheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
