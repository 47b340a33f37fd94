"""Every vocabulary the academy uses, defined once.

Plain data with no Django import, so the pure modules (the scenario graph, the
validity rules, the content readers) and the models' TextChoices read the same lists.
Labels for people live beside the choices in the models; these are the values.
"""

from __future__ import annotations

import re

# Languages of the interface and the content (settings.LANGUAGES holds the labels).
LANGUAGES: tuple[str, ...] = ("en", "es", "fr", "ar")
DEFAULT_LANGUAGE = "en"
RTL_LANGUAGES: tuple[str, ...] = ("ar",)

# Whose law applies where a learner works.
JURISDICTIONS: tuple[str, ...] = ("us", "coe_eu", "intl")
# A bank question tests the law of one jurisdiction, or holds everywhere.
QUESTION_JURISDICTIONS: tuple[str, ...] = ("all", *JURISDICTIONS)

# Who a course or a scenario is written for; a learner's work role is one of these
# or "other".
AUDIENCES: tuple[str, ...] = (
    "police",
    "prosecution",
    "border",
    "judiciary",
    "employer",
)
WORK_ROLES: tuple[str, ...] = (*AUDIENCES, "other")

# Scenario choices and their grades.
GRADES: tuple[str, ...] = ("best", "acceptable", "harmful", "critical")
FAILING_GRADES: tuple[str, ...] = ("harmful", "critical")

# What mistake a wrong option or a choice short of best stands for.
MISTAKES: tuple[str, ...] = ("well-meant", "procedural", "legal", "harsh")
REALISTIC_MISTAKES: tuple[str, ...] = ("well-meant", "procedural", "legal")

# Routing rules on points gathered in a scenario.
COMPARISONS: tuple[str, ...] = ("<", "<=", ">", ">=", "==")

# Lesson callouts.
CALLOUT_STYLES: tuple[str, ...] = ("info", "tip", "warning")

# Stable keys in content/ and in the admin: lower-case letters, digits and hyphens,
# starting with a letter or digit.
KEY_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_RE = KEY_RE

# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_START: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

# Arabic joins these to the following word: a conjunction (و، ف), then a preposition
# (ب، ل، ك), both optional; with the article, ل + ال is written لل.
ARABIC_PREFIXES = "[وف]?[بلك]?"
ARABIC_ARTICLE = "[وف]?(?:[بك]?ال|لل)"

# Review kinds on a course's review record (content/<course>/review/status.yaml).
REVIEW_KINDS: tuple[str, ...] = (
    "subject-matter",
    "legal",
    "survivor-advisory",
    "translation",
)
REVIEW_STATUSES: tuple[str, ...] = ("done", "pending")
