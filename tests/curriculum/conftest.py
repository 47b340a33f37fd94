import shutil
from pathlib import Path

import pytest
from django.conf import settings


@pytest.fixture(scope="session")
def foundations_content(tmp_path_factory) -> Path:
    """content/ with one course, Foundations, beside everything that is not a course
    (site, glossary, language guide, standards): what a test of reading, checking or
    loading needs, at a sixth of the reading. Not to be changed; see
    foundations_copy. The whole content/ is loaded and checked by one test each."""
    source = Path(settings.ACADEMY_CONTENT_DIR)
    target = tmp_path_factory.mktemp("foundations") / "content"

    def other_courses(folder, names):
        if Path(folder) != source:
            return []
        return [
            n
            for n in names
            if (source / n / "course.yaml").exists() and n != "foundations"
        ]

    shutil.copytree(source, target, ignore=other_courses)
    return target


@pytest.fixture
def foundations_copy(foundations_content, tmp_path) -> Path:
    """A private copy of foundations_content that a test may change."""
    target = tmp_path / "content"
    shutil.copytree(foundations_content, target)
    return target
