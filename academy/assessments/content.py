"""Read and check a course's assessment in content/<course>/assessment/.

structure.yaml holds what is the same in every language (keys, links, grades,
points, rules); <lang>.yaml holds the text, keyed by the same keys. Checked with the
same graph rules as the admin (graph.validate_scenario).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .definition import scenario_from_rows
from .graph import COMPARISONS, GRADES, validate_bank, validate_scenario

KEY_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class AssessmentData:
    key: str
    dimensions: list[str]
    scenario_pass_percent: int
    knowledge_pass_percent: int
    draw: int
    questions: list[dict]
    scenarios: list[dict]  # {key, steps: [rows], endings: [keys]}
    text: dict[str, dict] = field(default_factory=dict)

    def payload(self) -> dict:
        return {
            "key": self.key,
            "dimensions": self.dimensions,
            "draw": self.draw,
            "pass": [self.scenario_pass_percent, self.knowledge_pass_percent],
            "questions": self.questions,
            "scenarios": self.scenarios,
            "text": self.text,
        }


def _key(value) -> bool:
    return isinstance(value, str) and bool(KEY_RE.match(value))


def _text(value) -> bool:
    return isinstance(value, str) and value.strip() != ""


def read_assessment(
    folder: Path, *, languages, load_yaml, error
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
    dims = data.get("dimensions")
    if not isinstance(dims, list) or not dims or not all(_key(d) for d in dims):
        error(path, "'dimensions' must be a list of keys (e.g. [safety, trust])")
        return None
    rules = data.get("pass") or {}
    bank = data.get("bank") or {}
    questions = []
    for n, q in enumerate(bank.get("questions") or [], start=1):
        if not isinstance(q, dict) or not _key(q.get("key")):
            error(path, f"bank question {n} needs a 'key'")
            continue
        options = q.get("options") or []
        if (
            not isinstance(options, list)
            or not 2 <= len(options) <= 6
            or not all(
                isinstance(o, dict) and _key(str(o.get("key", ""))) for o in options
            )
        ):
            error(path, f"question '{q['key']}' needs 2 to 6 options, each with a key")
            continue
        right = sum(1 for o in options if o.get("correct") is True)
        multiple = q.get("multiple") is True
        if right == 0 or (not multiple and right != 1):
            error(
                path,
                f"question '{q['key']}' must have "
                f"{'at least one' if multiple else 'exactly one'} correct option",
            )
            continue
        questions.append(
            {
                "key": q["key"],
                "multiple": multiple,
                "options": [
                    {"key": str(o["key"]), "correct": o.get("correct") is True}
                    for o in options
                ],
            }
        )
    draw = bank.get("draw", 10)
    for problem in validate_bank(
        [q["key"] for q in questions], draw if isinstance(draw, int) else 0
    ):
        error(path, problem)
    scenarios = []
    for s in data.get("scenarios") or []:
        if not isinstance(s, dict) or not _key(s.get("key")):
            error(path, "every scenario needs a 'key'")
            continue
        rows = []
        for st in s.get("steps") or []:
            if not isinstance(st, dict) or not _key(st.get("key")):
                error(path, f"scenario '{s['key']}': every step needs a 'key'")
                continue
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
                if (
                    not isinstance(c, dict)
                    or not _key(c.get("key"))
                    or not _key(c.get("next"))
                ):
                    error(
                        path,
                        f"scenario '{s['key']}', step '{st['key']}': every choice "
                        "needs a 'key' and a 'next'",
                    )
                    continue
                if c.get("grade") not in GRADES:
                    error(
                        path, f"choice '{c['key']}' needs a grade: {', '.join(GRADES)}"
                    )
                    continue
                points = c.get("points") or {}
                if not isinstance(points, dict):
                    error(
                        path,
                        f"choice '{c['key']}': 'points' must map dimensions to numbers",
                    )
                    continue
                row["choices"].append(
                    {
                        "key": c["key"],
                        "next": c["next"],
                        "grade": c["grade"],
                        "points": points,
                    }
                )
            rules_list = st.get("rules") or []
            if rules_list:
                valid = (
                    isinstance(rules_list, list)
                    and len(rules_list) == 2
                    and all(isinstance(r, dict) for r in rules_list)
                    and rules_list[0].get("comparison", "<") in COMPARISONS
                    and isinstance(rules_list[0].get("value", 0), int)
                )
                if not valid:
                    error(
                        path,
                        f"step '{st['key']}': routing takes exactly two rules, a "
                        "condition {dimension, comparison, value, next} and a "
                        "fallback {next}",
                    )
                    continue
                cond, fallback = rules_list
                row.update(
                    route_dimension=cond.get("dimension") or "",
                    route_comparison=cond.get("comparison", "<"),
                    route_value=cond.get("value", 0),
                    route_next=cond.get("next") or "",
                    route_otherwise=fallback.get("next") or "",
                )
            rows.append(row)
        endings = [e for e in (s.get("endings") or []) if _key(e)]
        for problem in validate_scenario(scenario_from_rows(rows, endings, dims)):
            error(path, f"scenario '{s['key']}': {problem}")
        scenarios.append({"key": s["key"], "steps": rows, "endings": endings})
    if not scenarios:
        error(path, "needs at least one scenario")
    if error.count > problems_before:
        return None
    assessment = AssessmentData(
        key=str(data.get("key") or folder.parent.name + "-assessment"),
        dimensions=list(dims),
        scenario_pass_percent=int(rules.get("scenario_percent", 75)),
        knowledge_pass_percent=int(rules.get("knowledge_percent", 80)),
        draw=draw,
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
    return assessment if error.count == problems_before else None


def _missing_text(a: AssessmentData, text) -> list[str]:
    """Every key of the structure that this language file gives no text for."""
    if not isinstance(text, dict):
        return ["the whole file (it must be a mapping)"]
    missing = [name for name in ("title",) if not _text(text.get(name))]
    labels = text.get("dimensions") or {}
    missing += [f"dimension '{d}'" for d in a.dimensions if not _text(labels.get(d))]
    bank = text.get("bank") or {}
    for q in a.questions:
        qt = bank.get(q["key"]) or {}
        if not _text(qt.get("question")):
            missing.append(f"question '{q['key']}'")
        for o in q["options"]:
            ot = (qt.get("options") or {}).get(o["key"]) or {}
            if not (_text(ot.get("text")) and _text(ot.get("rationale"))):
                missing.append(
                    f"question '{q['key']}' option '{o['key']}' (text and rationale)"
                )
    for s in a.scenarios:
        st = (text.get("scenarios") or {}).get(s["key"]) or {}
        if not _text(st.get("title")):
            missing.append(f"scenario '{s['key']}' title")
        for row in s["steps"]:
            step = (st.get("steps") or {}).get(row["key"]) or {}
            if row["choices"] and not _text(step.get("narrative")):
                missing.append(f"step '{row['key']}' narrative")
            for c in row["choices"]:
                ct = (step.get("choices") or {}).get(c["key"]) or {}
                if not (_text(ct.get("text")) and _text(ct.get("feedback"))):
                    missing.append(f"choice '{c['key']}' (text and feedback)")
                if c["grade"] == "critical" and not _text(ct.get("remediation")):
                    missing.append(f"choice '{c['key']}' remediation (it is critical)")
        for e in s["endings"]:
            et = (st.get("endings") or {}).get(e) or {}
            if not (_text(et.get("title")) and _text(et.get("summary"))):
                missing.append(f"ending '{e}' (title and summary)")
    return missing
