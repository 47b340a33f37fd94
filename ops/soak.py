"""`make soak`: 50 learners (Locust, headless) for 3 minutes against two app
servers on a PostgreSQL of our own, on loopback, while this script
- kills the task worker with SIGKILL and starts it again,
- stops PostgreSQL for 10 seconds and starts it again,
- restarts one app server,
and both "servers" run send_reminders from cron now and then. Then ops/soak_check
holds the learners' logs against the database and prints the figures.

Bounded: about 4 to 5 minutes in all (under 10), everything it started stopped by
its process id. Run as root (PostgreSQL runs as the postgres user)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from ops import servers

LEARNERS = 50
RUN_SECONDS = 180
# Seconds after the learners start.
REMINDERS_AT = (30, 75, 120, 165)
WORKER_KILL_AT, WORKER_DOWN_FOR = 32, 5
DB_STOP_AT, DB_DOWN_FOR = 60, 10
APP_RESTART_AT = 110


def step(message: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Supervisor(threading.Thread):
    """Keeps the task worker running, as systemd's Restart=always would: the
    database worker exits when its database goes away; it is started again."""

    def __init__(self, env: dict, work: Path):
        super().__init__(daemon=True)
        self.env, self.work = env, work
        self.worker = servers.start_db_worker(env, work)
        self.paused = threading.Event()
        self.stopping = threading.Event()
        self.restarts = 0

    def run(self):
        while not self.stopping.wait(1):
            if not self.paused.is_set() and not self.worker.alive:
                self.restarts += 1
                self.worker = servers.start_db_worker(self.env, self.work)

    def stop(self):
        self.stopping.set()
        self.worker.stop()


def healthy(server: servers.Server) -> bool:
    try:
        response = requests.get(
            f"http://127.0.0.1:{server.port}/healthz",
            headers={"Host": servers.PUBLIC_HOST},
            timeout=5,
        )
    except requests.RequestException:
        return False
    return response.status_code == 200


def deep_health(server: servers.Server) -> int:
    try:
        return requests.get(
            f"http://127.0.0.1:{server.port}/healthz?deep=1",
            headers={"Host": servers.PUBLIC_HOST},
            timeout=10,
        ).status_code
    except requests.RequestException:
        return 0


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="academy-soak-"))
    work.chmod(0o755)  # the postgres user reaches its data folder inside
    started: list = []
    step(f"working in {work}")
    pg = servers.PostgresCluster(work / "pg").init()
    pg.start()
    started.append(pg)
    pg.psql("CREATE ROLE academy LOGIN PASSWORD 'academy' CREATEDB")
    pg.psql("CREATE DATABASE academy OWNER academy")
    moto, endpoint = servers.start_moto(work)
    started.append(moto)
    bucket = servers.make_bucket(endpoint, "academy-soak")
    key_dir, mail_dir = work / "keys", work / "mail"
    key_dir.mkdir(mode=0o700)
    mail_dir.mkdir()
    env = servers.production_env(
        database_url=pg.url("academy"),
        key_dir=key_dir,
        mail_dir=mail_dir,
        extra=servers.s3_env(endpoint, bucket),
    )
    try:
        return _soak(work, pg, env, mail_dir, started)
    finally:
        step("stopping everything this script started")
        for thing in reversed(started):
            thing.stop()
        shutil.rmtree(work / "pg", ignore_errors=True)
        step(f"logs kept in {work}")


def _manage(env: dict, *args: str) -> None:
    result = servers.manage(env, *args)
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr}")


def _soak(work: Path, pg, env: dict, mail_dir: Path, started: list) -> int:
    step("migrating, collecting static files, seeding 50 learners")
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "createcachetable")
    servers.collectstatic(env)
    _manage(env, "signing_keys", "--rotate")
    plan = work / "plan.json"
    _manage(
        env, "shell", "-c", f"import ops.soak_seed as s; s.seed({LEARNERS}, '{plan}')"
    )
    app_a = servers.start_app_server(env, work, "app-a")
    app_b = servers.start_app_server(env, work, "app-b")
    started += [app_a, app_b]
    supervisor = Supervisor(env, work)
    supervisor.start()
    started.append(supervisor)

    windows: dict[str, list[float]] = {}
    notes: list[str] = []
    log = work / "learners.log"
    step(f"{LEARNERS} learners for {RUN_SECONDS} s (Locust, headless)")
    locust = subprocess.Popen(
        [
            str(servers.BIN / "locust"),
            "-f",
            str(servers.REPO / "ops" / "locustfile.py"),
            "--headless",
            "--users",
            str(LEARNERS),
            "--spawn-rate",
            "10",
            "--run-time",
            f"{RUN_SECONDS}s",
            "--stop-timeout",
            "20",
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env={
            **env,
            "SOAK_PLAN": str(plan),
            "SOAK_PORTS": f"{app_a.port},{app_b.port}",
            "SOAK_LOG": str(log),
        },
        cwd=servers.REPO,
        stdout=(work / "locust.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    t0 = time.time()

    def at(seconds: float) -> None:
        time.sleep(max(0.0, t0 + seconds - time.time()))

    events = sorted(
        [(s, "reminders") for s in REMINDERS_AT]
        + [(WORKER_KILL_AT, "kill worker"), (DB_STOP_AT, "stop db")]
        + [(APP_RESTART_AT, "restart app")]
    )
    reminder_runs: list[threading.Thread] = []
    for when, what in events:
        at(when)
        if what == "reminders":
            step("both servers' cron: send_reminders at the same moment")
            for _ in range(2):
                run = threading.Thread(
                    target=servers.manage, args=(env, "send_reminders")
                )
                run.start()
                reminder_runs.append(run)
        elif what == "kill worker":
            step("SIGKILL to the task worker")
            supervisor.paused.set()
            start = time.time()
            supervisor.worker.kill()
            time.sleep(WORKER_DOWN_FOR)
            supervisor.worker = servers.start_db_worker(env, work)
            supervisor.paused.clear()
            windows["worker-killed"] = [start, time.time()]
        elif what == "stop db":
            step(f"PostgreSQL stopped for {DB_DOWN_FOR} s")
            start = time.time()
            pg.stop()
            time.sleep(DB_DOWN_FOR)
            pg.start()
            step("PostgreSQL started again")
            while not (healthy(app_a) and healthy(app_b)):
                time.sleep(0.2)
            windows["db-down"] = [start, time.time()]
            notes.append(
                f"PostgreSQL down {DB_DOWN_FOR} s; both servers healthy "
                f"{time.time() - start - DB_DOWN_FOR:.1f} s after it started again"
            )
        elif what == "restart app":
            step("restarting app server B (SIGTERM, start again)")
            start = time.time()
            app_b.stop()
            app_b.start()
            windows["app-restart"] = [start, time.time()]
            notes.append(f"app server B away {time.time() - start:.1f} s")
    locust.wait(timeout=RUN_SECONDS + 120)
    for run in reminder_runs:
        run.join(120)
    step("learners done; waiting for the task queue to drain")
    drained = time.time()
    deadline = drained + 90
    while time.time() < deadline and _waiting_jobs(env):
        time.sleep(1)
    notes.append(f"task queue drained {time.time() - drained:.0f} s after the learners")
    notes.append(
        f"task worker restarted by the supervisor {supervisor.restarts} time(s)"
    )
    notes.append(
        "deep health after the soak: "
        f"A {deep_health(app_a)}, B {deep_health(app_b)} (200 = recovered)"
    )
    if deep_health(app_a) != 200 or deep_health(app_b) != 200:
        notes.append("NOT RECOVERED: a deep health check is not 200")
    (work / "timeline.json").write_text(
        json.dumps({"windows": windows, "notes": notes, "mail_dir": str(mail_dir)})
    )
    check = servers.manage(
        env, "shell", "-v0", "-c", f"import ops.soak_check as c; c.main('{work}')"
    )
    print(check.stdout, end="")
    if check.returncode:
        print(check.stderr[-3000:], file=sys.stderr)
    summary = (work / "locust.log").read_text(errors="replace")
    print("\n== Locust's own summary (last lines)")
    print("\n".join(summary.splitlines()[-30:]))
    recovered = all("NOT RECOVERED" not in n for n in notes)
    return 0 if check.returncode == 0 and recovered else 1


def _waiting_jobs(env: dict) -> bool:
    result = servers.manage(
        env,
        "shell",
        "-v0",
        "-c",
        "from django_tasks_db.models import DBTaskResult as R; "
        "print(R.objects.filter(status='READY').count())",
    )
    lines = result.stdout.strip().splitlines()
    return result.returncode != 0 or not lines or lines[-1] != "0"


if __name__ == "__main__":
    os.chdir(servers.REPO)
    sys.exit(main())
