"""A module's lesson as learners read it, rendered once per published revision,
language and jurisdiction and kept in the shared cache (core.content_cache).

Rendering a lesson is the costly part of a lesson page: decoding the StreamField of
every language, then each block's template and rich text. What a block shows depends
only on the revision, the language and, for a jurisdiction note, where the learner
works, so it is rendered once and reused by every app server. A knowledge check shows
the learner's own answers and carries a form, so only its values are kept and it is
rendered with the page (template `blocks/knowledge_check.html`).

The entry is keyed on the module's live revision and also tagged with the content
version, so a publish anywhere (a page linked from the lesson may have moved) renders
it afresh. A preview (a draft) is rendered and never kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import translation
from django.utils.safestring import SafeString

from academy.core import content_cache
from academy.core.i18n import field_in_language, translation_missing
from academy.courses.models import ModulePage

TRANSLATED = ("title", "summary", "objectives", "body")


@dataclass(frozen=True)
class Lesson:
    # In order: {"html": rendered block} or {"check": block id, "value": {...}}.
    parts: list[dict] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)  # {"title", "url"}
    own_body: bool = True  # the language's own text, not the English fallback
    translation_missing: bool = False  # some of the page is shown in English


def _check_value(value) -> dict:
    return {
        "question": value["question"],
        "multiple": bool(value["multiple"]),
        "options": [
            {
                "text": option["text"],
                "correct": bool(option["correct"]),
                "rationale": option["rationale"],
            }
            for option in value["options"]
        ],
    }


def _render(module: ModulePage, lang: str, jurisdiction: str) -> Lesson:
    with translation.override(lang):
        body, own = field_in_language(module, "body", lang)
        parts: list[dict] = []
        for block in body or []:
            if block.block_type == "knowledge_check":
                parts.append({"check": block.id, "value": _check_value(block.value)})
            else:
                html = block.render(
                    context={"jurisdiction": jurisdiction, "block_id": block.id}
                )
                parts.append({"html": SafeString(html)})
        return Lesson(
            parts=parts,
            sources=[
                {"title": s.value["title"], "url": s.value["url"] or ""}
                for s in module.sources
            ],
            own_body=own,
            translation_missing=translation_missing(module, TRANSLATED, lang),
        )


def lesson_for(
    *, module: ModulePage, lang: str, jurisdiction: str, preview: bool = False
) -> Lesson:
    """The module's lesson in `lang` (its own text, or English with a notice)."""
    if preview or not module.live_revision_id:
        return _render(module, lang, jurisdiction)
    key = content_cache.revision_key(
        "lesson", module.pk, module.live_revision_id, lang, jurisdiction
    )
    return content_cache.entry(key, lambda: _render(module, lang, jurisdiction))
