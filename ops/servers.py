"""Real servers on loopback, started as processes for the scale tests, the backup
check test and `make soak`: an S3 API (moto's server), Redis (Debian's
redis-server), gunicorn app servers with the production settings, task workers and,
for the soak, a PostgreSQL cluster of its own. Each listens on a port the system
hands out (or one of ACADEMY_LOOPBACK_PORTS), is waited for, and is stopped by its
own process id."""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import boto3

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
PUBLIC_HOST = "academy.test"  # the name the "load balancer" answers to
S3_KEY, S3_SECRET, S3_REGION = "academy-test", "academy-test-secret", "us-east-1"


def _port_range() -> list[int]:
    """ACADEMY_LOOPBACK_PORTS=8170-8199 keeps every server in a range of its own
    (a machine shared with other work); unset, the system hands out a free port."""
    spec = os.environ.get("ACADEMY_LOOPBACK_PORTS", "")
    if not spec:
        return []
    low, _, high = spec.partition("-")
    return list(range(int(low), int(high or low) + 1))


_handed_out: set[int] = set()


def free_port() -> int:
    candidates = _port_range()
    if not candidates:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]
    # A port handed out earlier may not be bound yet: try the others first.
    for port in sorted(candidates, key=lambda p: (p in _handed_out, p)):
        with socket.socket() as sock, contextlib.suppress(OSError):
            sock.bind(("127.0.0.1", port))
            _handed_out.add(port)
            return port
    spec = os.environ["ACADEMY_LOOPBACK_PORTS"]
    raise RuntimeError(f"no free port in ACADEMY_LOOPBACK_PORTS={spec}")


def wait_for_port(port: int, *, timeout: float = 60, process=None) -> None:
    """Until something accepts connections on 127.0.0.1:port (or the process died)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", port), timeout=1),
        ):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing answered on port {port} in {timeout} s")


@dataclass
class Server:
    """One process we started, with its log file."""

    name: str
    args: list[str]
    env: dict
    log: Path
    port: int | None = None
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self, *, wait: bool = True) -> Server:
        handle = self.log.open("ab")
        self.process = subprocess.Popen(
            self.args,
            env=self.env,
            cwd=REPO,
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own group: its workers stop with it
        )
        handle.close()
        if wait and self.port:
            wait_for_port(self.port, process=self.process)
        return self

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, signum: int) -> None:
        if self.alive:
            assert self.process is not None
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signum)

    def stop(self, timeout: float = 20) -> None:
        if self.process is None:
            return
        self.signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.process.wait(timeout)

    def kill(self) -> None:
        """SIGKILL, no chance to tidy up (what a crash or the OOM killer does)."""
        if self.process is not None:
            self.signal(signal.SIGKILL)
            self.process.wait(30)


def start_moto(workdir: Path) -> tuple[Server, str]:
    port = free_port()
    server = Server(
        "s3",
        [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        env={**os.environ},
        log=workdir / "moto.log",
        port=port,
    ).start()
    return server, f"http://127.0.0.1:{port}"


def s3_client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=S3_KEY,
        aws_secret_access_key=S3_SECRET,
        region_name=S3_REGION,
    )


def make_bucket(endpoint: str, name: str) -> str:
    s3_client(endpoint).create_bucket(Bucket=name)
    return name


def s3_env(endpoint: str, bucket: str) -> dict:
    """The environment that points the academy's private storage at a bucket."""
    return {
        "ACADEMY_PRIVATE_STORAGE": "s3",
        "ACADEMY_S3_BUCKET": bucket,
        "ACADEMY_S3_ENDPOINT_URL": endpoint,
        "ACADEMY_S3_REGION": S3_REGION,
        "ACADEMY_S3_ACCESS_KEY_ID": S3_KEY,
        "ACADEMY_S3_SECRET_ACCESS_KEY": S3_SECRET,
    }


def redis_server_path() -> str | None:
    return shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )


