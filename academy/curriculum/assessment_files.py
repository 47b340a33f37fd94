"""Read and check a course's assessment in content/<course>/assessment/.

structure.yaml holds what is the same in every language (keys, links, grades, points,
tags, rules); <lang>.yaml holds the text, keyed by the same keys. The graph is checked
with the admin's rules (graph.validate_scenario); the validity rules that decide
whether the assessment may certify anyone run on the result (curriculum.checks).
"""

from __future__ import annotations

from pathlib import Path

from academy.assessments.definition import (
    AssessmentData,
    OptionData,
    QuestionData,
    ScenarioData,
    scenario_from_rows,
)
from academy.assessments.graph import validate_bank, validate_scenario
from academy.core.vocab import (
    COMPARISONS,
    GRADES,
    KEY_RE,
    MISTAKES,
    QUESTION_JURISDICTIONS,
    WORK_ROLES,
)

from .yaml_io import ErrorSink, is_text, unknown_fields

STRUCTURE_FIELDS = {"key", "dimensions", "pass", "scenario_draw", "bank", "scenarios"}
QUESTION_FIELDS = {"key", "module", "jurisdiction", "multiple", "options"}
OPTION_FIELDS = {"key", "correct", "mistake"}
SCENARIO_FIELDS = {"key", "roles", "steps", "endings"}
STEP_FIELDS = {"key", "choices", "rules"}
CHOICE_FIELDS = {"key", "next", "grade", "points", "mistake"}


def _key(value) -> bool:
    return isinstance(value, str) and bool(KEY_RE.match(value))


def _percent(path, rules: dict, name: str, default: int, error: ErrorSink) -> int:
    value = rules.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 100:
        error(path, f"'pass.{name}' must be a whole number from 1 to 100")
        return default
    return value


def _question(path: Path, n: int, q, error: ErrorSink) -> QuestionData | None:
    if not isinstance(q, dict) or not _key(q.get("key")):
        error(path, f"bank question {n} needs a 'key'")
        return None
    where = f"question '{q['key']}'"
    unknown_fields(path, q, QUESTION_FIELDS, error, f"{where}: ")
    options = q.get("options") or []
    if (
        not isinstance(options, list)
        or not 2 <= len(options) <= 6
        or not all(isinstance(o, dict) and _key(str(o.get("key", ""))) for o in options)
    ):
        error(path, f"{where} needs 2 to 6 options, each with a key")
        return None
    for o in options:
        unknown_fields(path, o, OPTION_FIELDS, error, f"{where} option {o['key']}: ")
        mistake = o.get("mistake")
        if mistake is not None and mistake not in MISTAKES:
            error(
                path,
                f"{where} option '{o['key']}': 'mistake' is one of "
                f"{', '.join(MISTAKES)}",
            )
    keys = [str(o["key"]) for o in options]
    if len(set(keys)) != len(keys):
        error(path, f"{where} repeats an option key")
        return None
    right = sum(1 for o in options if o.get("correct") is True)
    multiple = q.get("multiple") is True
    if right == 0 or (not multiple and right != 1):
        error(
            path,
            f"{where} must have {'at least one' if multiple else 'exactly one'} "
            "correct option",
        )
        return None
    jurisdiction = q.get("jurisdiction", "")
    if jurisdiction not in QUESTION_JURISDICTIONS:
        error(
            path,
            f"{where} needs 'jurisdiction': one of {', '.join(QUESTION_JURISDICTIONS)}",
        )
    if not _key(q.get("module")):
        error(path, f"{where} needs 'module': the key of the module it tests")
    return QuestionData(
        key=q["key"],
        module=str(q.get("module") or ""),
        jurisdiction=str(jurisdiction),
        multiple=multiple,
        options=[
            OptionData(
                key=str(o["key"]),
                correct=o.get("correct") is True,
                mistake=str(o.get("mistake") or ""),
            )
            for o in options
        ],
    )


