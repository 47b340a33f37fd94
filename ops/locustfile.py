"""The soak's learners (Locust): sign in, enrol, read and finish the modules, take
the certifying assessment, download the certificate, then keep browsing.

Each learner keeps a log (JSON lines, SOAK_LOG) of every request and of every answer
the server acknowledged, which `ops.soak_check` holds against the database.

The learners' browser speaks to a small "load balancer" of its own: a connection
that is refused (an app server restarting) goes to the other server, as a balancer
whose health check failed would send it; a 503 (the database away) is retried after
a second, as the page asks. Cookies are kept by hand: they are Secure, and the hop
to the app servers is plain HTTP behind the (simulated) TLS terminator."""

from __future__ import annotations

import itertools
import json
import os
import re
import time
from http.cookies import SimpleCookie

from gevent.lock import Semaphore
from locust import HttpUser, between, task
from locust.exception import StopUser

PLAN = json.loads(open(os.environ["SOAK_PLAN"]).read())
PORTS = [int(p) for p in os.environ["SOAK_PORTS"].split(",")]
HOST = "academy.test"
LOG = open(os.environ["SOAK_LOG"], "a", buffering=1)
_log_lock = Semaphore()
_numbers = itertools.count()
RETRY_FOR = 90  # seconds a learner keeps trying one step
PREFERRED = ["a", "ask", "refer-well", "apologise"]  # the right answers
FORM = re.compile(r'<form method="post" action="([^"]+)"')
ITEM = re.compile(r'name="item" value="([^"]+)"')
ANSWER = re.compile(r'name="answer" value="([^"]+)"')
PDF = re.compile(r'href="(/en/dashboard/certificates/[^"]+\.pdf)"')


def log(**entry) -> None:
    with _log_lock:
        LOG.write(json.dumps({"t": time.time(), **entry}) + "\n")


class Learner(HttpUser):
    host = f"http://127.0.0.1:{PORTS[0]}"
    wait_time = between(0.5, 2.0)

    def on_start(self):
        number = next(_numbers)
        if number >= len(PLAN["learners"]):
            raise StopUser()
        self.email = PLAN["learners"][number]
        self.cookies: dict[str, str] = {}
        self.turn = number % len(PORTS)
        self.done = False

    # -- the browser -----------------------------------------------------------

    def send(self, method: str, path: str, name: str, data=None):
        """One step, retried until the site answers it (bounded)."""
        deadline = time.monotonic() + RETRY_FOR
        while True:
            port = PORTS[self.turn % len(PORTS)]
            self.turn += 1  # round robin, like the balancer
            headers = {
                "Host": HOST,
                "X-Forwarded-Proto": "https",
                "Connection": "close",  # no stale keep-alive to a restarted server
                "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            }
            body = None
            if method == "POST":
                headers["Origin"] = f"https://{HOST}"
                body = {
                    **(data or {}),
                    "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""),
                }
            started = time.monotonic()
            self.client.cookies.clear()
            response = self.client.request(
                method,
                f"http://127.0.0.1:{port}{path}",
                name=name,
                data=body,
                headers=headers,
                allow_redirects=False,
                timeout=60,
            )
            status = response.status_code or 0
            clear = status == 503 and "The academy is back in a moment" in response.text
            log(
                kind="request",
                user=self.email,
                method=method,
                name=name,
                status=status,
                ms=round((time.monotonic() - started) * 1000, 1),
                port=port,
                clear_503=clear,
            )
            if status:
                for header in response.raw.headers.getlist("Set-Cookie"):
                    for key, morsel in SimpleCookie(header).items():
                        self.cookies[key] = morsel.value
            if status and status < 500:
                return response
            if time.monotonic() > deadline:
                raise StopUser()
            time.sleep(0 if status == 0 else 1)  # refused: the other server at once

    def get(self, path, name):
        return self.send("GET", path, name)

    def post(self, path, name, data=None):
        return self.send("POST", path, name, data)

    # -- the journey -----------------------------------------------------------

    @task
    def learn(self):
        if self.done:
            self.browse()
            return
        self.get("/en/accounts/sign-in/", "sign-in form")
        signed = self.post(
            "/en/accounts/sign-in/",
            "sign in",
            {"email": self.email, "password": PLAN["password"]},
        )
        if signed.status_code != 302:
            log(
                kind="problem",
                user=self.email,
                what="sign in",
                status=signed.status_code,
            )
            raise StopUser()
        course = self.get(PLAN["course"], "course page")
        enrol = [a for a in FORM.findall(course.text) if a.endswith("enrol/")]
        if enrol:
            self.post(enrol[0], "enrol")
        for module in PLAN["modules"]:
            page = self.get(module, "module page")
            complete = [a for a in FORM.findall(page.text) if a.endswith("complete/")]
            if complete:
                self.post(complete[0], "module done")
        self.get(PLAN["assessment"], "assessment page")
        started = self.post(
            PLAN["assessment"] + "start/", "start attempt", {"own_work": "yes"}
        )
        attempt_url = started.headers.get("Location", "")
        match = re.search(r"attempts/(\d+)/", attempt_url)
        if not match:
            log(
                kind="problem",
                user=self.email,
                what="start",
                status=started.status_code,
            )
            raise StopUser()
        number = int(match.group(1))
        for _step in range(40):
            page = self.get(attempt_url, "attempt page")
            if page.status_code == 302:  # to the result: graded
                break
            self.step(page, number)
        self.get(PLAN["assessment"] + f"attempts/{number}/result/", "result page")
        dashboard = self.get("/en/dashboard/", "dashboard")
        links = PDF.findall(dashboard.text)
        if links:
            pdf = self.get(links[0], "certificate PDF")
            log(
                kind="certificate",
                user=self.email,
                status=pdf.status_code,
                bytes=len(pdf.content),
            )
        else:
            log(kind="problem", user=self.email, what="no certificate on the dashboard")
        self.done = True

    def step(self, page, number: int) -> None:
        # (The page's first form is the header's "Sign out".)
        actions = [a for a in FORM.findall(page.text) if f"attempts/{number}/" in a]
        items = ITEM.findall(page.text)
        if not actions or not items:
            return
        item = items[0]
        if actions[0].endswith("continue/"):
            self.post(actions[0], "continue", {"item": item})
            return
        values = ANSWER.findall(page.text)
        answer = next(
            (v for v in PREFERRED if v in values), values[0] if values else ""
        )
        response = self.post(actions[0], "answer", {"item": item, "answer": answer})
        log(
            kind="answer",
            user=self.email,
            attempt=number,
            item=item,
            status=response.status_code,
            acknowledged=response.status_code == 302,
        )

    def browse(self):
        self.get("/en/dashboard/", "dashboard")
        self.get(PLAN["course"], "course page")
        self.get(PLAN["modules"][0], "module page")
