import pytest
from django.test import TestCase

from academy.certificates.models import Certificate

from ..assessments.conftest import Taker, assessment, ready_learner, taker  # noqa: F401


def pass_assessment(taker: Taker, number: int = 1) -> None:  # noqa: F811
    """Pass, as the learner's requests would: each one's work committed, and what
    waits for the commit (the certificate's PDF) done then."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        taker.start()
        taker.questions(number=number)
        taker.step("s:corridor:arrive", "ask", number=number)
        taker.step("s:corridor:refer", "refer-well", number=number)


@pytest.fixture
def certificate(taker) -> Certificate:  # noqa: F811
    pass_assessment(taker)
    return Certificate.objects.get()
