"""What `check_content` demands beyond a file being loadable: every certifying
assessment meets the validity rules (assessments.validity); a course that says it is
`complete` is complete in every language; no text uses a term the language guide
(content/terms/<lang>.yaml) says to avoid; French typography is right."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from academy.assessments.validity import assessment_problems
from academy.core.vocab import ARABIC_ARTICLE, ARABIC_PREFIXES, LANGUAGES

from .reader import CourseData, Curriculum
from .standards import standard_problems
from .yaml_io import SafeLoader

# What "complete" means, from the curriculum brief.
OBJECTIVES = (3, 5)
LESSON_WORDS = (900, 1800)
KNOWLEDGE_CHECKS = (3, 5)


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


def _words(value) -> int:
    if isinstance(value, str):
        text = re.sub(r"<[^>]+>", " ", value)
        return len(re.findall(r"\w+", text))
    if isinstance(value, list):
        return sum(_words(v) for v in value)
    if isinstance(value, dict):
        return sum(
            _words(v) for k, v in value.items() if k not in ("correct", "multiple")
        )
    return 0


def check_complete_course(course: CourseData) -> list[Problem]:
    """Every part a complete course needs, in every language."""
    problems: list[Problem] = []
    folder = course.folder
    for lang in LANGUAGES:
        if lang not in course.text:
            problems.append(Problem(str(folder / lang / "course.yaml"), "is missing"))
    for module in course.modules:
        english = module.text.get("en")
        path = folder / "en" / f"{module.key}.yaml"
        for lang in LANGUAGES:
            if lang not in module.text:
                problems.append(
                    Problem(
                        str(folder / lang / f"{module.key}.yaml"),
                        "is missing: the course is marked complete",
                    )
                )
        if english is None:
            continue
        low, high = OBJECTIVES
        if not low <= len(english["objectives"]) <= high:
            problems.append(
                Problem(
                    str(path),
                    f"has {len(english['objectives'])} "
                    f"objectives; a complete module has {low} to {high}",
                )
            )
        blocks = english["blocks"]
        kinds = [b["type"] for b in blocks]
        words = _words([b["value"] for b in blocks])
        if not LESSON_WORDS[0] <= words <= LESSON_WORDS[1]:
            problems.append(
                Problem(
                    str(path),
                    f"has {words} words of lesson text; a "
                    f"complete module has {LESSON_WORDS[0]}–{LESSON_WORDS[1]}",
                )
            )
        for kind, label in (
            ("case_study", "case study"),
            ("key_points", "key points"),
            ("content_note", "content note"),
            ("jurisdiction_note", "jurisdiction note"),
        ):
            if kind not in kinds:
                problems.append(Problem(str(path), f"has no {label}"))
        checks = kinds.count("knowledge_check")
        if not KNOWLEDGE_CHECKS[0] <= checks <= KNOWLEDGE_CHECKS[1]:
            problems.append(
                Problem(
                    str(path),
                    f"has {checks} practice questions; a complete "
                    f"module has {KNOWLEDGE_CHECKS[0]}–{KNOWLEDGE_CHECKS[1]}",
                )
            )
        if not module.sources:
            problems.append(
                Problem(
                    str(folder / "sources" / f"{module.key}.yaml"),
                    "is missing or empty: name what the module rests on",
                )
            )
        review = folder / "review" / f"{module.key}.md"
        if not review.exists() or not review.read_text(encoding="utf-8").strip():
            problems.append(
                Problem(
                    str(review),
                    "is missing: list the statements a domain expert should confirm",
                )
            )
    problems += _check_assessment(course)
    problems += check_reviews(course)
    return problems


def assessment_validity(course: CourseData) -> list[Problem]:
    """The validity rules, on any course with an assessment (load_content refuses an
    assessment that breaks them); a complete course's rules too when it says so."""
    a = course.assessment
    if a is None:
        return []
    path = str(course.folder / "assessment" / "structure.yaml")
    return [
        Problem(path, str(p))
        for p in assessment_problems(
            a,
            modules=[m.key for m in course.modules],
            languages=LANGUAGES,
            complete=course.complete,
            audiences=course.audiences,
            refresher=course.is_refresher,
        )
    ]


def _check_assessment(course: CourseData) -> list[Problem]:
    path = str(course.folder / "assessment" / "structure.yaml")
    a = course.assessment
    if a is None:
        return [
            Problem(path, "is missing: a complete course has a certifying assessment")
        ]
    problems = []
    for lang in LANGUAGES:
        if lang not in a.text:
            problems.append(
                Problem(
                    str(course.folder / "assessment" / f"{lang}.yaml"),
                    "is missing: the course is marked complete",
                )
            )
    return problems


def check_reviews(course: CourseData) -> list[Problem]:
    """A complete course keeps an honest review record."""
    path = str(course.folder / "review" / "status.yaml")
    if not course.reviews:
        return [Problem(path, "is missing: say which expert reviews are done")]
    kinds = {r["kind"] for r in course.reviews}
    missing = [
        k for k in ("subject-matter", "legal", "survivor-advisory") if k not in kinds
    ]
    if missing:
        return [Problem(path, f"has no entry for: {', '.join(missing)}")]
    return []


