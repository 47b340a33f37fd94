"""Read and check the whole curriculum in content/. Pure: files in, plain data out.

`read_curriculum` validates everything before anything is loaded and reports each
problem with its file and a reason an editor understands. The loader
(`loader.content_load`) only ever sees data that passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from academy.assessments.definition import AssessmentData
from academy.core.vocab import (
    AUDIENCES,
    DEFAULT_LANGUAGE,
    KEY_RE,
    LANGUAGES,
    SLUG_RE,
)

from . import digests
from .assessment_files import read_assessment
from .files import read_review_status, read_sources
from .glossary import read_glossary
from .lessons import describe_difference, read_module, structure
from .standards import StandardData, read_standards
from .yaml_io import (
    ContentError,
    ContentInvalid,
    ErrorSink,
    fingerprint,
    is_text,
    load_yaml,
    positive_int,
    require_mapping,
    unknown_fields,
)

COURSE_FIELDS = {
    "key",
    "slug",
    "version",
    "audiences",
    "estimated_minutes",
    "contact_hours",
    "validity_months",
    "prerequisites",
    "renews",
    "complete",
    "modules",
}
NOT_COURSES = ("glossary", "terms", "standards")


@dataclass
class ModuleData:
    key: str
    slug: str
    estimated_minutes: int
    sources: list[dict]
    text: dict[str, dict] = field(default_factory=dict)  # lang -> fields, blocks

    def fingerprint(self) -> str:
        return fingerprint(
            {
                "key": self.key,
                "slug": self.slug,
                "minutes": self.estimated_minutes,
                "sources": self.sources,
                "text": self.text,
            }
        )


@dataclass
class CourseData:
    key: str
    slug: str
    version: str
    audiences: list[str]
    estimated_minutes: int
    contact_hours: float
    validity_months: int
    complete: bool
    prerequisites: list[str] = field(default_factory=list)  # course keys
    renews: str = ""  # the course key a refresher renews
    reviews: list[dict] = field(default_factory=list)  # review/status.yaml
    text: dict[str, dict] = field(default_factory=dict)  # lang -> title, summary, …
    modules: list[ModuleData] = field(default_factory=list)
    folder: Path | None = None
    assessment: AssessmentData | None = None

    @property
    def is_refresher(self) -> bool:
        return bool(self.renews)

    def fingerprint(self) -> str:
        return fingerprint(
            {
                "key": self.key,
                "slug": self.slug,
                "version": self.version,
                "audiences": self.audiences,
                "minutes": self.estimated_minutes,
                "hours": self.contact_hours,
                "validity": self.validity_months,
                "prerequisites": self.prerequisites,
                "renews": self.renews,
                "reviews": self.reviews,
                "text": self.text,
            }
        )


@dataclass
class Curriculum:
    site: dict[str, dict]  # "home"/"catalogue" -> lang -> fields
    courses: list[CourseData]
    glossary: dict[str, list[dict]] = field(default_factory=dict)  # lang -> terms
    standards: list[StandardData] = field(default_factory=list)
    root: Path | None = None
    # Every part read or passed over (digests.py names them) -> its digest; the
    # parts passed over, since they were loaded from these very files before.
    digests: dict[str, str] = field(default_factory=dict)
    unchanged: set[str] = field(default_factory=set)


class _Reading:
    """One reading of content/: where problems go, and which parts may be passed
    over (`known`: part -> the digest it had when last loaded)."""

    def __init__(self, root: Path, known: Mapping[str, str]):
        self.root = root
        self.error = ErrorSink()
        self.known = known
        self.digests: dict[str, str] = {}
        self.unchanged: set[str] = set()
        self._glossary: dict[str, list[dict]] | None = None

    def unchanged_since_loaded(self, unit: str, digest: str) -> bool:
        """Note the part's digest; True when it was loaded from these files."""
        self.digests[unit] = digest
        if self.known.get(unit) == digest:
            self.unchanged.add(unit)
            return True
        return False

    def glossary(self) -> dict[str, list[dict]]:
        """Read when first needed: by the glossary itself, or a lesson to link."""
        if self._glossary is None:
            self._glossary = read_glossary(
                self.root,
                languages=LANGUAGES,
                load_yaml=lambda p: load_yaml(p, self.error),
                error=self.error,
            )
        return self._glossary


