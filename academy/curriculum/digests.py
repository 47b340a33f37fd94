"""What each part of content/ is made of, as one SHA-256 digest. A part is what the
loader reads, checks and writes as one: a module (its lesson in every language), a
course's assessment, the glossary, a standard. The loader keeps the digest each part
had when it was loaded (curriculum.models.SourceDigest) and leaves a part unread when
its digest is the same: nothing it is made of has changed since.

A digest covers the part's files byte for byte, whatever else of content/ goes into
it, and the code that turns files into pages (CODE_MODULES and the libraries in
LIBRARIES), so a change to a reader, a check or the Markdown subset reads every part
again. Pure: files in, digests out."""

from __future__ import annotations

import functools
import hashlib
import json
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path

from academy.core.vocab import LANGUAGES

from .yaml_io import FORMAT_VERSION

GLOSSARY = "glossary"

# The modules that read, check and turn content/ into what is stored. Writing pages
# is the output fingerprint's business (yaml_io.fingerprint, FORMAT_VERSION).
CODE_MODULES = (
    "academy.assessments.definition",
    "academy.assessments.grading",
    "academy.assessments.graph",
    "academy.assessments.loader",
    "academy.assessments.strategies",
    "academy.assessments.validity",
    "academy.core.markdown",
    "academy.core.vocab",
    "academy.curriculum.assessment_files",
    "academy.curriculum.checks",
    "academy.curriculum.digests",
    "academy.curriculum.files",
    "academy.curriculum.glossary",
    "academy.curriculum.lessons",
    "academy.curriculum.loader",
    "academy.curriculum.reader",
    "academy.curriculum.standards",
    "academy.curriculum.yaml_io",
)
LIBRARIES = ("markdown", "nh3", "PyYAML")


def module_unit(course: str, module: str) -> str:
    return f"{course}/{module}"


def assessment_unit(course: str) -> str:
    return f"{course}/assessment"


def standard_unit(folder: str) -> str:
    return f"standards/{folder}"


@functools.cache
def code_digest() -> str:
    parts: list[object] = [FORMAT_VERSION, [version(name) for name in LIBRARIES]]
    for name in CODE_MODULES:
        spec = find_spec(name)
        assert spec is not None and spec.origin is not None, name
        parts.append(Path(spec.origin).read_bytes())
    return _digest(parts)


def glossary_digest(root: Path) -> str:
    return _digest([code_digest(), _files(root, sorted((root / "glossary").glob("*")))])


def module_digest(
    folder: Path, *, entry: dict, sources: list[dict], glossary: str
) -> str:
    """A module: its file in every language, its entry in course.yaml (slug,
    minutes), its sources and the glossary its lessons link to."""
    key = entry["key"]
    paths = [folder / lang / f"{key}.yaml" for lang in LANGUAGES]
    return _digest([code_digest(), glossary, entry, sources, _files(folder, paths)])


def assessment_digest(folder: Path, *, course: dict) -> str:
    """A course's assessment: its files, and what its validity rules read of the
    course (`course`: modules, audiences, whether complete, what it renews)."""
    files = sorted((folder / "assessment").glob("*"))
    return _digest([code_digest(), course, _files(folder, files)])


def standard_digest(folder: Path) -> str:
    return _digest([code_digest(), _files(folder, sorted(folder.rglob("*")))])


def _files(root: Path, paths: list[Path]) -> list[object]:
    """Each file's name (relative to `root`) and bytes; a missing file counts too."""
    out: list[object] = []
    for path in paths:
        if path.is_dir():
            continue
        out.append(str(path.relative_to(root)))
        try:
            out.append(path.read_bytes())
        except FileNotFoundError:
            out.append(None)
    return out


def _digest(parts: list[object]) -> str:
    hasher = hashlib.sha256()
    _feed(hasher, parts)
    return hasher.hexdigest()


def _feed(hasher, value: object) -> None:
    """Length-prefixed, so no two different lists of parts hash alike."""
    if isinstance(value, list):
        hasher.update(b"L%d:" % len(value))
        for item in value:
            _feed(hasher, item)
        return
    if isinstance(value, bytes):
        data = b"B" + value
    elif value is None:
        data = b"N"
    else:
        data = b"J" + json.dumps(value, sort_keys=True, default=str).encode()
    hasher.update(b"%d:" % len(data))
    hasher.update(data)