def start_redis(workdir: Path) -> tuple[Server, str]:
    port = free_port()
    server = Server(
        "redis",
        [
            redis_server_path() or "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        env={**os.environ},
        log=workdir / "redis.log",
        port=port,
    ).start()
    return server, f"redis://127.0.0.1:{port}/0"


def production_env(
    *, database_url: str, key_dir: Path, mail_dir: Path, extra: dict | None = None
) -> dict:
    """The production settings, configured as an operator would, for loopback: no
    TLS redirect (the "load balancer" says X-Forwarded-Proto: https), mail written
    to files so the tests can count what went out."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "ACADEMY_", "PYTEST"))
    }
    return {
        **clean,
        "DJANGO_SETTINGS_MODULE": "academy.settings.production",
        "DJANGO_SECRET_KEY": "loopback-scale-test-" + "k" * 40,
        "DJANGO_ALLOWED_HOSTS": f"{PUBLIC_HOST},127.0.0.1",
        "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://{PUBLIC_HOST}",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "ACADEMY_PUBLIC_URL": f"https://{PUBLIC_HOST}",
        "ACADEMY_SIGNING_KEY_DIR": str(key_dir),
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "DJANGO_EMAIL_FILE_PATH": str(mail_dir),
        **(extra or {}),
    }


def manage(env: dict, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def collectstatic(env: dict) -> None:
    """The production settings serve a hashed manifest of static files (whitenoise)."""
    result = manage(env, "collectstatic", "--noinput", "-v0")
    if result.returncode:
        raise RuntimeError(result.stderr)


def start_app_server(
    env: dict, workdir: Path, name: str, *, workers: int = 2, threads: int = 4
) -> Server:
    port = free_port()
    return Server(
        name,
        [
            str(BIN / "gunicorn"),
            "academy.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            "60",
            "--graceful-timeout",
            "10",
        ],
        env=env,
        log=workdir / f"{name}.log",
        port=port,
    ).start()


def start_db_worker(env: dict, workdir: Path, name: str = "worker") -> Server:
    return Server(
        name,
        [
            PYTHON,
            "manage.py",
            "db_worker",
            "--backend",
            "academy",
            "--interval",
            "0.5",
            "--no-startup-delay",
        ],
        env=env,
        log=workdir / f"{name}.log",
    ).start()


def start_celery_worker(env: dict, workdir: Path) -> Server:
    return Server(
        "celery",
        [
            str(BIN / "celery"),
            "-A",
            "django_tasks_fennel.app",
            "worker",
            "--concurrency",
            "1",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
        ],
        env=env,
        log=workdir / "celery.log",
    ).start()


MAIL_SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def mail_messages(mail_dir: Path) -> list[bytes]:
    """Every message the file-based email backend wrote (one file a connection, but
    two connections in the same second can share a file name: split on the
    separator the backend writes after each message)."""
    return [
        chunk
        for f in sorted(mail_dir.glob("*.log"))
        for chunk in f.read_bytes().split(MAIL_SEPARATOR)
        if chunk.strip()
    ]


def mail_count(mail_dir: Path) -> int:
    return len(mail_messages(mail_dir))


@dataclass
class PostgresCluster:
    """A throwaway PostgreSQL of our own (as .ci/run starts one), which the soak
    stops and starts again. Run as root: the server runs as the postgres user."""

    data: Path
    port: int = field(default_factory=free_port)

    @staticmethod
    def bindir() -> Path:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        if not found:
            raise RuntimeError(
                "PostgreSQL is not installed (apt-get install postgresql)"
            )
        return found[-1]

    def _as_postgres(self, *args: str, check: bool = True) -> None:
        command = [str(self.bindir() / args[0]), *args[1:]]
        runner = (
            command if os.geteuid() else ["su", "postgres", "-c", shlex.join(command)]
        )
        subprocess.run(runner, check=check, capture_output=True, timeout=120)

    def init(self) -> PostgresCluster:
        self.data.mkdir(parents=True, exist_ok=True)
        if not os.geteuid():
            shutil.chown(self.data, "postgres", "postgres")
        self._as_postgres(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        )
        return self

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k /tmp "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        self._as_postgres(
            "pg_ctl", "-D", str(self.data), "-l", str(self.data / "server.log"),
            "-w", "start", "-o", options,
        )  # fmt: skip

    def stop(self) -> None:
        self._as_postgres(
            "pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False
        )

    def psql(self, sql: str, database: str = "postgres") -> None:
        subprocess.run(
            [str(self.bindir() / "psql"), "-q", "-h", "127.0.0.1", "-p", str(self.port),
             "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-c", sql],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip

    def url(self, database: str) -> str:
        return f"postgres://academy:academy@127.0.0.1:{self.port}/{database}"
