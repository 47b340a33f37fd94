"""The PDF, read back as a person or a machine would: text, QR code, scripts."""

import io
import shutil
import subprocess
import unicodedata
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from academy.certificates.models import Certificate
from academy.certificates.pdf import render_certificate_pdf

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "certificates"


def make(
    name: str, language: str = "en", code: str = "ABCD-EFGH-JKMN-PQRS-T"
) -> Certificate:
    """An unsaved certificate: the renderer needs no database."""
    return Certificate(
        code=code,
        holder_name=name,
        course_title="Foundations: trauma-informed response",
        course_version="2026.1",
        contact_hours=Decimal("3.0"),
        language=language,
        issued_at=datetime(2026, 11, 29, tzinfo=UTC),
        valid_from=datetime(2026, 11, 29, tzinfo=UTC),
        expires_at=datetime(2028, 11, 29, tzinfo=UTC),
        cycle=1,
        status_index=7,
        course_key="foundations",
    )


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _png(pdf: bytes, name: str) -> Path:
    if not shutil.which("pdftoppm"):
        pytest.fail(
            "pdftoppm is missing: install Debian's poppler-utils (.ci/run does)"
        )
    OUTPUT.mkdir(parents=True, exist_ok=True)
    source = OUTPUT / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "110",
            "-png",
            "-singlefile",
            str(source),
            str(OUTPUT / name),
        ],
        check=True,
    )
    return OUTPUT / f"{name}.png"


@pytest.mark.parametrize(
    "name",
    ["Amélie Dubois-Núñez", "Мария Иванова", "Ελένη Παπαδοπούλου", "Nguyễn Thị Hương"],
)
def test_names_and_the_code_are_in_the_text(name):
    pdf = render_certificate_pdf(make(name))
    text = unicodedata.normalize("NFC", _text(pdf))
    assert "ABCD-EFGH-JKMN-PQRS-T" in text
    assert name in text
    assert "3.0" in text and "2026.1" in text


def test_a_decomposed_name_is_printed_composed():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hương")
    text = unicodedata.normalize("NFC", _text(render_certificate_pdf(make(decomposed))))
    assert "Nguyễn Thị Hương" in text


def test_the_qr_code_opens_the_verification_page(settings):
    if not shutil.which("zbarimg"):
        pytest.fail("zbarimg is missing: install Debian's zbar-tools (.ci/run does)")
    png = _png(render_certificate_pdf(make("Alex Rivera")), "qr-en")
    decoded = subprocess.run(
        ["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert decoded == f"{settings.ACADEMY_PUBLIC_URL}/verify/ABCD-EFGH-JKMN-PQRS-T/"


def test_an_arabic_name_is_joined_and_right_to_left():
    name = "مريم الحسن"
    pdf = render_certificate_pdf(make(name, language="ar"))
    _png(pdf, "arabic-name")  # kept as a test artefact to look at
    raw = _text(pdf)
    # Drawn as joined letter forms (Arabic presentation forms), which compatibility
    # normalisation turns back into the letters of the name, in reading order.
    assert any("\ufe70" <= ch <= "\ufeff" for ch in raw)
    words = unicodedata.normalize("NFKC", raw).split()
    assert "مريم" in words and "الحسن" in words


def test_the_certificate_words_are_in_its_language():
    assert "Certificado" in _text(render_certificate_pdf(make("Ana", language="es")))
    assert "Certificat" in _text(render_certificate_pdf(make("Ana", language="fr")))


def test_the_same_certificate_always_gives_the_same_bytes():
    assert render_certificate_pdf(make("Alex Rivera")) == render_certificate_pdf(
        make("Alex Rivera")
    )


def test_a_long_name_still_fits_on_the_page():
    pdf = render_certificate_pdf(make("Maria " + "de la Concepción " * 8 + "Fernández"))
    _png(pdf, "long-name")
    assert "Fernández" in _text(pdf)
