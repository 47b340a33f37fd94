"""Lessons in content/: the blocks a module is made of, checked field by field, and
their Markdown turned into the HTML Wagtail stores. Pure: files in, plain data out."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import markdown

from academy.core.markdown import sanitise
from academy.core.vocab import CALLOUT_STYLES, DEFAULT_LANGUAGE, KEY_RE

from .glossary import LINKED_BLOCKS, VARIANT_BLOCKS, link_terms
from .yaml_io import (
    ErrorSink,
    is_text,
    load_yaml,
    require_mapping,
    unknown_fields,
)

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
LINK_SCHEMES = ("http://", "https://", "mailto:", "/", "#")

# Which fields each block type takes, and of what kind: "md" is Markdown, "str" plain
# text, "strs" a list of plain strings. The Wagtail blocks (courses/blocks.py) store
# exactly these fields.
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


class _TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "a":
            self.hrefs += [value or "" for name, value in attrs if name == "href"]


def markdown_to_html(text: str) -> str:
    """Markdown (our subset) to the HTML Wagtail stores for rich text, sanitised."""
    html = sanitise(markdown.markdown(text.strip(), output_format="html"))
    html = re.sub(r"<(/?)strong>", r"<\1b>", html)
    html = re.sub(r"<(/?)em>", r"<\1i>", html)
    html = html.replace(' rel="noopener noreferrer"', "")
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
    for href in collector.hrefs:
        if not href.lower().startswith(LINK_SCHEMES):
            return (
                f"links to '{href[:40]}'; links go to http, https or mailto "
                "addresses, or within the site"
            )
    return None


def check_block(path: Path, index: int, block, error: ErrorSink) -> dict | None:
    """One lesson block: fields checked, Markdown turned into stored HTML."""
    where = f"block {index + 1}"
    if not isinstance(block, dict):
        error(path, f"{where} must be a mapping with a key and a type")
        return None
    key = block.get("key")
    if not isinstance(key, str) or not KEY_RE.match(key):
        error(path, f"{where} needs a 'key' of lower-case letters, digits and hyphens")
        return None
    where = f"block '{key}'"
    block_type = block.get("type")
    if block_type not in BLOCK_FIELDS:
        known = ", ".join(BLOCK_FIELDS)
        error(path, f"{where} has unknown type '{block_type}' (known: {known})")
        return None
    schema = BLOCK_FIELDS[block_type]
    unknown_fields(path, block, set(schema) | {"key", "type"}, error, f"{where}: ")
    value: dict[str, Any] = {}
    ok = True
    for name, (kind, required) in schema.items():
        raw = block.get(name)
        if raw is None:
            if required:
                error(path, f"{where} is missing '{name}'")
                ok = False
            elif kind == "strs":
                value[name] = []
            elif kind == "bool":
                value[name] = False
            elif kind == "str":
                value[name] = ""
            continue
        if kind == "md":
            if not is_text(raw):
                error(path, f"{where}: '{name}' must be text")
                ok = False
                continue
            problem = check_markdown(raw)
            if problem:
                error(path, f"{where}: '{name}' {problem}")
                ok = False
                continue
            value[name] = markdown_to_html(raw)
        elif kind == "str":
            if not isinstance(raw, str | int | float) or isinstance(raw, bool):
                error(path, f"{where}: '{name}' must be text")
                ok = False
                continue
            value[name] = str(raw).strip()
        elif kind == "strs":
            if not isinstance(raw, list) or not all(is_text(x) for x in raw):
                error(path, f"{where}: '{name}' must be a list of texts")
                ok = False
                continue
            if name == "points" and not raw:
                error(path, f"{where}: '{name}' needs at least one item")
                ok = False
                continue
            value[name] = [x.strip() for x in raw]
        elif kind == "bool":
            if not isinstance(raw, bool):
                error(path, f"{where}: '{name}' must be true or false")
                ok = False
                continue
            value[name] = raw
        elif kind == "url":
            if not isinstance(raw, str) or not re.match(r"^https?://\S+$", raw):
                error(path, f"{where}: '{name}' must be a web address")
                ok = False
                continue
            value[name] = raw
        elif kind == "style":
            if raw not in CALLOUT_STYLES:
                error(
                    path,
                    f"{where}: 'style' must be one of {', '.join(CALLOUT_STYLES)}",
                )
                ok = False
                continue
            value[name] = raw
        elif kind == "options":
            options = check_options(
                path, where, raw, block.get("multiple", False), error
            )
            if options is None:
                ok = False
                continue
            value[name] = options
    if not ok:
        return None
    return {"type": block_type, "key": key, "value": value}


def check_options(path, where, raw, multiple, error) -> list[dict] | None:
    if not isinstance(raw, list) or not 2 <= len(raw) <= 6:
        error(path, f"{where}: a knowledge check needs 2 to 6 options")
        return None
    options = []
    for n, option in enumerate(raw, start=1):
        if not isinstance(option, dict):
            error(path, f"{where}: option {n} must be a mapping")
            return None
        unknown_fields(
            path,
            option,
            {"text", "correct", "rationale"},
            error,
            f"{where}, option {n}: ",
        )
        if not is_text(option.get("text")) or not is_text(option.get("rationale")):
            error(path, f"{where}: option {n} needs both 'text' and 'rationale'")
            return None
        correct = option.get("correct", False)
        if not isinstance(correct, bool):
            error(path, f"{where}: option {n} 'correct' must be true or false")
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
        error(path, f"{where}: no option is marked correct")
        return None
    if not multiple and right != 1:
        error(
            path,
            f"{where}: a single-choice check needs exactly one correct option "
            f"(it has {right}); set 'multiple: true' for select-all-that-apply",
        )
        return None
    return options


def structure(blocks: list[dict]) -> list[tuple]:
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


def describe_difference(mine: list[tuple], english: list[tuple]) -> str:
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


def read_module(
    path: Path,
    expected_key: str,
    error,
    *,
    glossary: list[dict] | None = None,
    lang: str = DEFAULT_LANGUAGE,
) -> dict | None:
    data = load_yaml(path, error)
    if data is None or not require_mapping(path, data, error):
        return None
    unknown_fields(
        path, data, {"key", "title", "summary", "objectives", "blocks"}, error
    )
    if data.get("key") != expected_key:
        error(path, f"'key' must be '{expected_key}', the same as the file name")
        return None
    if not is_text(data.get("title")):
        error(path, "is missing 'title'")
        return None
    objectives = data.get("objectives", [])
    if not isinstance(objectives, list) or not all(is_text(o) for o in objectives):
        error(path, "'objectives' must be a list of texts")
        return None
    raw_blocks = data.get("blocks")
    if not isinstance(raw_blocks, list) or not raw_blocks:
        error(path, "needs a list of 'blocks'")
        return None
    before = error.count
    blocks = [check_block(path, i, b, error) for i, b in enumerate(raw_blocks)]
    seen: set[str] = set()
    for block in blocks:
        if block is None:
            continue
        if block["key"] in seen:
            error(path, f"block key '{block['key']}' is used twice")
        seen.add(block["key"])
    if error.count > before:
        return None
    if glossary:
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
