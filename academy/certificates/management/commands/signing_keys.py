from django.core.management.base import BaseCommand

from academy.certificates.credentials import issuer_did
from academy.certificates.keys import key_dir, signing_key_create
from academy.certificates.models import SigningKey


class Command(BaseCommand):
    help = (
        "Show the academy's signing keys, or rotate: make a new generation (an RSA "
        "key for the VC-JWT, an Ed25519 key for the Data Integrity proof) for new "
        "credentials. "
        "Retired public keys stay published in /.well-known/did.json, so credentials "
        "signed with them still verify."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rotate", action="store_true", help="Make a new active key."
        )

    def handle(self, *args, rotate=False, **options):
        if rotate:
            key = signing_key_create()
            self.stdout.write(
                f"New active key {key.kid} (Ed25519 {key.ed25519_public}); private "
                f"halves in {key_dir()}."
            )
        self.stdout.write(f"Issuer: {issuer_did()}  (private keys in {key_dir()})")
        keys = SigningKey.objects.order_by("created_at")
        if not keys:
            self.stdout.write("No keys yet: run with --rotate to make the first one.")
        for key in keys:
            state = "active" if key.active else f"retired {key.retired_at:%Y-%m-%d}"
            private = (key_dir() / f"{key.kid}.pem").exists()
            ed_private = (key_dir() / f"{key.kid}.ed25519.pem").exists()
            if key.ed25519_public:
                ed25519 = f"Ed25519 {'present' if ed_private else 'MISSING'}"
            else:
                ed25519 = "no Ed25519 key (made before Data Integrity proofs)"
            self.stdout.write(
                f"  {key.kid}  created {key.created_at:%Y-%m-%d}  {state}"
                f"  private key {'present' if private else 'MISSING'}; {ed25519}"
            )