def _course_text(path: Path, error: ErrorSink) -> dict | None:
    text = load_yaml(path, error)
    if text is None or not require_mapping(path, text, error):
        return None
    unknown_fields(path, text, {"title", "summary", "outcomes"}, error)
    outcomes = text.get("outcomes", [])
    if not is_text(text.get("title")):
        error(path, "is missing 'title'")
        return None
    if not isinstance(outcomes, list) or not all(is_text(o) for o in outcomes):
        error(path, "'outcomes' must be a list of texts")
        return None
    return {
        "title": text["title"].strip(),
        "summary": str(text.get("summary") or "").strip(),
        "outcomes": [o.strip() for o in outcomes],
    }


def _course_keys(path: Path, data: dict, name: str, error: ErrorSink) -> list[str]:
    value = data.get(name) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(
        isinstance(k, str) and KEY_RE.match(k) for k in value
    ):
        error(path, f"'{name}' must be a list of course keys")
        return []
    return list(value)


def _read_course(folder: Path, reading: _Reading) -> CourseData | None:
    error = reading.error
    path = folder / "course.yaml"
    data = load_yaml(path, error)
    if data is None or not require_mapping(path, data, error):
        return None
    unknown_fields(path, data, COURSE_FIELDS, error)
    before = error.count
    if data.get("key") != folder.name:
        error(path, f"'key' must be '{folder.name}', the folder's name")
    slug = data.get("slug")
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        error(path, "'slug' must be lower-case ASCII letters, digits, hyphens")
    audiences = data.get("audiences") or []
    if not isinstance(audiences, list) or any(a not in AUDIENCES for a in audiences):
        error(path, f"'audiences' must be a list drawn from {', '.join(AUDIENCES)}")
        audiences = []
    hours = data.get("contact_hours", 1)
    if isinstance(hours, bool) or not isinstance(hours, int | float) or hours <= 0:
        error(path, "'contact_hours' must be a number above zero")
    renews = _course_keys(path, data, "renews", error)
    if len(renews) > 1:
        error(path, "'renews' names one course")
    course = CourseData(
        key=folder.name,
        slug=slug if isinstance(slug, str) else "",
        version=str(data.get("version") or "1.0"),
        audiences=list(audiences),
        estimated_minutes=positive_int(path, data, "estimated_minutes", error, 60),
        contact_hours=float(hours) if isinstance(hours, int | float) else 1.0,
        validity_months=positive_int(path, data, "validity_months", error, 24),
        complete=bool(data.get("complete", False)),
        prerequisites=_course_keys(path, data, "prerequisites", error),
        renews=renews[0] if renews else "",
        reviews=read_review_status(folder / "review" / "status.yaml", error),
        folder=folder,
    )
    modules_raw = data.get("modules")
    if not isinstance(modules_raw, list) or not modules_raw:
        error(path, "needs a list of 'modules'")
        return None
    seen_keys: set[str] = set()
    seen_slugs: set[str] = set()
    for n, entry in enumerate(modules_raw, start=1):
        if not isinstance(entry, dict):
            error(path, f"module {n} must be a mapping with a key")
            continue
        unknown_fields(
            path, entry, {"key", "slug", "estimated_minutes"}, error, f"module {n}: "
        )
        key, mslug = entry.get("key"), entry.get("slug")
        if not isinstance(key, str) or not KEY_RE.match(key):
            error(path, f"module {n} needs a 'key' (lower-case, hyphens)")
            continue
        if not isinstance(mslug, str) or not SLUG_RE.match(mslug):
            error(path, f"module '{key}' needs an ASCII 'slug'")
            continue
        if key in seen_keys or mslug in seen_slugs:
            error(path, f"module '{key}' repeats a key or slug")
            continue
        seen_keys.add(key)
        seen_slugs.add(mslug)
        module = ModuleData(
            key=key,
            slug=mslug,
            estimated_minutes=positive_int(path, entry, "estimated_minutes", error, 30),
            sources=read_sources(folder / "sources" / f"{key}.yaml", error),
        )
        reading.unchanged_since_loaded(
            digests.module_unit(course.key, key),
            digests.module_digest(
                folder,
                entry=entry,
                sources=module.sources,
                glossary=reading.digests[digests.GLOSSARY],
            ),
        )
        course.modules.append(module)
    if error.count > before:
        return None
    if (folder / "assessment").is_dir():
        facts = {
            "modules": [m.key for m in course.modules],
            "audiences": course.audiences,
            "complete": course.complete,
            "renews": course.renews,
        }
        unit = digests.assessment_unit(course.key)
        digest = digests.assessment_digest(folder, course=facts)
        if not reading.unchanged_since_loaded(unit, digest):
            course.assessment = read_assessment(
                folder / "assessment",
                languages=LANGUAGES,
                load_yaml=lambda p: load_yaml(p, error),
                error=error,
            )
    # Text, language by language; English first, since the others must match it.
    for lang in LANGUAGES:
        if not _read_language(course, lang, reading):
            return None
    return course


