"""The glossary in content/glossary/ (`<lang>.yaml` and `<course>.<lang>.yaml`):
reading it, and linking each term in a module's lesson text where it first appears."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from academy.core.vocab import ARABIC_ARTICLE, ARABIC_PREFIXES, JURISDICTIONS, KEY_RE

LINKED_BLOCKS = {"text": ("body",), "callout": ("body",), "case_study": ("body",)}
# A learner sees one variant of a jurisdiction note, so each variant links on its own.
VARIANT_BLOCKS = {"jurisdiction_note": JURISDICTIONS}


def _glossary_files(folder: Path, lang: str) -> list[Path]:
    """`<lang>.yaml` (Foundations' terms), then each `<course>.<lang>.yaml`."""
    own = folder / f"{lang}.yaml"
    parts = sorted(p for p in folder.glob(f"*.{lang}.yaml") if p != own)
    return ([own] if own.exists() else []) + parts


def _read_entries(path: Path, data, error) -> list[dict]:
    if not isinstance(data, list):
        error(path, "must be a list of terms")
        return []
    entries = []
    for n, item in enumerate(data, start=1):
        ok = (
            isinstance(item, dict)
            and isinstance(item.get("key"), str)
            and KEY_RE.match(item["key"])
            and isinstance(item.get("term"), str)
            and item["term"].strip()
            and isinstance(item.get("definition"), str)
            and item["definition"].strip()
        )
        if not ok:
            error(path, f"term {n} needs a 'key', a 'term' and a 'definition'")
            continue
        match = item.get("match") or []
        variants = item.get("jurisdictions") or {}
        if not isinstance(match, list) or not all(isinstance(m, str) for m in match):
            error(path, f"'{item['key']}': 'match' must be a list of word forms")
            continue
        if not isinstance(variants, dict) or set(variants) - set(JURISDICTIONS):
            error(path, f"'{item['key']}': 'jurisdictions' takes us, coe_eu and intl")
            continue
        entries.append(
            {
                "key": item["key"],
                "term": item["term"].strip(),
                "match": [m for m in match if m.strip()],
                "definition": item["definition"].strip(),
                "jurisdictions": {k: str(v).strip() for k, v in variants.items() if v},
                "file": path.name,
            }
        )
    return entries


def _in_language(name: str, lang: str) -> str:
    """A glossary file's name in another language: en.yaml → es.yaml,
    police.en.yaml → police.es.yaml."""
    stem, _, _ = name.removesuffix(".yaml").rpartition(".")
    return f"{stem}.{lang}.yaml" if stem else f"{lang}.yaml"


def read_glossary(root: Path, *, languages, load_yaml, error) -> dict[str, list[dict]]:
    """{lang: [{key, term, match, definition, jurisdictions}]} from every glossary file
    of each language; English first, and every other language with exactly the same
    keys and jurisdiction variants. A key is unique across all files of a language."""
    folder = root / "glossary"
    if not folder.is_dir():
        return {}
    glossary: dict[str, list[dict]] = {}
    for lang in languages:
        files = _glossary_files(folder, lang)
        if not files:
            if lang == languages[0]:
                error(folder / f"{lang}.yaml", "is missing: English is required")
            continue
        entries: list[dict] = []
        where: dict[str, str] = {}
        for path in files:
            data = load_yaml(path)
            if data is None:
                continue
            for entry in _read_entries(path, data, error):
                if entry["key"] in where:
                    error(
                        path,
                        f"the key '{entry['key']}' is already used in "
                        f"{where[entry['key']]}",
                    )
                    continue
                where[entry["key"]] = path.name
                entries.append(entry)
        if lang != languages[0] and languages[0] in glossary:
            english = {e["key"]: e for e in glossary[languages[0]]}
            mine = {e["key"]: e for e in entries}
            missing = sorted(set(english) - set(mine))
            extra = sorted(set(mine) - set(english))
            # Reported against the file that should hold the term: the English
            # file's name in this language (en.yaml → es.yaml, police.en.yaml →
            # police.es.yaml), so a translator knows where to add it.
            by_file: dict[str, list[str]] = {}
            for key in missing:
                by_file.setdefault(_in_language(english[key]["file"], lang), []).append(
                    key
                )
            for name, keys in sorted(by_file.items()):
                error(
                    folder / name,
                    "does not have every term of the English glossary; "
                    f"missing {', '.join(keys)}",
                )
            for key in extra:
                error(
                    folder / mine[key]["file"],
                    f"'{key}' is not in the English glossary",
                )
            if missing or extra:
                # Keep what matches, so the terms it has still link.
                entries = [e for e in entries if e["key"] in english]
            for entry in entries:
                key = entry["key"]
                if set(entry["jurisdictions"]) != set(english[key]["jurisdictions"]):
                    error(
                        folder / entry["file"],
                        f"'{key}' has different jurisdiction variants than English",
                    )
        glossary[lang] = entries
    return glossary


_TAG = re.compile(r"(<[^>]+>)")


def _arabic(form: str, pattern: str) -> str:
    """Arabic joins prefixes to the word: و، ب، ل، ف، ك; and ل + ال is written لل."""
    if form.startswith("ال"):
        return ARABIC_ARTICLE + pattern[len("ال") :]
    return ARABIC_PREFIXES + pattern


def link_terms(html: str, *, terms: list[dict], linked: set[str], lang: str) -> str:
    """Link the first appearance of each term not yet linked in this module. Text
    inside links and headings is left alone."""
    pending = [t for t in terms if t["key"] not in linked and t["match"]]
    if not pending:
        return html
    forms = sorted(
        ((form, t["key"]) for t in pending for form in t["match"]),
        key=lambda pair: -len(pair[0]),
    )
    parts = _TAG.split(html)
    skip = 0  # depth inside <a>, <h3>, <h4>
    for i, part in enumerate(parts):
        if part.startswith("<"):
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", part)
            if name and name.group(1).lower() in ("a", "h3", "h4"):
                skip += -1 if part.startswith("</") else 1
            continue
        if skip or not part.strip():
            continue
        parts[i] = _link_text(part, forms=forms, linked=linked, lang=lang)
    return "".join(parts)


@functools.lru_cache(maxsize=16384)
def _form_pattern(form: str, lang: str) -> tuple[str, re.Pattern]:
    """A glossary form's pattern, compiled once (the glossary has more forms than
    `re` caches), and a literal every match contains."""
    words = form.split()
    pattern = r"\s+".join(re.escape(word) for word in words)
    literal = words[0] if words else ""
    if lang == "ar":
        pattern = _arabic(form, pattern)
        if form.startswith("ال"):
            literal = literal[len("ال") :]
    return literal, re.compile(rf"(?<!\w){pattern}(?!\w)")


def _link_text(text: str, *, forms, linked: set[str], lang: str) -> str:
    """Link the earliest appearance in `text` of any term not yet linked (the
    longest form wins where two start at the same place), then look on either side."""
    best = None
    for form, key in forms:
        if key in linked:
            continue
        literal, regex = _form_pattern(form, lang)
        if literal not in text:
            continue  # a plain substring test first: most terms are not in a paragraph
        match = regex.search(text)
        if match and (
            best is None
            or (match.start(), -len(form)) < (best[0].start(), -len(best[2]))
        ):
            best = (match, key, form)
    if best is None:
        return text
    match, key, _form = best
    linked.add(key)
    link = f'<a href="/{lang}/glossary/#{key}">{match.group(0)}</a>'
    return (
        _link_text(text[: match.start()], forms=forms, linked=linked, lang=lang)
        + link
        + _link_text(text[match.end() :], forms=forms, linked=linked, lang=lang)
    )
