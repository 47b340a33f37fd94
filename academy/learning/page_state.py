"""What a learner's pages read about the person, for the stamp under which
core.page_cache keeps them: one subquery per table, every row that belongs to the
person (or to the organisations they are a member of). A table a learner page reads
for the person and that is missing here would show its change up to a minute late
(the stamp carries the minute), so a page that starts reading a new table adds it."""

from __future__ import annotations

from academy.assessments.models import Accommodation, Attempt, AttemptAnswer
from academy.certificates.models import Certificate, NameChange
from academy.core.models import User
from academy.core.page_cache import register_state, rows_state
from academy.courses.models import Enrollment, ModuleProgress
from academy.organisations.models import (
    Assignment,
    Cohort,
    DueExtension,
    Exemption,
    Invitation,
    Membership,
    Organisation,
)


def _t(model) -> str:
    return model._meta.db_table


def register() -> None:
    enrolment = f"JOIN {_t(Enrollment)} e ON e.id = r.enrollment_id"
    attempt = f"JOIN {_t(Attempt)} a ON a.id = r.attempt_id"
    membership = f"JOIN {_t(Membership)} m ON m.organisation_id = r.id"
    in_cohort = f"JOIN {_t(Membership)} m ON m.cohort_id = r.id"
    member_of = f"SELECT organisation_id FROM {_t(Membership)} WHERE user_id = %s"
    groups = User.groups.through._meta.db_table
    register_state(
        rows_state(_t(Enrollment), where="r.user_id = %s", states=["r.completed_at"]),
        rows_state(
            _t(ModuleProgress),
            joins=enrolment,
            where="e.user_id = %s",
            states=["r.completed_at"],
        ),
        rows_state(
            _t(Attempt),
            where="r.user_id = %s",
            states=[
                "r.submitted_at",
                "r.declared_own_work_at",
                "r.remediation_viewed_at",
                "r.passed",
            ],
        ),
        rows_state(
            _t(AttemptAnswer),
            joins=attempt,
            where="a.user_id = %s",
            newest="r.answered_at",
            states=["r.is_correct"],
        ),
        rows_state(_t(Accommodation), where="r.user_id = %s"),
        rows_state(_t(Certificate), where="r.user_id = %s", states=["r.revoked_at"]),
        rows_state(
            _t(NameChange),
            where="r.user_id = %s",
            newest="r.id",
            states=["r.decided_at"],
        ),
        rows_state(
            _t(Membership),
            where="r.user_id = %s",
            states=["r.accepted_at", "r.declined_at", "r.removed_at", "r.cohort_id"],
        ),
        rows_state(_t(Organisation), joins=membership, where="m.user_id = %s"),
        rows_state(_t(Cohort), joins=in_cohort, where="m.user_id = %s"),
        rows_state(
            _t(Assignment),
            where=f"r.organisation_id IN ({member_of})",
            states=["r.closed_at"],
        ),
        rows_state(_t(DueExtension), where="r.user_id = %s", newest="r.id"),
        rows_state(_t(Exemption), where="r.user_id = %s", newest="r.id"),
        rows_state(
            _t(Invitation),
            where="r.user_id = %s",
            states=["r.accepted_at", "r.declined_at", "r.withdrawn_at"],
        ),
        rows_state(groups, where="r.user_id = %s", newest="r.group_id"),
    )
