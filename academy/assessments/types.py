"""The attempt snapshot and the grading result: persisted JSON contracts.

An attempt copies the assessment into `Attempt.snapshot` when it starts (schema
version in `schema`), and grading writes its result into `Attempt.scores`. Both are
read back for years, so their shape is written down here and checked by mypy.
Schema 1 snapshots (before December 2026) lack the fields marked "schema 2"; readers
use `.get` with the old default for those.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

# {language code: text}; the default language is always present.
Texts = dict[str, str]


class SnapshotOption(TypedDict):
    key: str
    correct: bool
    mistake: NotRequired[str]  # schema 2: the mistake a wrong option stands for
    text: Texts
    rationale: Texts


class SnapshotQuestion(TypedDict):
    key: str
    module: NotRequired[str]  # schema 2
    jurisdiction: NotRequired[str]  # schema 2
    multiple: bool
    question: Texts
    options: list[SnapshotOption]


class SnapshotChoice(TypedDict):
    key: str
    next: str
    grade: str
    mistake: NotRequired[str]  # schema 2
    points: dict[str, int]
    text: Texts
    feedback: Texts
    remediation: Texts


class SnapshotStep(TypedDict):
    key: str
    route_dimension: str
    route_comparison: str
    route_value: int
    route_next: str
    route_otherwise: str
    narrative: Texts
    content_note: Texts
    prompt: Texts
    transcript: Texts
    media_url: str
    choices: list[SnapshotChoice]


class SnapshotEnding(TypedDict):
    key: str
    title: Texts
    summary: Texts
    remember: Texts


class SnapshotScenario(TypedDict):
    key: str
    roles: NotRequired[list[str]]  # schema 2
    drawn: NotRequired[str]  # schema 2: "role" (the learner's own) or "other"
    title: Texts
    intro: Texts
    content_note: Texts
    steps: list[SnapshotStep]
    endings: list[SnapshotEnding]
    max: dict[str, int]


class SnapshotRules(TypedDict):
    scenario_pass_percent: int
    knowledge_pass_percent: int
    bank_draw: int
    scenario_draw: NotRequired[int | None]  # schema 2
    harmful_fails: NotRequired[bool]  # schema 2: a harmful choice fails its scenario


class SnapshotDimension(TypedDict):
    key: str
    label: Texts


class Snapshot(TypedDict):
    schema: int
    revision: int | None
    title: Texts
    rules: SnapshotRules
    dimensions: list[SnapshotDimension]
    questions: list[SnapshotQuestion]
    scenarios: list[SnapshotScenario]
    jurisdiction: NotRequired[str]  # schema 2: whose law the questions were drawn for
    role: NotRequired[str]  # schema 2: the learner's work role at start


# What `AttemptAnswer.answer` holds.
class QuestionAnswer(TypedDict):
    options: list[str]


class ChoiceAnswer(TypedDict):
    choice: str


Answer = QuestionAnswer | ChoiceAnswer


class DimensionScore(TypedDict):
    earned: int
    max: int


class KnowledgePart(TypedDict):
    kind: Literal["knowledge"]
    right: int
    of: int
    percent: float
    passed: bool
    threshold: int


class ScenarioPart(TypedDict):
    kind: Literal["scenario"]
    key: str
    percent: float
    earned: int
    max: int
    passed: bool
    threshold: int
    critical: list[str]
    harmful: NotRequired[list[str]]  # schema 2
    ending: str | None
    dimensions: dict[str, DimensionScore]


class GradeResult(TypedDict):
    parts: list[KnowledgePart | ScenarioPart]
    passed: bool
