"""Reading content/ files and reporting what is wrong with them, in words an editor
understands. Every reader collects problems into one list so an editor can fix them
all in one go; nothing is loaded while any remain."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

# libyaml's parser when PyYAML was built with it (the wheels are): the same safe
# subset, several times faster on the curriculum's hundreds of files.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Bump when the way files become pages changes, so every page is loaded again.
FORMAT_VERSION = 4


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


class ErrorSink:
    """`error(path, message)` for the readers; `.count` says how many so far."""

    def __init__(self, errors: list[ContentError] | None = None):
        self.errors: list[ContentError] = errors if errors is not None else []

    def __call__(self, path: Path | str, message: str) -> None:
        self.errors.append(ContentError(path, message))

    @property
    def count(self) -> int:
        return len(self.errors)


def load_yaml(path: Path, error: ErrorSink) -> Any:
    """The file's data, or None with the reason recorded."""
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=SafeLoader)
    except FileNotFoundError:
        error(path, "is missing")
    except UnicodeDecodeError:
        error(path, "is not UTF-8 text")
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        reason = getattr(problem, "problem", None) or str(problem)
        error(path, f"is not valid YAML{where}: {reason}")
    return None


def fingerprint(payload: dict) -> str:
    """SHA-256 of the source, so the loader can tell "unchanged" without diffing."""
    raw = json.dumps(
        {"format": FORMAT_VERSION, **payload},
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(raw.encode()).hexdigest()


def is_text(value: object) -> bool:
    return isinstance(value, str) and value.strip() != ""


def require_mapping(
    path: Path, data: object, error: ErrorSink, what="the file"
) -> bool:
    if not isinstance(data, dict):
        error(path, f"{what} must be a mapping of fields (key: value)")
        return False
    return True


def unknown_fields(
    path: Path, data: dict, allowed: set[str], error: ErrorSink, where: str = ""
) -> None:
    for name in sorted(set(data) - allowed):
        error(path, f"{where}unknown field '{name}'")


def positive_int(
    path: Path, data: dict, name: str, error: ErrorSink, default: int = 1
) -> int:
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        error(path, f"'{name}' must be a whole number above zero")
        return default
    return value