def _read_language(course: CourseData, lang: str, reading: _Reading) -> bool:
    """One language folder of a course; False when English is missing altogether.
    A module loaded from the same files before is not read again."""
    assert course.folder is not None
    error = reading.error
    lang_dir = course.folder / lang
    if not lang_dir.is_dir():
        if lang == DEFAULT_LANGUAGE:
            error(course.folder, "has no 'en' folder: English is required")
            return False
        return True
    known = {"course.yaml"} | {f"{m.key}.yaml" for m in course.modules}
    for stray in sorted(p.name for p in lang_dir.glob("*.yaml")):
        if stray not in known:
            error(lang_dir / stray, "is not a module listed in course.yaml")
    course_text_path = lang_dir / "course.yaml"
    if course_text_path.exists():
        text = _course_text(course_text_path, error)
        if text is not None:
            course.text[lang] = text
    elif lang == DEFAULT_LANGUAGE:
        error(course_text_path, "is missing: English is required")
    for module in course.modules:
        if digests.module_unit(course.key, module.key) in reading.unchanged:
            continue
        module_path = lang_dir / f"{module.key}.yaml"
        if not module_path.exists():
            if lang == DEFAULT_LANGUAGE:
                error(module_path, "is missing: English is required")
            continue
        read = read_module(
            module_path,
            module.key,
            error,
            glossary=reading.glossary().get(lang),
            lang=lang,
        )
        if read is None:
            continue
        if lang != DEFAULT_LANGUAGE and DEFAULT_LANGUAGE in module.text:
            english = module.text[DEFAULT_LANGUAGE]
            mine, theirs = structure(read["blocks"]), structure(english["blocks"])
            if mine != theirs:
                error(
                    module_path,
                    "does not match the English structure: "
                    + describe_difference(mine, theirs),
                )
                continue
            if len(read["objectives"]) != len(english["objectives"]):
                error(
                    module_path,
                    f"has {len(read['objectives'])} objectives; English has "
                    f"{len(english['objectives'])}",
                )
                continue
        module.text[lang] = read
    return True


def _read_site(root: Path, error: ErrorSink) -> dict[str, dict]:
    path = root / "site.yaml"
    if not path.exists():
        error(path, "is missing (home and catalogue text)")
        return {}
    data = load_yaml(path, error)
    if data is None or not require_mapping(path, data, error):
        return {}
    site: dict[str, dict] = {}
    for part in ("home", "catalogue"):
        section = data.get(part)
        if not isinstance(section, dict) or DEFAULT_LANGUAGE not in section:
            error(path, f"'{part}' needs text in English at least")
            continue
        site[part] = {}
        for lang, fields in section.items():
            if lang not in LANGUAGES:
                error(path, f"'{part}' has unknown language '{lang}'")
                continue
            if not isinstance(fields, dict) or not is_text(fields.get("title")):
                error(path, f"'{part}.{lang}' needs a 'title'")
                continue
            unknown_fields(path, fields, {"title", "intro"}, error, f"{part}.{lang}: ")
            site[part][lang] = {
                "title": fields["title"].strip(),
                "intro": str(fields.get("intro") or "").strip(),
            }
    unknown_fields(path, data, {"home", "catalogue"}, error)
    return site