def _step(path: Path, skey: str, st, error: ErrorSink) -> dict | None:
    if not isinstance(st, dict) or not _key(st.get("key")):
        error(path, f"scenario '{skey}': every step needs a 'key'")
        return None
    unknown_fields(path, st, STEP_FIELDS, error, f"step '{st['key']}': ")
    row = {
        "key": st["key"],
        "route_dimension": "",
        "route_comparison": "<",
        "route_value": 0,
        "route_next": "",
        "route_otherwise": "",
        "choices": [],
    }
    for c in st.get("choices") or []:
        if not isinstance(c, dict) or not _key(c.get("key")) or not _key(c.get("next")):
            error(
                path,
                f"scenario '{skey}', step '{st['key']}': every choice needs a 'key' "
                "and a 'next'",
            )
            continue
        unknown_fields(path, c, CHOICE_FIELDS, error, f"choice '{c['key']}': ")
        if c.get("grade") not in GRADES:
            error(path, f"choice '{c['key']}' needs a grade: {', '.join(GRADES)}")
            continue
        mistake = c.get("mistake")
        if mistake is not None and mistake not in MISTAKES:
            error(
                path,
                f"choice '{c['key']}': 'mistake' is one of {', '.join(MISTAKES)}",
            )
        points = c.get("points") or {}
        if not isinstance(points, dict):
            error(path, f"choice '{c['key']}': 'points' must map dimensions to numbers")
            continue
        row["choices"].append(
            {
                "key": c["key"],
                "next": c["next"],
                "grade": c["grade"],
                "points": points,
                "mistake": str(mistake or ""),
            }
        )
    rules = st.get("rules") or []
    if rules:
        valid = (
            isinstance(rules, list)
            and len(rules) == 2
            and all(isinstance(r, dict) for r in rules)
            and rules[0].get("comparison", "<") in COMPARISONS
            and isinstance(rules[0].get("value", 0), int)
        )
        if not valid:
            error(
                path,
                f"step '{st['key']}': routing takes exactly two rules, a condition "
                "{dimension, comparison, value, next} and a fallback {next}",
            )
            return None
        condition, fallback = rules
        row.update(
            route_dimension=condition.get("dimension") or "",
            route_comparison=condition.get("comparison", "<"),
            route_value=condition.get("value", 0),
            route_next=condition.get("next") or "",
            route_otherwise=fallback.get("next") or "",
        )
    return row


