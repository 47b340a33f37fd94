"""The coordinator's matrix as CSV and XLSX, for audits. Every cell is written as
text (core.spreadsheets.safe), so a name typed as a formula stays a name."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from academy.core.spreadsheets import safe


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
