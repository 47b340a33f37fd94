"""What `check_content` demands beyond a file being loadable: a course that says it is
`complete` must be complete in every language, and no text may use a term the
course's own language guide (content/terms/<lang>.yaml) says to avoid."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from academy.assessments.definition import scenario_from_rows
from academy.assessments.graph import decisions_on_every_path

from .content import LANGUAGES, CourseData, Curriculum

# What "complete" means, from the curriculum brief.
OBJECTIVES = (3, 5)
LESSON_WORDS = (900, 1800)
KNOWLEDGE_CHECKS = (3, 5)
BANK_MIN, BANK_DRAW = 30, 15
SCENARIOS_MIN = 2
DECISIONS = (3, 4)


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
    return problems


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
    if len(a.questions) < BANK_MIN or a.draw != BANK_DRAW:
        problems.append(
            Problem(
                path,
                f"the bank has {len(a.questions)} questions drawing "
                f"{a.draw}; a complete course has at least {BANK_MIN} "
                f"drawing {BANK_DRAW}",
            )
        )
    if len(a.scenarios) < SCENARIOS_MIN:
        problems.append(
            Problem(
                path,
                f"has {len(a.scenarios)} scenario(s); a complete "
                f"course has at least {SCENARIOS_MIN}",
            )
        )
    for s in a.scenarios:
        low, high = decisions_on_every_path(
            scenario_from_rows(s["steps"], s["endings"], a.dimensions)
        )
        if low < DECISIONS[0] or high > DECISIONS[1]:
            problems.append(
                Problem(
                    path,
                    f"scenario '{s['key']}' has {low}–{high} decisions "
                    f"on its paths; every path needs {DECISIONS[0]}–"
                    f"{DECISIONS[1]}",
                )
            )
        grades = {c["grade"] for row in s["steps"] for c in row["choices"]}
        for grade in ("best", "acceptable", "harmful", "critical"):
            if grade not in grades:
                problems.append(
                    Problem(path, f"scenario '{s['key']}' has no {grade} choice")
                )
    return problems


# ---------------------------------------------------------------------------
# Terms to avoid.


@dataclass(frozen=True)
class Term:
    avoid: tuple[str, ...]
    prefer: str
    why: str


ARABIC_PREFIXES = "(?:ال|وال|بال|لل|فال|كال|و|ب|ل|ف|ك)?"
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
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
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
        return re.compile(rf"(?<![\w]){ARABIC_PREFIXES}{body}(?![\w])")
    return re.compile(rf"(?<![\w]){body}(?![\w])")


def scan_terms(root: Path, curriculum: Curriculum) -> list[Problem]:
    """Every use of a term to avoid, in every language, with file and line."""
    problems: list[Problem] = []
    for lang in LANGUAGES:
        terms, term_problems = read_terms(root, lang)
        problems += term_problems
        patterns = [(t, form, _pattern(form, lang)) for t in terms for form in t.avoid]
        files = []
        for course in curriculum.courses:
            files += sorted((course.folder / lang).glob("*.yaml"))
            if (course.folder / "assessment" / f"{lang}.yaml").exists():
                files.append(course.folder / "assessment" / f"{lang}.yaml")
        glossary = root / "glossary" / f"{lang}.yaml"
        if glossary.exists():
            files.append(glossary)
        for path in files:
            text = _fold(path.read_text(encoding="utf-8"), lang)
            hits = []  # (start, end, term, form); a phrase may wrap onto the next line
            for term, form, pattern in patterns:
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