def read_assessment(
    folder: Path, *, languages, load_yaml, error: ErrorSink
) -> AssessmentData | None:
    """`load_yaml(path)` reads a file (reporting its own errors); `error(path, msg)`
    records a problem. Returns None when anything is wrong."""
    path = folder / "structure.yaml"
    data = load_yaml(path)
    if data is None:
        return None
    if not isinstance(data, dict):
        error(path, "must be a mapping of fields")
        return None
    problems_before = error.count
    unknown_fields(path, data, STRUCTURE_FIELDS, error)
    dims = data.get("dimensions")
    if not isinstance(dims, list) or not dims or not all(_key(d) for d in dims):
        error(path, "'dimensions' must be a list of keys (e.g. [safety, trust])")
        return None
    rules = data.get("pass") or {}
    bank = data.get("bank") or {}
    questions = [
        q
        for q in (
            _question(path, n, raw, error)
            for n, raw in enumerate(bank.get("questions") or [], start=1)
        )
        if q is not None
    ]
    draw = bank.get("draw", 10)
    for problem in validate_bank(
        [q.key for q in questions], draw if isinstance(draw, int) else 0
    ):
        error(path, problem)
    scenario_draw = data.get("scenario_draw")
    if scenario_draw is not None and (
        isinstance(scenario_draw, bool) or not isinstance(scenario_draw, int)
    ):
        error(path, "'scenario_draw' must be a whole number")
        scenario_draw = None
    scenarios = []
    seen: set[str] = set()
    for s in data.get("scenarios") or []:
        if not isinstance(s, dict) or not _key(s.get("key")):
            error(path, "every scenario needs a 'key'")
            continue
        if s["key"] in seen:
            error(path, f"two scenarios share the key '{s['key']}'")
            continue
        seen.add(s["key"])
        unknown_fields(path, s, SCENARIO_FIELDS, error, f"scenario '{s['key']}': ")
        roles = s.get("roles") or []
        if (
            not isinstance(roles, list)
            or not roles
            or any(r not in WORK_ROLES for r in roles)
        ):
            error(
                path,
                f"scenario '{s['key']}' needs 'roles': a list drawn from "
                f"{', '.join(WORK_ROLES)}",
            )
            roles = []
        rows = [
            row
            for row in (_step(path, s["key"], st, error) for st in s.get("steps") or [])
            if row is not None
        ]
        endings = [e for e in (s.get("endings") or []) if _key(e)]
        for problem in validate_scenario(scenario_from_rows(rows, endings, dims)):
            error(path, f"scenario '{s['key']}': {problem}")
        scenarios.append(
            ScenarioData(key=s["key"], roles=list(roles), steps=rows, endings=endings)
        )
    if not scenarios:
        error(path, "needs at least one scenario")
    if error.count > problems_before:
        return None  # the structure is wrong: nothing to check further
    assessment = AssessmentData(
        key=str(data.get("key") or folder.parent.name + "-assessment"),
        dimensions=list(dims),
        scenario_pass_percent=_percent(path, rules, "scenario_percent", 80, error),
        knowledge_pass_percent=_percent(path, rules, "knowledge_percent", 80, error),
        draw=draw,
        scenario_draw=scenario_draw,
        questions=questions,
        scenarios=scenarios,
    )
    for lang in languages:
        text_path = folder / f"{lang}.yaml"
        if not text_path.exists():
            if lang == languages[0]:
                error(text_path, "is missing: English is required")
            continue
        text = load_yaml(text_path)
        if text is None:
            continue
        missing = _missing_text(assessment, text)
        if missing:
            shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
            error(text_path, f"has no text for {shown}")
            continue
        assessment.text[lang] = text
    # A language with missing text is reported (and load_content refuses it); the
    # structure and the complete languages can still be checked.
    return assessment


def _missing_text(a: AssessmentData, text) -> list[str]:
    """Every key of the structure that this language file gives no text for."""
    if not isinstance(text, dict):
        return ["the whole file (it must be a mapping)"]
    missing = [name for name in ("title",) if not is_text(text.get(name))]
    labels = text.get("dimensions") or {}
    missing += [f"dimension '{d}'" for d in a.dimensions if not is_text(labels.get(d))]
    bank = text.get("bank") or {}
    for q in a.questions:
        qt = bank.get(q.key) or {}
        if not is_text(qt.get("question")):
            missing.append(f"question '{q.key}'")
        for o in q.options:
            ot = (qt.get("options") or {}).get(o.key) or {}
            if not (is_text(ot.get("text")) and is_text(ot.get("rationale"))):
                missing.append(
                    f"question '{q.key}' option '{o.key}' (text and rationale)"
                )
    for s in a.scenarios:
        st = (text.get("scenarios") or {}).get(s.key) or {}
        if not is_text(st.get("title")):
            missing.append(f"scenario '{s.key}' title")
        for row in s.steps:
            step = (st.get("steps") or {}).get(row["key"]) or {}
            if row["choices"] and not is_text(step.get("narrative")):
                missing.append(f"step '{row['key']}' narrative")
            for c in row["choices"]:
                ct = (step.get("choices") or {}).get(c["key"]) or {}
                if not (is_text(ct.get("text")) and is_text(ct.get("feedback"))):
                    missing.append(f"choice '{c['key']}' (text and feedback)")
                if c["grade"] == "critical" and not is_text(ct.get("remediation")):
                    missing.append(f"choice '{c['key']}' remediation (it is critical)")
        for e in s.endings:
            et = (st.get("endings") or {}).get(e) or {}
            if not (is_text(et.get("title")) and is_text(et.get("summary"))):
                missing.append(f"ending '{e}' (title and summary)")
    return missing
