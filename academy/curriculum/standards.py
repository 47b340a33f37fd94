"""Organisation standards in content/standards/<key>/: what a workplace must show to
be certified (the "Trauma-informed workplace" standard). Pure: files in, plain data out.

standard.yaml holds the structure (domains, criteria, which are required, the training
requirement); <lang>.yaml the words, keyed by the same keys."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from academy.core.vocab import DEFAULT_LANGUAGE, KEY_RE, LANGUAGES

from . import digests
from .files import read_review_status, read_sources
from .lessons import check_markdown, markdown_to_html
from .yaml_io import (
    ErrorSink,
    fingerprint,
    is_text,
    load_yaml,
    positive_int,
    require_mapping,
    unknown_fields,
)

CRITERIA = (20, 30)  # a complete standard holds this many criteria
TRAINING_FIELDS = {"manager_course", "manager_share_percent", "supervisor_course"}


@dataclass
class StandardData:
    key: str
    version: str
    validity_months: int
    training: dict
    domains: list[dict]  # [{key, criteria: [{key, required}]}]
    text: dict[str, dict] = field(default_factory=dict)  # lang -> words (HTML)
    sources: list[dict] = field(default_factory=list)
    reviews: list[dict] = field(default_factory=list)
    folder: Path | None = None

    @property
    def criteria(self) -> list[dict]:
        return [c for d in self.domains for c in d["criteria"]]

    def fingerprint(self) -> str:
        return fingerprint(
            {
                "key": self.key,
                "version": self.version,
                "validity": self.validity_months,
                "training": self.training,
                "domains": self.domains,
                "text": self.text,
                "sources": self.sources,
                "reviews": self.reviews,
            }
        )


def _md(path, where: str, value, error: ErrorSink) -> str | None:
    if not is_text(value):
        error(path, f"{where} is missing")
        return None
    problem = check_markdown(value)
    if problem:
        error(path, f"{where} {problem}")
        return None
    return markdown_to_html(value)


def _structure(path: Path, data: dict, error: ErrorSink) -> StandardData | None:
    unknown_fields(
        path, data, {"key", "version", "validity_months", "training", "domains"}, error
    )
    before = error.count
    if data.get("key") != path.parent.name:
        error(path, f"'key' must be '{path.parent.name}', the folder's name")
    training = data.get("training") or {}
    if not isinstance(training, dict):
        error(path, "'training' must be a mapping")
        training = {}
    unknown_fields(path, training, TRAINING_FIELDS, error, "training: ")
    for name in ("manager_course", "supervisor_course"):
        if not isinstance(training.get(name), str) or not KEY_RE.match(training[name]):
            error(path, f"'training.{name}' must be a course key")
    share = training.get("manager_share_percent")
    if isinstance(share, bool) or not isinstance(share, int) or not 0 < share <= 100:
        error(path, "'training.manager_share_percent' is a whole number 1–100")
    domains = []
    seen: set[str] = set()
    for n, d in enumerate(data.get("domains") or [], start=1):
        if not isinstance(d, dict) or not KEY_RE.match(str(d.get("key", ""))):
            error(path, f"domain {n} needs a 'key'")
            continue
        unknown_fields(path, d, {"key", "criteria"}, error, f"domain {d['key']}: ")
        criteria = []
        for c in d.get("criteria") or []:
            if not isinstance(c, dict) or not KEY_RE.match(str(c.get("key", ""))):
                error(path, f"domain '{d['key']}': every criterion needs a 'key'")
                continue
            unknown_fields(path, c, {"key", "required"}, error, f"{c['key']}: ")
            if c["key"] in seen or c["key"] == d["key"]:
                error(path, f"the key '{c['key']}' is used twice")
                continue
            if not isinstance(c.get("required"), bool):
                error(path, f"criterion '{c['key']}': 'required' is true or false")
                continue
            seen.add(c["key"])
            criteria.append({"key": c["key"], "required": c["required"]})
        if not criteria:
            error(path, f"domain '{d['key']}' has no criteria")
        domains.append({"key": d["key"], "criteria": criteria})
    if not domains:
        error(path, "needs a list of 'domains'")
    if error.count > before:
        return None
    return StandardData(
        key=data["key"],
        version=str(data.get("version") or "1.0"),
        validity_months=positive_int(path, data, "validity_months", error, 24),
        training={
            "manager_course": training["manager_course"],
            "manager_share_percent": share,
            "supervisor_course": training["supervisor_course"],
        },
        domains=domains,
        folder=path.parent,
    )


def _words(standard: StandardData, path: Path, data, error: ErrorSink) -> dict | None:
    if not require_mapping(path, data, error):
        return None
    unknown_fields(path, data, {"title", "summary", "intro", "domains"}, error)
    before = error.count
    if not is_text(data.get("title")):
        error(path, "is missing 'title'")
    intro = _md(path, "'intro'", data.get("intro"), error)
    domains_text = data.get("domains") or {}
    words: dict = {
        "title": str(data.get("title") or "").strip(),
        "summary": str(data.get("summary") or "").strip(),
        "intro": intro or "",
        "domains": {},
    }
    for d in standard.domains:
        dt = domains_text.get(d["key"]) if isinstance(domains_text, dict) else None
        if not isinstance(dt, dict) or not is_text(dt.get("title")):
            error(path, f"domain '{d['key']}' needs a 'title'")
            continue
        unknown_fields(
            path, dt, {"title", "summary", "criteria"}, error, f"{d['key']}: "
        )
        criteria_text = dt.get("criteria") or {}
        entry = {
            "title": dt["title"].strip(),
            "summary": str(dt.get("summary") or "").strip(),
            "criteria": {},
        }
        for c in d["criteria"]:
            ct = (
                criteria_text.get(c["key"]) if isinstance(criteria_text, dict) else None
            )
            where = f"criterion '{c['key']}'"
            if not isinstance(ct, dict) or not is_text(ct.get("title")):
                error(path, f"{where} needs a 'title'")
                continue
            unknown_fields(path, ct, {"title", "meaning", "evidence"}, error, where)
            meaning = _md(path, f"{where} 'meaning'", ct.get("meaning"), error)
            evidence = _md(path, f"{where} 'evidence'", ct.get("evidence"), error)
            entry["criteria"][c["key"]] = {
                "title": ct["title"].strip(),
                "meaning": meaning or "",
                "evidence": evidence or "",
            }
        words["domains"][d["key"]] = entry
    return words if error.count == before else None


def read_standard(folder: Path, error: ErrorSink) -> StandardData | None:
    path = folder / "standard.yaml"
    data = load_yaml(path, error)
    if data is None or not require_mapping(path, data, error):
        return None
    standard = _structure(path, data, error)
    if standard is None:
        return None
    for lang in LANGUAGES:
        text_path = folder / f"{lang}.yaml"
        if not text_path.exists():
            if lang == DEFAULT_LANGUAGE:
                error(text_path, "is missing: English is required")
            continue
        raw = load_yaml(text_path, error)
        if raw is None:
            continue
        words = _words(standard, text_path, raw, error)
        if words is not None:
            standard.text[lang] = words
    standard.sources = read_sources(folder / "sources.yaml", error)
    standard.reviews = read_review_status(folder / "review" / "status.yaml", error)
    return standard


def read_standards(
    root: Path, error: ErrorSink, skip: Callable[[str, str], bool] | None = None
) -> list[StandardData]:
    """Every standard in content/standards/, but those `skip(part, digest)` says
    were loaded from the same files before (digests.py)."""
    folder = root / "standards"
    if not folder.is_dir():
        return []
    standards = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        if skip is not None and skip(
            digests.standard_unit(sub.name), digests.standard_digest(sub)
        ):
            continue
        if (sub / "standard.yaml").exists():
            standard = read_standard(sub, error)
            if standard is not None:
                standards.append(standard)
    return standards


def standard_problems(standard: StandardData) -> list[tuple[str, str]]:
    """(path, message) for what a complete standard still lacks."""
    problems = []
    folder = standard.folder or Path(".")
    count = len(standard.criteria)
    if not CRITERIA[0] <= count <= CRITERIA[1]:
        problems.append(
            (
                str(folder / "standard.yaml"),
                f"has {count} criteria; a standard holds {CRITERIA[0]}–{CRITERIA[1]}",
            )
        )
    for lang in LANGUAGES:
        if lang not in standard.text:
            problems.append((str(folder / f"{lang}.yaml"), "is missing"))
    if not standard.sources:
        problems.append((str(folder / "sources.yaml"), "is missing or empty"))
    return problems
