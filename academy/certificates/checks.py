"""Deployment checks (manage.py check --deploy): the signing key directory is private,
and a signing key (with its Ed25519 half) exists, before the site offers credentials."""

from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError

from .keys import key_dir, key_dir_problem
from .models import SigningKey


@register(Tags.security, deploy=True)
def signing_keys_ready(app_configs=None, databases=None, **kwargs):
    problems = []
    folder = key_dir()
    if folder.exists():
        problem = key_dir_problem(folder)
        if problem:
            problems.append(
                Error(
                    f"The signing key directory is not private: {problem}.",
                    id="academy.E001",
                )
            )
    try:
        active = SigningKey.objects.filter(active=True).first()
    except DatabaseError:  # not migrated yet: nothing to say
        return problems
    if active is not None and not active.ed25519_public:
        problems.append(
            Warning(
                "The active signing key has no Ed25519 half: credential.json and the "
                "status lists answer 503 until it has one (it was made before "
                "credentials carried a Data Integrity proof).",
                hint="Run `manage.py signing_keys --rotate` once.",
                id="academy.W002",
            )
        )
    if active is None:
        problems.append(
            Warning(
                "No signing key: /.well-known/did.json and the credentials answer 503 "
                "until one exists.",
                hint="Run `manage.py signing_keys --rotate` once.",
                id="academy.W001",
            )
        )
    return problems
