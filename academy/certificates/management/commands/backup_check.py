import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from academy.certificates.backup import certificates_manifest
from academy.core import backup
from academy.core.storage import private_storage


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump), the private files and the signing keys, "
        "restore them into a fresh database and a fresh bucket (or folder), and "
        "check every certificate from the restored copy: code, PDF hash, signature "
        "against did.json, status. Nothing live is changed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--backup-dir",
            type=Path,
            help="Keep the backup here (default: a temporary folder, removed).",
        )
        parser.add_argument(
            "--keep-restored",
            action="store_true",
            help="Leave the restored database and bucket for inspection.",
        )

    def handle(self, *args, backup_dir=None, keep_restored=False, **options):
        try:
            database = backup.Database.current()
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        with tempfile.TemporaryDirectory(prefix="academy-backup-") as scratch:
            folder = backup_dir or Path(scratch)
            folder.mkdir(parents=True, exist_ok=True)
            self._check(database, folder, keep_restored)

    def _check(self, database, folder: Path, keep_restored: bool) -> None:
        stamp = timezone.now().strftime("%Y%m%d%H%M%S")
        manifest = folder / "certificates.json"
        manifest.write_text(json.dumps(certificates_manifest()))
        backup.database_dump(database=database, target=folder / "database.dump")
        files = backup.storage_dump(target=folder / "files")
        keys = backup.keys_dump(
            key_dir=Path(settings.ACADEMY_SIGNING_KEY_DIR),
            target=folder / "signing-keys",
        )
        self.stdout.write(
            f"backed up: database {database.name}, {files} private file(s), "
            f"{keys} signing key file(s) -> {folder}"
        )
        restored_db = database.with_name(f"{database.name}_restore_{stamp}")
        bucket = getattr(private_storage(), "bucket_name", "") or "academy"
        restored_files = None
        try:
            backup.database_restore(dump=folder / "database.dump", database=restored_db)
            restored_files = backup.storage_restore(
                source=folder / "files",
                name=f"{bucket}-restore-{stamp}"[-63:].lstrip("-"),
                folder=folder / "restored-files",
            )
            self.stdout.write(
                f"restored into: database {restored_db.name}, "
                + (
                    f"bucket {restored_files.bucket}"
                    if restored_files.bucket
                    else f"folder {restored_files.folder}"
                )
            )
            env = {
                **os.environ,
                "DATABASE_URL": restored_db.url,
                "ACADEMY_SIGNING_KEY_DIR": str(folder / "signing-keys"),
                **restored_files.env,
            }
            result = subprocess.run(
                [
                    sys.executable,
                    str(Path(settings.BASE_DIR) / "manage.py"),
                    "backup_verify",
                    str(manifest),
                ],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            self.stdout.write(result.stdout.rstrip())
            if result.returncode:
                raise CommandError(
                    "The restored copy failed the check. " + result.stderr.strip()
                )
            self.stdout.write(self.style.SUCCESS("backup check passed"))
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        finally:
            if not keep_restored:
                backup.database_drop(database=restored_db)
                if restored_files is not None:
                    backup.storage_remove(restored=restored_files)
