"""The coordinator's matrix as CSV and XLSX, for audits. Every cell is written as
text (core.spreadsheets.safe), so a name typed as a formula stays a name."""

from __future__ import annotations

import csv
import itertools
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator

from django.core.files import File
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from academy.certificates.models import Certificate
from academy.certificates.services import certificate_pdf_ensure
from academy.core.spreadsheets import safe

from .models import ExportJob


def training_record(
    courses: list, rows: Iterable[dict]
) -> tuple[list[str], Iterator[list[str]]]:
    """The coordinator's matrix as a header and rows (read as they are written):
    person, then per course its state (Duty.label, as on the dashboard) and due
    date."""
    header = [_("Name"), _("Email"), _("Cohort")]
    for course in courses:
        header += [course.title, _("Due")]

    def values() -> Iterator[list[str]]:
        for row in rows:
            m = row["membership"]
            line = [m.user.full_name, m.user.email, m.cohort.name if m.cohort else ""]
            for duty in row["cells"]:
                if duty is None:
                    line += ["", ""]
                    continue
                line += [duty.label, duty.due_on.isoformat() if duty.due_on else ""]
            yield line

    return header, values()


class _Line:
    """Where csv.writer writes one line: it is handed on, never kept."""

    def write(self, value: str) -> str:
        return value


def csv_stream(header: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    """CSV, a line at a time (in blocks of about 64 KiB), every cell neutralised."""
    writer = csv.writer(_Line())
    block = ["\ufeff" + writer.writerow([safe(h) for h in header])]  # BOM for Excel
    size = 0
    for row in rows:
        line = writer.writerow([safe(v) for v in row])
        block.append(line)
        size += len(line)
        if size >= 65536:
            yield "".join(block).encode("utf-8")
            block, size = [], 0
    yield "".join(block).encode("utf-8")


def to_xlsx_file(header: list[str], rows: Iterable[list], sheet: str = "Training"):
    """One sheet of text cells, written with openpyxl in write-only mode (rows go
    to disk as they come) into a temporary file, returned open at its start."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet)
    for values in itertools.chain([header], rows):
        cells = []
        for value in values:
            cell = WriteOnlyCell(worksheet, value=safe(value))
            cell.data_type = "s"  # text, never a formula
            cells.append(cell)
        worksheet.append(cells)
    spool = tempfile.TemporaryFile()
    workbook.save(spool)
    spool.seek(0)
    return spool


class _Sink:
    """Where zipfile writes: it keeps what was written until the stream takes it.
    Without seek(), zipfile writes each entry's sizes after its data, so the archive
    streams in one pass (stdlib zipfile; no library needed)."""

    def __init__(self):
        self.chunks: list[bytes] = []
        self.offset = 0

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        self.offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self.offset

    def flush(self) -> None:
        return None

    def take(self) -> bytes:
        out = b"".join(self.chunks)
        self.chunks.clear()
        return out


def zip_stream(files) -> Iterator[bytes]:
    """A ZIP archive of (name, read) pairs, yielded entry by entry: memory holds one
    file at a time, however many there are. PDFs are compressed already: stored."""
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_STORED) as archive:
        for name, read in files:
            archive.writestr(name, read())
            yield sink.take()
    yield sink.take()


def archive_name(person: str, course_key: str, code: str) -> str:
    """A file name that every system can store: letters, digits, dashes."""
    safe_person = re.sub(r"[^\w-]+", "-", person, flags=re.UNICODE).strip("-")[:60]
    return f"{safe_person or 'person'}_{course_key}_{code}.pdf"


def certificate_files(certificates: list[Certificate]):
    """(name in the archive, reader) for each certificate; a missing PDF is
    rendered when it is read."""
    for certificate in certificates:

        def read(c=certificate) -> bytes:
            c = certificate_pdf_ensure(certificate=c)
            with c.pdf.open("rb") as handle:
                return handle.read()

        yield (
            archive_name(
                certificate.holder_name, certificate.course_key, certificate.code
            ),
            read,
        )


def export_job_run(*, job_id: int) -> dict:
    """The task worker's side: write the ZIP into private storage, then offer it."""
    job = ExportJob.objects.get(pk=job_id)
    certificates = list(
        Certificate.objects.filter(pk__in=job.certificate_ids).order_by(
            "holder_name", "course_key", "pk"
        )
    )
    try:
        with tempfile.TemporaryFile() as spool:
            for chunk in zip_stream(certificate_files(certificates)):
                spool.write(chunk)
            spool.seek(0)
            name = job.file.storage.save(
                f"exports/certificates-{job.pk}.zip", File(spool)
            )
    except Exception:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, finished_at=timezone.now()
        )
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE, file=name, finished_at=timezone.now()
    )
    return {"count": len(certificates)}
