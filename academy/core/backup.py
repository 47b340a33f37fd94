"""What a backup is made of, and how it is put back: the PostgreSQL database
(pg_dump's custom format), the private files (every object of the private storage)
and the signing keys' directory. `manage.py backup_check` uses these to prove that a
backup restores (README: backups).

The restore goes into a *fresh* database and a fresh bucket (or folder), never over
the live ones."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.db import connection

from .storage import PrivateS3Storage, private_storage


class BackupError(RuntimeError):
    """A step of the backup or the restore failed; the message says which."""


def _postgres_tool(name: str) -> str:
    """pg_dump and pg_restore: on PATH, or Debian's newest cluster's binaries (they
    must not be older than the server)."""
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if found:
        return str(found[-1])
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: postgresql-client).")
    return path


@dataclass(frozen=True)
class Database:
    """Where a PostgreSQL database is, as its tools and DATABASE_URL name it."""

    host: str
    port: str
    user: str
    password: str
    name: str

    @classmethod
    def current(cls) -> Database:
        s = connection.settings_dict
        if connection.vendor != "postgresql":
            raise BackupError(
                "backup_check dumps and restores PostgreSQL, what production runs; "
                "this site uses " + connection.vendor + "."
            )
        return cls(
            s["HOST"] or "127.0.0.1",
            str(s["PORT"] or 5432),
            s["USER"],
            s["PASSWORD"],
            s["NAME"],
        )

    def with_name(self, name: str) -> Database:
        return Database(self.host, self.port, self.user, self.password, name)

    @property
    def url(self) -> str:
        return (
            f"postgres://{quote(self.user)}:{quote(self.password)}@{self.host}:"
            f"{self.port}/{self.name}"
        )

    def _run(self, *args: str) -> None:
        env = {**os.environ, "PGPASSWORD": self.password}
        common = ["-h", self.host, "-p", self.port, "-U", self.user]
        result = subprocess.run(
            [args[0], *common, *args[1:]],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise BackupError(f"{Path(args[0]).name}: {result.stderr.strip()}")


def database_dump(*, database: Database, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    database._run(
        _postgres_tool("pg_dump"), "-Fc", "--no-owner", "-f", str(target), database.name
    )
    return target


def database_restore(*, dump: Path, database: Database) -> Database:
    """Create the (new) database and restore the dump into it."""
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{database.name}"')
    database._run(
        _postgres_tool("pg_restore"),
        "--no-owner",
        "--exit-on-error",
        "-d",
        database.name,
        str(dump),
    )
    return database


def database_drop(*, database: Database) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{database.name}" WITH (FORCE)')


def _walk(storage, folder: str = ""):
    folders, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for sub in folders:
        yield from _walk(storage, f"{folder}/{sub}" if folder else sub)


def storage_dump(*, target: Path) -> int:
    """Copy every file of the private storage into the target folder; how many."""
    storage = private_storage()
    count = 0
    for name in _walk(storage):
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(name, "rb") as source, path.open("wb") as copy:
            shutil.copyfileobj(source, copy)
        count += 1
    return count


@dataclass(frozen=True)
class RestoredFiles:
    """Where the restored private files are, as environment variables for the
    settings (ACADEMY_PRIVATE_STORAGE and the rest), and how to remove them."""

    env: dict
    count: int
    bucket: str = ""
    folder: str = ""


def storage_restore(*, source: Path, name: str, folder: Path) -> RestoredFiles:
    """Upload the dumped files into a fresh bucket named `name` on the same S3
    service (or, for the filesystem storage, a fresh folder)."""
    storage = private_storage()
    files = [p for p in sorted(source.rglob("*")) if p.is_file()]
    if isinstance(storage, PrivateS3Storage):
        client = storage.connection.meta.client
        client.create_bucket(Bucket=name)
        prefix = storage.location.strip("/")
        for path in files:
            key = path.relative_to(source).as_posix()
            client.upload_file(
                str(path),
                name,
                f"{prefix}/{key}" if prefix else key,
                ExtraArgs={"ACL": "private"},
            )
        return RestoredFiles({"ACADEMY_S3_BUCKET": name}, len(files), bucket=name)
    if folder.exists():
        raise BackupError(f"{folder} exists: restore into a new folder.")
    shutil.copytree(source, folder)
    return RestoredFiles(
        {
            "ACADEMY_PRIVATE_STORAGE": "filesystem",
            "ACADEMY_PRIVATE_FILES_DIR": str(folder),
        },
        len(files),
        folder=str(folder),
    )


def storage_remove(*, restored: RestoredFiles) -> None:
    if restored.bucket:
        client = private_storage().connection.meta.client
        bucket = restored.bucket
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                client.delete_object(Bucket=bucket, Key=item["Key"])
        client.delete_bucket(Bucket=bucket)
    elif restored.folder:
        shutil.rmtree(restored.folder, ignore_errors=True)


def keys_dump(*, key_dir: Path, target: Path) -> int:
    """The signing keys' directory, private files kept private (0700, 0600)."""
    target.mkdir(mode=0o700, parents=True)
    target.chmod(0o700)
    count = 0
    for pem in sorted(key_dir.glob("*.pem")):
        copy = target / pem.name
        shutil.copyfile(pem, copy)
        copy.chmod(0o600)
        count += 1
    return count