def check_standards(curriculum: Curriculum) -> list[Problem]:
    return [
        Problem(path, message)
        for standard in curriculum.standards
        for path, message in standard_problems(standard)
    ]


# French puts a (non-breaking) space before : ; ? ! » and after «. An ordinary space
# there lets a line break strand the sign at the start of a line.
FRENCH_SPACE = re.compile(r"(?<=\w) (?=[:;?!»])|(?<=«) ")


def scan_french_typography(curriculum: Curriculum) -> list[Problem]:
    problems = []
    for path in _language_files(curriculum, "fr"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "://" in line:
                line = re.sub(r"\S+://\S+", "", line)
            if FRENCH_SPACE.search(line):
                problems.append(
                    Problem(
                        str(path),
                        "uses an ordinary space before : ; ? ! » or after «; use a "
                        "non-breaking space (U+202F or U+00A0)",
                        line=n,
                    )
                )
    return problems


def _language_files(curriculum: Curriculum, lang: str) -> list[Path]:
    files: list[Path] = []
    for course in curriculum.courses:
        files += sorted((course.folder / lang).glob("*.yaml"))
        if (course.folder / "assessment" / f"{lang}.yaml").exists():
            files.append(course.folder / "assessment" / f"{lang}.yaml")
    for standard in curriculum.standards:
        if standard.folder and (standard.folder / f"{lang}.yaml").exists():
            files.append(standard.folder / f"{lang}.yaml")
    if curriculum.root:
        files += sorted((curriculum.root / "glossary").glob(f"{lang}.yaml"))
        files += sorted((curriculum.root / "glossary").glob(f"*.{lang}.yaml"))
    return files


# ---------------------------------------------------------------------------
# Terms to avoid.


@dataclass(frozen=True)
class Term:
    avoid: tuple[str, ...]
    prefer: str
    why: str


ARABIC_DIACRITICS = re.compile("[\u064b-\u0652\u0670\u0640]")


def _fold(text: str, lang: str) -> str:
    text = unicodedata.normalize("NFC", text)
    if lang == "ar":
        text = ARABIC_DIACRITICS.sub("", text)
    return text.casefold()


def read_terms(root: Path, lang: str) -> tuple[list[Term], list[Problem]]:
    path = root / "terms" / f"{lang}.yaml"
    if not path.exists():
        return [], [
            Problem(str(path), "is missing: every language needs its terms to avoid")
        ]
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)
    except yaml.YAMLError as error:
        return [], [Problem(str(path), f"is not valid YAML: {error}")]
    terms, problems = [], []
    for n, entry in enumerate(data or [], start=1):
        avoid = entry.get("avoid") if isinstance(entry, dict) else None
        if isinstance(avoid, str):
            avoid = [avoid]
        if (
            not avoid
            or not all(isinstance(a, str) and a.strip() for a in avoid)
            or not (isinstance(entry.get("prefer"), str) and entry["prefer"].strip())
        ):
            problems.append(Problem(str(path), f"entry {n} needs 'avoid' and 'prefer'"))
            continue
        terms.append(
            Term(
                tuple(a.strip() for a in avoid),
                entry["prefer"].strip(),
                str(entry.get("why") or "").strip(),
            )
        )
    return terms, problems


def _pattern(form: str, lang: str) -> re.Pattern:
    body = re.escape(_fold(form, lang)).replace(r"\ ", r"\s+")
    if lang == "ar":
        return re.compile(
            rf"(?<![\w])(?:{ARABIC_ARTICLE}|{ARABIC_PREFIXES}){body}(?![\w])"
        )
    return re.compile(rf"(?<![\w]){body}(?![\w])")


def scan_terms(root: Path, curriculum: Curriculum) -> list[Problem]:
    """Every use of a term to avoid, in every language, with file and line."""
    problems: list[Problem] = []
    for lang in LANGUAGES:
        terms, term_problems = read_terms(root, lang)
        problems += term_problems
        patterns = [
            (t, form, _fold(form, lang).split()[0], _pattern(form, lang))
            for t in terms
            for form in t.avoid
            if form.strip()
        ]
        files = _language_files(curriculum, lang)
        for path in files:
            text = _fold(path.read_text(encoding="utf-8"), lang)
            hits = []  # (start, end, term, form); a phrase may wrap onto the next line
            for term, form, literal, pattern in patterns:
                if literal not in text:
                    continue  # a plain substring test first: most files use none
                hits += [
                    (m.start(), m.end(), term, form) for m in pattern.finditer(text)
                ]
            hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
            covered_until = -1
            for start, end, term, form in hits:
                if end <= covered_until:
                    continue  # inside a longer form already reported
                covered_until = end
                problems.append(
                    Problem(
                        str(path),
                        f'uses "{form}"; write "{term.prefer}" instead'
                        + (f" ({term.why})" if term.why else ""),
                        line=text.count("\n", 0, start) + 1,
                    )
                )
    return problems
