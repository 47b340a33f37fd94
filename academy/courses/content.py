"""Read and check the curriculum in content/. Pure: files in, plain data or errors out.

`read_curriculum` validates everything before anything is loaded, and reports each
problem with its file and a reason an editor understands. The loader
(`services.content_load`) only ever sees data that passed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import markdown
import yaml

# Bump when the way files become pages changes, so every page is loaded again.
FORMAT_VERSION = 3
LANGUAGES = ("en", "es", "fr", "ar")
DEFAULT_LANGUAGE = "en"
AUDIENCES = ("police", "prosecution", "border", "judiciary", "employer")
KEY_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ALLOWED_TAGS = {"p", "h3", "h4", "strong", "em", "ul", "ol", "li", "a", "br"}
TAG_NAMES = {
    "h1": "a level-1 heading (#)",
    "h2": "a level-2 heading (##)",
    "h5": "a level-5 heading",
    "h6": "a level-6 heading",
    "img": "an image",
    "code": "code",
    "pre": "a code block",
    "blockquote": "a quotation block (>)",
    "hr": "a horizontal rule",
    "table": "a table",
}


class ContentError(Exception):
    def __init__(self, path: Path | str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = str(path)
        self.message = message


class ContentInvalid(Exception):
    """Every problem found, so an editor can fix them all in one go."""

    def __init__(self, errors: list[ContentError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


# ---------------------------------------------------------------------------
# Block schemas: which fields each block type takes, and of what kind.
# "md" is Markdown, "str" plain text, "strs" a list of plain strings.

BLOCK_FIELDS: dict[str, dict[str, tuple[str, bool]]] = {
    # type: {field: (kind, required)}
    "text": {"body": ("md", True)},
    "key_points": {"title": ("str", False), "points": ("strs", True)},
    "callout": {"style": ("style", True), "title": ("str", True), "body": ("md", True)},
    "content_note": {
        "note": ("str", True),
        "summary": ("md", True),
        "body": ("md", True),
    },
    "case_study": {
        "title": ("str", True),
        "body": ("md", True),
        "questions": ("strs", False),
    },
    "video": {"title": ("str", True), "url": ("url", True), "transcript": ("md", True)},
    "resource": {
        "title": ("str", True),
        "description": ("str", False),
        "url": ("url", True),
    },
    "jurisdiction_note": {
        "title": ("str", True),
        "us": ("md", True),
        "coe_eu": ("md", True),
        "intl": ("md", True),
    },
    "knowledge_check": {
        "question": ("str", True),
        "multiple": ("bool", False),
        "options": ("options", True),
    },
}
CALLOUT_STYLES = ("info", "tip", "warning")


class _TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def markdown_to_html(text: str) -> str:
    """Markdown (our subset) to the HTML Wagtail stores for rich text."""
    html = markdown.markdown(text.strip(), output_format="html")
    html = re.sub(r"<(/?)strong>", r"<\1b>", html)
    html = re.sub(r"<(/?)em>", r"<\1i>", html)
    html = html.replace("<br />", "<br/>").replace("<br>", "<br/>")
    # Only whitespace between block-level tags goes; inline spacing is meaningful.
    block = r"(?:p|h3|h4|ul|ol|li)"
    return re.sub(rf"(</?{block}>)\s+(?=</?{block}>)", r"\1", html)


def check_markdown(text: str) -> str | None:
    """None when the Markdown stays inside the subset, else what is wrong."""
    if re.search(r"<[A-Za-z/!]", text):
        return "contains HTML; write Markdown only"
    collector = _TagCollector()
    collector.feed(markdown.markdown(text))
    bad = sorted({t for t in collector.tags if t not in ALLOWED_TAGS})
    if bad:
        names = ", ".join(TAG_NAMES.get(t, f"<{t}>") for t in bad)
        return f"uses {names}, which lessons do not allow"
    return None


class _ErrorSink:
    """error(path, message) for readers in other apps; .count says how many so far."""

    def __init__(self, errors: list[ContentError]):
        self.errors = errors

    def __call__(self, path, message: str) -> None:
        self.errors.append(ContentError(path, message))

    @property
    def count(self) -> int:
        return len(self.errors)


def _load_yaml(path: Path, errors: list[ContentError]) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except UnicodeDecodeError:
        errors.append(ContentError(path, "is not UTF-8 text"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        errors.append(ContentError(path, f"is not valid YAML{where}: {problem}"))
    return None


# ---------------------------------------------------------------------------
# Plain data that passed the checks.


def _fingerprint(payload: dict) -> str:
    """SHA-256 of the source, so the loader can tell "unchanged" without diffing."""
    raw = json.dumps(
        {"format": FORMAT_VERSION, **payload}, sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass
class ModuleData:
    key: str
    slug: str
    estimated_minutes: int
    sources: list[dict]
    text: dict[str, dict] = field(default_factory=dict)  # lang -> fields, blocks

    def fingerprint(self) -> str:
        return _fingerprint(
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
    text: dict[str, dict] = field(
        default_factory=dict
    )  # lang -> title, summary, outcomes
    modules: list[ModuleData] = field(default_factory=list)
    folder: Path | None = None
    assessment: Any = (
        None  # assessments.content.AssessmentData, when the course has one
    )

    def fingerprint(self) -> str:
        return _fingerprint(
            {
                "key": self.key,
                "slug": self.slug,
                "version": self.version,
                "audiences": self.audiences,
                "minutes": self.estimated_minutes,
                "hours": self.contact_hours,
                "validity": self.validity_months,
                "text": self.text,
            }
        )


@dataclass
class Curriculum:
    site: dict[str, dict]  # "home"/"catalogue" -> lang -> fields
    courses: list[CourseData]
    glossary: dict[str, list[dict]] = field(default_factory=dict)  # lang -> terms
    root: Path | None = None


# ---------------------------------------------------------------------------
# Field checks.


def _is_text(value) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _require_mapping(path, data, errors, what="the file") -> bool:
    if not isinstance(data, dict):
        errors.append(
            ContentError(path, f"{what} must be a mapping of fields (key: value)")
        )
        return False
    return True


def _unknown_fields(path, data: dict, allowed: set[str], errors, where: str = ""):
    for name in sorted(set(data) - allowed):
        errors.append(ContentError(path, f"{where}unknown field '{name}'"))


def _positive_int(path, data, name, errors, default=None):
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        errors.append(ContentError(path, f"'{name}' must be a whole number above zero"))
        return default or 1
    return value


def _check_block(path: Path, index: int, block, errors) -> dict | None:
    """One lesson block: fields checked, Markdown turned into stored HTML."""
    where = f"block {index + 1}"
    if not isinstance(block, dict):
        errors.append(
            ContentError(path, f"{where} must be a mapping with a key and a type")
        )
        return None
    key = block.get("key")
    if not isinstance(key, str) or not KEY_RE.match(key):
        errors.append(
            ContentError(
                path, f"{where} needs a 'key' of lower-case letters, digits and hyphens"
            )
        )
        return None
    where = f"block '{key}'"
    block_type = block.get("type")
    if block_type not in BLOCK_FIELDS:
        known = ", ".join(BLOCK_FIELDS)
        errors.append(
            ContentError(
                path, f"{where} has unknown type '{block_type}' (known: {known})"
            )
        )
        return None
    schema = BLOCK_FIELDS[block_type]
    _unknown_fields(path, block, set(schema) | {"key", "type"}, errors, f"{where}: ")
    value: dict[str, Any] = {}
    ok = True
    for name, (kind, required) in schema.items():
        raw = block.get(name)
        if raw is None:
            if required:
                errors.append(ContentError(path, f"{where} is missing '{name}'"))
                ok = False
            elif kind == "strs":
                value[name] = []
            elif kind == "bool":
                value[name] = False
            elif kind == "str":
                value[name] = ""
            continue
        if kind == "md":
            if not _is_text(raw):
                errors.append(ContentError(path, f"{where}: '{name}' must be text"))
                ok = False
                continue
            problem = check_markdown(raw)
            if problem:
                errors.append(ContentError(path, f"{where}: '{name}' {problem}"))
                ok = False
                continue
            value[name] = markdown_to_html(raw)
        elif kind == "str":
            if not isinstance(raw, str | int | float) or isinstance(raw, bool):
                errors.append(ContentError(path, f"{where}: '{name}' must be text"))
                ok = False
                continue
            value[name] = str(raw).strip()
        elif kind == "strs":
            if not isinstance(raw, list) or not all(_is_text(x) for x in raw):
                errors.append(
                    ContentError(path, f"{where}: '{name}' must be a list of texts")
                )
                ok = False
                continue
            if name == "points" and not raw:
                errors.append(
                    ContentError(path, f"{where}: '{name}' needs at least one item")
                )
                ok = False
                continue
            value[name] = [x.strip() for x in raw]
        elif kind == "bool":
            if not isinstance(raw, bool):
                errors.append(
                    ContentError(path, f"{where}: '{name}' must be true or false")
                )
                ok = False
                continue
            value[name] = raw
        elif kind == "url":
            if not isinstance(raw, str) or not re.match(r"^https?://\S+$", raw):
                errors.append(
                    ContentError(path, f"{where}: '{name}' must be a web address")
                )
                ok = False
                continue
            value[name] = raw
        elif kind == "style":
            if raw not in CALLOUT_STYLES:
                errors.append(
                    ContentError(
                        path,
                        f"{where}: 'style' must be one of {', '.join(CALLOUT_STYLES)}",
                    )
                )
                ok = False
                continue
            value[name] = raw
        elif kind == "options":
            options = _check_options(
                path, where, raw, block.get("multiple", False), errors
            )
            if options is None:
                ok = False
                continue
            value[name] = options
    if not ok:
        return None
    return {"type": block_type, "key": key, "value": value}


def _check_options(path, where, raw, multiple, errors) -> list[dict] | None:
    if not isinstance(raw, list) or not 2 <= len(raw) <= 6:
        errors.append(
            ContentError(path, f"{where}: a knowledge check needs 2 to 6 options")
        )
        return None
    options = []
    for n, option in enumerate(raw, start=1):
        if not isinstance(option, dict):
            errors.append(ContentError(path, f"{where}: option {n} must be a mapping"))
            return None
        _unknown_fields(
            path,
            option,
            {"text", "correct", "rationale"},
            errors,
            f"{where}, option {n}: ",
        )
        if not _is_text(option.get("text")) or not _is_text(option.get("rationale")):
            errors.append(
                ContentError(
                    path, f"{where}: option {n} needs both 'text' and 'rationale'"
                )
            )
            return None
        correct = option.get("correct", False)
        if not isinstance(correct, bool):
            errors.append(
                ContentError(
                    path, f"{where}: option {n} 'correct' must be true or false"
                )
            )
            return None
        options.append(
            {
                "text": option["text"].strip(),
                "correct": correct,
                "rationale": option["rationale"].strip(),
            }
        )
    right = sum(o["correct"] for o in options)
    if right == 0:
        errors.append(ContentError(path, f"{where}: no option is marked correct"))
        return None
    if not multiple and right != 1:
        errors.append(
            ContentError(
                path,
                f"{where}: a single-choice check needs exactly one correct option "
                f"(it has {right}); set 'multiple: true' for select-all-that-apply",
            )
        )
        return None
    return options


def _structure(blocks: list[dict]) -> list[tuple]:
    """What must be the same in every language: keys, types, list sizes, answers."""
    shape = []
    for block in blocks:
        v = block["value"]
        detail: tuple = ()
        if block["type"] == "key_points":
            detail = (len(v["points"]),)
        elif block["type"] == "case_study":
            detail = (len(v["questions"]),)
        elif block["type"] == "knowledge_check":
            detail = (v["multiple"], tuple(o["correct"] for o in v["options"]))
        shape.append((block["key"], block["type"], detail))
    return shape


def _describe_difference(mine: list[tuple], english: list[tuple]) -> str:
    for position, (a, b) in enumerate(zip(mine, english, strict=False), start=1):
        if a[0] != b[0] or a[1] != b[1]:
            return (
                f"block {position} is '{a[0]}' ({a[1]}) but in English it is "
                f"'{b[0]}' ({b[1]})"
            )
        if a[2] != b[2]:
            return f"block '{a[0]}' has different list sizes or answers than in English"
    if len(mine) != len(english):
        return f"it has {len(mine)} blocks; English has {len(english)}"
    return "its structure differs from English"


# ---------------------------------------------------------------------------
# Files.


def _read_module(
    path: Path,
    expected_key: str,
    errors,
    *,
    glossary: list[dict] | None = None,
    lang: str = DEFAULT_LANGUAGE,
) -> dict | None:
    data = _load_yaml(path, errors)
    if data is None or not _require_mapping(path, data, errors):
        return None
    _unknown_fields(
        path, data, {"key", "title", "summary", "objectives", "blocks"}, errors
    )
    if data.get("key") != expected_key:
        errors.append(
            ContentError(
                path, f"'key' must be '{expected_key}', the same as the file name"
            )
        )
        return None
    if not _is_text(data.get("title")):
        errors.append(ContentError(path, "is missing 'title'"))
        return None
    objectives = data.get("objectives", [])
    if not isinstance(objectives, list) or not all(_is_text(o) for o in objectives):
        errors.append(ContentError(path, "'objectives' must be a list of texts"))
        return None
    raw_blocks = data.get("blocks")
    if not isinstance(raw_blocks, list) or not raw_blocks:
        errors.append(ContentError(path, "needs a list of 'blocks'"))
        return None
    before = len(errors)
    blocks = [_check_block(path, i, b, errors) for i, b in enumerate(raw_blocks)]
    seen: set[str] = set()
    for block in blocks:
        if block is None:
            continue
        if block["key"] in seen:
            errors.append(
                ContentError(path, f"block key '{block['key']}' is used twice")
            )
        seen.add(block["key"])
    if len(errors) > before:
        return None
    if glossary:
        from .glossary import LINKED_BLOCKS, VARIANT_BLOCKS, link_terms

        linked: set[str] = set()
        for block in blocks:
            value = block["value"]
            for field_name in LINKED_BLOCKS.get(block["type"], ()):
                value[field_name] = link_terms(
                    value[field_name], terms=glossary, linked=linked, lang=lang
                )
            seen_in_variants: set[str] = set()
            for field_name in VARIANT_BLOCKS.get(block["type"], ()):
                own = set(linked)
                value[field_name] = link_terms(
                    value[field_name], terms=glossary, linked=own, lang=lang
                )
                seen_in_variants |= own
            linked |= seen_in_variants
    return {
        "title": data["title"].strip(),
        "summary": str(data.get("summary") or "").strip(),
        "objectives": [o.strip() for o in objectives],
        "blocks": blocks,
    }


def _read_sources(path: Path, errors) -> list[dict]:
    if not path.exists():
        return []
    data = _load_yaml(path, errors)
    if data is None:
        return []
    if not isinstance(data, list):
        errors.append(
            ContentError(path, "must be a list of sources, each with a 'title'")
        )
        return []
    sources = []
    for n, item in enumerate(data, start=1):
        if not isinstance(item, dict) or not _is_text(item.get("title")):
            errors.append(ContentError(path, f"source {n} needs a 'title'"))
            continue
        _unknown_fields(path, item, {"title", "url"}, errors, f"source {n}: ")
        url = item.get("url") or ""
        if url and not re.match(r"^https?://\S+$", str(url)):
            errors.append(
                ContentError(path, f"source {n}: 'url' must be a web address")
            )
            continue
        sources.append({"title": item["title"].strip(), "url": url})
    return sources


def _read_course(
    folder: Path, errors, glossary: dict | None = None
) -> CourseData | None:
    path = folder / "course.yaml"
    if not path.exists():
        errors.append(ContentError(folder, "has no course.yaml"))
        return None
    data = _load_yaml(path, errors)
    if data is None or not _require_mapping(path, data, errors):
        return None
    _unknown_fields(
        path,
        data,
        {
            "key",
            "slug",
            "version",
            "audiences",
            "estimated_minutes",
            "contact_hours",
            "validity_months",
            "complete",
            "modules",
        },
        errors,
    )
    before = len(errors)
    if data.get("key") != folder.name:
        errors.append(
            ContentError(path, f"'key' must be '{folder.name}', the folder's name")
        )
    slug = data.get("slug")
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        errors.append(
            ContentError(
                path, "'slug' must be lower-case ASCII letters, digits, hyphens"
            )
        )
    audiences = data.get("audiences") or []
    if not isinstance(audiences, list) or any(a not in AUDIENCES for a in audiences):
        errors.append(
            ContentError(
                path, f"'audiences' must be a list drawn from {', '.join(AUDIENCES)}"
            )
        )
        audiences = []
    hours = data.get("contact_hours", 1)
    if isinstance(hours, bool) or not isinstance(hours, int | float) or hours <= 0:
        errors.append(ContentError(path, "'contact_hours' must be a number above zero"))
    course = CourseData(
        key=folder.name,
        slug=slug if isinstance(slug, str) else "",
        version=str(data.get("version") or "1.0"),
        audiences=list(audiences),
        estimated_minutes=_positive_int(path, data, "estimated_minutes", errors, 60),
        contact_hours=float(hours) if isinstance(hours, int | float) else 1.0,
        validity_months=_positive_int(path, data, "validity_months", errors, 24),
        complete=bool(data.get("complete", False)),
        folder=folder,
    )
    modules_raw = data.get("modules")
    if not isinstance(modules_raw, list) or not modules_raw:
        errors.append(ContentError(path, "needs a list of 'modules'"))
        return None
    seen_keys, seen_slugs = set(), set()
    for n, entry in enumerate(modules_raw, start=1):
        if not isinstance(entry, dict):
            errors.append(
                ContentError(path, f"module {n} must be a mapping with a key")
            )
            continue
        _unknown_fields(
            path, entry, {"key", "slug", "estimated_minutes"}, errors, f"module {n}: "
        )
        key, mslug = entry.get("key"), entry.get("slug")
        if not isinstance(key, str) or not KEY_RE.match(key):
            errors.append(
                ContentError(path, f"module {n} needs a 'key' (lower-case, hyphens)")
            )
            continue
        if not isinstance(mslug, str) or not SLUG_RE.match(mslug):
            errors.append(ContentError(path, f"module '{key}' needs an ASCII 'slug'"))
            continue
        if key in seen_keys or mslug in seen_slugs:
            errors.append(ContentError(path, f"module '{key}' repeats a key or slug"))
            continue
        seen_keys.add(key)
        seen_slugs.add(mslug)
        course.modules.append(
            ModuleData(
                key=key,
                slug=mslug,
                estimated_minutes=_positive_int(
                    path, entry, "estimated_minutes", errors, 30
                ),
                sources=_read_sources(folder / "sources" / f"{key}.yaml", errors),
            )
        )
    if len(errors) > before:
        return None
    if (folder / "assessment").is_dir():
        from academy.assessments.content import read_assessment

        course.assessment = read_assessment(
            folder / "assessment",
            languages=LANGUAGES,
            load_yaml=lambda p: _load_yaml(p, errors),
            error=_ErrorSink(errors),
        )

    # Text, language by language; English first, since the others must match it.
    for lang in LANGUAGES:
        lang_dir = folder / lang
        if not lang_dir.is_dir():
            if lang == DEFAULT_LANGUAGE:
                errors.append(
                    ContentError(folder, "has no 'en' folder: English is required")
                )
                return None
            continue
        known = {"course.yaml"} | {f"{m.key}.yaml" for m in course.modules}
        for stray in sorted(p.name for p in lang_dir.glob("*.yaml")):
            if stray not in known:
                errors.append(
                    ContentError(
                        lang_dir / stray, "is not a module listed in course.yaml"
                    )
                )
        course_text_path = lang_dir / "course.yaml"
        if course_text_path.exists():
            text = _load_yaml(course_text_path, errors)
            if text is not None and _require_mapping(course_text_path, text, errors):
                _unknown_fields(
                    course_text_path, text, {"title", "summary", "outcomes"}, errors
                )
                outcomes = text.get("outcomes", [])
                if not _is_text(text.get("title")):
                    errors.append(ContentError(course_text_path, "is missing 'title'"))
                elif not isinstance(outcomes, list) or not all(
                    _is_text(o) for o in outcomes
                ):
                    errors.append(
                        ContentError(
                            course_text_path, "'outcomes' must be a list of texts"
                        )
                    )
                else:
                    course.text[lang] = {
                        "title": text["title"].strip(),
                        "summary": str(text.get("summary") or "").strip(),
                        "outcomes": [o.strip() for o in outcomes],
                    }
        elif lang == DEFAULT_LANGUAGE:
            errors.append(
                ContentError(course_text_path, "is missing: English is required")
            )
        for module in course.modules:
            module_path = lang_dir / f"{module.key}.yaml"
            if not module_path.exists():
                if lang == DEFAULT_LANGUAGE:
                    errors.append(
                        ContentError(module_path, "is missing: English is required")
                    )
                continue
            text = _read_module(
                module_path,
                module.key,
                errors,
                glossary=(glossary or {}).get(lang),
                lang=lang,
            )
            if text is None:
                continue
            if lang != DEFAULT_LANGUAGE and DEFAULT_LANGUAGE in module.text:
                english = module.text[DEFAULT_LANGUAGE]
                mine, theirs = _structure(text["blocks"]), _structure(english["blocks"])
                if mine != theirs:
                    errors.append(
                        ContentError(
                            module_path,
                            "does not match the English structure: "
                            + _describe_difference(mine, theirs),
                        )
                    )
                    continue
                if len(text["objectives"]) != len(english["objectives"]):
                    errors.append(
                        ContentError(
                            module_path,
                            f"has {len(text['objectives'])} objectives; English has "
                            f"{len(english['objectives'])}",
                        )
                    )
                    continue
            module.text[lang] = text
    return course


def _read_site(root: Path, errors) -> dict[str, dict]:
    path = root / "site.yaml"
    if not path.exists():
        errors.append(ContentError(path, "is missing (home and catalogue text)"))
        return {}
    data = _load_yaml(path, errors)
    if data is None or not _require_mapping(path, data, errors):
        return {}
    site: dict[str, dict] = {}
    for part in ("home", "catalogue"):
        section = data.get(part)
        if not isinstance(section, dict) or DEFAULT_LANGUAGE not in section:
            errors.append(
                ContentError(path, f"'{part}' needs text in English at least")
            )
            continue
        site[part] = {}
        for lang, fields in section.items():
            if lang not in LANGUAGES:
                errors.append(
                    ContentError(path, f"'{part}' has unknown language '{lang}'")
                )
                continue
            if not isinstance(fields, dict) or not _is_text(fields.get("title")):
                errors.append(ContentError(path, f"'{part}.{lang}' needs a 'title'"))
                continue
            _unknown_fields(
                path, fields, {"title", "intro"}, errors, f"{part}.{lang}: "
            )
            site[part][lang] = {
                "title": fields["title"].strip(),
                "intro": str(fields.get("intro") or "").strip(),
            }
    _unknown_fields(path, data, {"home", "catalogue"}, errors)
    return site


def read_curriculum(root: Path, *, course: str | None = None) -> Curriculum:
    """Read and check every file; raise ContentInvalid listing every problem."""
    errors: list[ContentError] = []
    root = Path(root)
    if not root.is_dir():
        raise ContentInvalid([ContentError(root, "is not a folder")])
    site = _read_site(root, errors)
    from .glossary import read_glossary

    glossary = read_glossary(
        root,
        languages=LANGUAGES,
        load_yaml=lambda p: _load_yaml(p, errors),
        error=_ErrorSink(errors),
    )
    folders = sorted(
        p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")
    )
    folders = [
        p for p in folders if (p / "course.yaml").exists() or (p / "en").is_dir()
    ]
    if course is not None:
        folders = [p for p in folders if p.name == course]
        if not folders:
            raise ContentInvalid([ContentError(root, f"has no course '{course}'")])
    folders = [p for p in folders if p.name not in ("glossary", "terms")]
    courses = [
        c for c in (_read_course(f, errors, glossary) for f in folders) if c is not None
    ]
    slugs: dict[str, str] = {}
    for c in courses:
        if c.slug in slugs:
            errors.append(
                ContentError(c.folder, f"uses the slug '{c.slug}' of '{slugs[c.slug]}'")
            )
        slugs[c.slug] = c.key
    if errors:
        raise ContentInvalid(errors)
    return Curriculum(site=site, courses=courses, glossary=glossary, root=root)
