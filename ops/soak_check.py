"""After the soak: hold the learners' own logs against the database, and print the
figures. Run inside Django by ops/soak.py:
`manage.py shell -c "import ops.soak_check as c; c.main('<workdir>')"`.
Exits 1 when any rule is broken."""

from __future__ import annotations

import hashlib
import json
import statistics
import sys
from collections import Counter, defaultdict
from email import message_from_bytes
from pathlib import Path

from academy.assessments import grading
from academy.assessments.models import Attempt, AttemptAnswer
from academy.assessments.selectors import answers_of
from academy.certificates.models import Certificate
from academy.core.models import AuditEvent
from academy.organisations.models import ReminderSent
from academy.organisations.reminders import reminders_plan
from ops.servers import mail_messages


def _phase(t: float, windows: dict) -> str:
    for name in ("db-down", "app-restart", "worker-killed"):
        start, end = windows.get(name, (0, 0))
        if start <= t <= end:
            return name
    return "steady"


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main(workdir: str) -> None:
    work = Path(workdir)
    entries = [json.loads(x) for x in (work / "learners.log").read_text().splitlines()]
    timeline = json.loads((work / "timeline.json").read_text())
    windows = timeline["windows"]
    failures: list[str] = []

    requests = [e for e in entries if e["kind"] == "request"]
    by_phase: dict[str, Counter] = defaultdict(Counter)
    for r in requests:
        phase = _phase(r["t"], windows)
        by_phase[phase]["requests"] += 1
        if r["status"] >= 500:
            by_phase[phase]["5xx"] += 1
            by_phase[phase]["clear 503"] += bool(r["clear_503"])
        if r["status"] == 0:
            by_phase[phase]["refused, sent to the other server"] += 1
    answered = [r["ms"] for r in requests if 0 < r["status"] < 500]

    for phase, counts in by_phase.items():
        if counts["5xx"] and phase != "db-down":
            failures.append(
                f"{counts['5xx']} 5xx outside the database outage ({phase})"
            )
        if counts["5xx"] != counts["clear 503"]:
            failures.append(f"{phase}: a 5xx that was not the plain 503 page")

    # Every answer the server acknowledged is stored, once.
    acks = {
        (e["user"], e["attempt"], e["item"])
        for e in entries
        if e["kind"] == "answer" and e["acknowledged"]
    }
    stored = Counter(
        AttemptAnswer.objects.values_list(
            "attempt__user__email", "attempt__number", "item_key"
        )
    )
    lost = [a for a in acks if stored[a] != 1]
    if lost:
        failures.append(
            f"{len(lost)} acknowledged answer(s) not stored once: {lost[:3]}"
        )

    # No attempt graded twice or differently: grading again from the snapshot and
    # the stored answers gives the stored result.
    submitted = Attempt.objects.filter(submitted_at__isnull=False)
    regraded_differently = [
        a.pk
        for a in submitted
        if grading.grade(a.snapshot, answers_of(a))["passed"] != a.passed
    ]
    if regraded_differently:
        failures.append(f"attempts whose stored grade differs: {regraded_differently}")

    # Every passed course has exactly one certificate, with its PDF stored and whole.
    passed_enrolments = set(
        Attempt.objects.filter(passed=True).values_list("enrollment_id", flat=True)
    )
    certificates = list(Certificate.objects.all())
    by_enrolment = Counter(c.enrollment_id for c in certificates)
    missing = passed_enrolments - set(by_enrolment)
    doubled = [e for e, n in by_enrolment.items() if n > 1]
    bad_pdf = [c.code for c in certificates if not _pdf_ok(c)]
    issues = AuditEvent.objects.filter(action="certificate.issue").count()
    if missing:
        failures.append(f"{len(missing)} passed enrolment(s) without a certificate")
    if doubled or issues != len(certificates):
        failures.append(f"certificates issued twice: {doubled}, audit {issues}")
    if bad_pdf:
        failures.append(f"certificates without a whole stored PDF: {bad_pdf}")

    # No reminder went out twice; none is still waiting to go.
    mails = Counter(
        message_from_bytes(m)["To"] for m in mail_messages(Path(timeline["mail_dir"]))
    )
    claims = Counter(ReminderSent.objects.values_list("user__email", flat=True))
    twice = {to: n for to, n in mails.items() if n > claims[to]}
    unsent = {to: n - mails[to] for to, n in claims.items() if mails[to] < n}
    still_planned = reminders_plan()
    if twice:
        failures.append(f"reminders sent twice: {twice}")
    if still_planned:
        failures.append(f"{len(still_planned)} reminder(s) never sent")

    problems = [e for e in entries if e["kind"] == "problem"]
    certified = {
        e["user"] for e in entries if e["kind"] == "certificate" and e["status"] == 200
    }
    if problems:
        failures.append(f"learners stuck: {problems[:3]}")

    print("\n== soak figures")
    print(
        f"{'phase':<16}{'requests':>10}{'5xx':>8}{'clear 503':>11}{'refused→other':>15}"
    )
    for phase in ("steady", "worker-killed", "db-down", "app-restart"):
        c = by_phase.get(phase, Counter())
        print(
            f"{phase:<16}{c['requests']:>10}{c['5xx']:>8}{c['clear 503']:>11}"
            f"{c['refused, sent to the other server']:>15}"
        )
    print(f"{'all':<16}{len(requests):>10}")
    print(
        f"latency of answered requests: p50 {_percentile(answered, 50):.0f} ms, "
        f"p99 {_percentile(answered, 99):.0f} ms ({len(answered)} requests)"
    )
    print(
        f"answers: acknowledged {len(acks)}, stored {sum(stored.values())}, "
        f"acknowledged but not stored once {len(lost)}"
    )
    print(
        f"attempts graded {submitted.count()}, passed {len(passed_enrolments)}; "
        f"certificates {len(certificates)} (audit: {issues} issued), PDFs whole "
        f"{len(certificates) - len(bad_pdf)}; learners with their PDF {len(certified)}"
    )
    print(
        f"reminders: claimed {sum(claims.values())}, emails {sum(mails.values())}, "
        f"sent twice {sum(twice.values())}, claimed but not sent (worker killed "
        f"mid-send) {sum(unsent.values())}, still to send {len(still_planned)}"
    )
    for line in timeline.get("notes", []):
        print(line)
    if failures:
        print("\nSOAK FAILED")
        for failure in failures:
            print(f"  - {failure}")
        sys.exit(1)
    print(
        "\nSOAK PASSED: nothing lost, nothing twice, 5xx only while PostgreSQL was down"
    )


def _pdf_ok(certificate: Certificate) -> bool:
    if not certificate.pdf_sha256 or not certificate.pdf.name:
        return False
    with certificate.pdf.storage.open(certificate.pdf.name, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest() == certificate.pdf_sha256