def _cross_course(courses: list[CourseData], error: ErrorSink, partial: bool) -> None:
    """Slugs unique; prerequisites and renewals name real courses, with no loop."""
    by_key = {c.key: c for c in courses}
    slugs: dict[str, str] = {}
    for c in courses:
        if c.slug in slugs:
            error(c.folder, f"uses the slug '{c.slug}' of '{slugs[c.slug]}'")
        slugs[c.slug] = c.key
        for key in [*c.prerequisites, *([c.renews] if c.renews else [])]:
            if key == c.key:
                error(c.folder, "cannot require or renew itself")
            elif key not in by_key and not partial:
                error(c.folder, f"names the course '{key}', which does not exist")
    # A prerequisite loop would lock every course in it.
    state: dict[str, int] = {}

    def visit(key: str) -> bool:
        state[key] = 1
        for nxt in by_key[key].prerequisites if key in by_key else []:
            if state.get(nxt) == 1 or (state.get(nxt) is None and visit(nxt)):
                return True
        state[key] = 2
        return False

    for c in courses:
        if state.get(c.key) is None and visit(c.key):
            error(c.folder, "its prerequisites loop back on themselves")
            return


def read_curriculum(
    root: Path, *, course: str | None = None, known: Mapping[str, str] | None = None
) -> Curriculum:
    """Read and check every file; raise ContentInvalid listing every problem.

    `known` (part -> digest, see digests.py) names the parts loaded before: a part
    whose files still have that digest is not read again, only listed in
    `Curriculum.unchanged`. Without it every file is read."""
    curriculum, errors = read_curriculum_with_problems(root, course=course, known=known)
    if errors:
        raise ContentInvalid(errors)
    return curriculum


def read_curriculum_with_problems(
    root: Path, *, course: str | None = None, known: Mapping[str, str] | None = None
) -> tuple[Curriculum, list[ContentError]]:
    """Read every file; return what could be read and every problem found, so the
    checker can go on checking the courses that are sound."""
    root = Path(root)
    if not root.is_dir():
        raise ContentInvalid([ContentError(root, "is not a folder")])
    reading = _Reading(root, known or {})
    error = reading.error
    site = _read_site(root, error)
    glossary_unchanged = reading.unchanged_since_loaded(
        digests.GLOSSARY, digests.glossary_digest(root)
    )
    if not glossary_unchanged:
        reading.glossary()  # first, so its problems are listed first
    folders = sorted(
        p
        for p in root.iterdir()
        if p.is_dir()
        and not p.name.startswith(".")
        and p.name not in NOT_COURSES
        and ((p / "course.yaml").exists() or (p / "en").is_dir())
    )
    for folder in folders:
        if not (folder / "course.yaml").exists():
            error(folder, "has no course.yaml")
    folders = [p for p in folders if (p / "course.yaml").exists()]
    if course is not None:
        folders = [p for p in folders if p.name == course]
        if not folders:
            raise ContentInvalid([ContentError(root, f"has no course '{course}'")])
    courses = [c for c in (_read_course(f, reading) for f in folders) if c is not None]
    _cross_course(courses, error, partial=course is not None)
    standards = (
        read_standards(root, error, skip=reading.unchanged_since_loaded)
        if course is None
        else []
    )
    curriculum = Curriculum(
        site=site,
        courses=courses,
        glossary={} if glossary_unchanged else reading.glossary(),
        standards=standards,
        root=root,
        digests=reading.digests,
        unchanged=reading.unchanged,
    )
    return curriculum, error.errors
