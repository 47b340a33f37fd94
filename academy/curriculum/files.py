"""Files every course and standard may have: what it rests on (sources) and the
record of its expert reviews (review/status.yaml)."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from academy.core.vocab import JURISDICTIONS, LANGUAGES, REVIEW_KINDS, REVIEW_STATUSES

from .yaml_io import ErrorSink, is_text, load_yaml, unknown_fields

REVIEW_FIELDS = {"kind", "status", "version", "by", "date", "note"}
REVIEW_FIELDS |= {"jurisdiction", "language"}


def read_sources(path: Path, error: ErrorSink) -> list[dict]:
    if not path.exists():
        return []
    data = load_yaml(path, error)
    if data is None:
        return []
    if not isinstance(data, list):
        error(path, "must be a list of sources, each with a 'title'")
        return []
    sources = []
    for n, item in enumerate(data, start=1):
        if not isinstance(item, dict) or not is_text(item.get("title")):
            error(path, f"source {n} needs a 'title'")
            continue
        unknown_fields(path, item, {"title", "url"}, error, f"source {n}: ")
        url = item.get("url") or ""
        if url and not re.match(r"^https?://\S+$", str(url)):
            error(path, f"source {n}: 'url' must be a web address")
            continue
        sources.append({"title": item["title"].strip(), "url": url})
    return sources


def read_review_status(path: Path, error: ErrorSink) -> list[dict]:
    """The review record: each review's kind, status, who (by role) and when."""
    if not path.exists():
        return []
    data = load_yaml(path, error)
    if data is None:
        return []
    reviews = data.get("reviews") if isinstance(data, dict) else None
    if not isinstance(reviews, list):
        error(path, "needs 'reviews': a list of {kind, status, …}")
        return []
    result = []
    for n, item in enumerate(reviews, start=1):
        where = f"review {n}"
        if not isinstance(item, dict):
            error(path, f"{where} must be a mapping")
            continue
        unknown_fields(path, item, REVIEW_FIELDS, error, f"{where}: ")
        kind, status = item.get("kind"), item.get("status")
        if kind not in REVIEW_KINDS:
            error(path, f"{where}: 'kind' is one of {', '.join(REVIEW_KINDS)}")
            continue
        if status not in REVIEW_STATUSES:
            error(path, f"{where}: 'status' is done or pending")
            continue
        jurisdiction = item.get("jurisdiction") or ""
        if kind == "legal" and jurisdiction not in JURISDICTIONS:
            error(path, f"{where}: a legal review names its jurisdiction")
            continue
        language = item.get("language") or ""
        if kind == "translation" and language not in LANGUAGES:
            error(path, f"{where}: a translation review names its language")
            continue
        when = item.get("date")
        if isinstance(when, datetime.date):
            when = when.isoformat()
        elif when is not None and not isinstance(when, str):
            error(path, f"{where}: 'date' is a date (YYYY-MM-DD)")
            continue
        if status == "done" and not (when and is_text(item.get("by"))):
            error(path, f"{where}: a done review says who (by role) and when")
            continue
        result.append(
            {
                "kind": kind,
                "status": status,
                "jurisdiction": jurisdiction,
                "language": language,
                "version": str(item.get("version") or ""),
                "by": str(item.get("by") or "").strip(),
                "date": when or "",
                "note": str(item.get("note") or "").strip(),
            }
        )
    return result
