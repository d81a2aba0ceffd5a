"""make load, step 2: 50 portal customers and 10 technicians against one Odoo server.

Run by scripts/dev/dev.sh (`make load`) with Locust, headless, against 127.0.0.1 only, for a
bounded time. Users and data come from scripts/load/load_setup.py; every password is the login.

- Portal customers list their tickets and contracts, open a ticket, post a message on it
  and open a new ticket with a photo.
- Technicians load the ticket kanban (grouped by stage), open a ticket form and move it to
  the next stage, through the web client's JSON-RPC calls.

Every request that does not do what it asked for is a failed request, counted by
load_report.py: a refused login, a page that sends back to the login form, an error status,
a JSON-RPC answer that holds an error, and a connection that gives no answer.
"""

import csv
import itertools
import os
import random
import re
import time
from urllib.parse import urlparse

from locust import HttpUser, between, events, task
from locust.exception import StopUser

CSRF = re.compile(r'name="csrf_token"\s+value="([^"]+)"')
TICKET_LINK = re.compile(r'href="/my/tickets/(\d+)')
LOT_OPTION = re.compile(r'<option value="(\d+)"')
# a 1x1 PNG: the photo a customer attaches to a new ticket
PHOTO = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

# every request's start, route and latency, written at the end for load_report.py's
# figures after the login storm (LOAD_REQUEST_LOG)
_requests = []


@events.request.add_listener
def _record(request_type, name, response_time, exception=None, start_time=None, **kwargs):
    _requests.append((start_time or time.time(), name, response_time, exception is not None))


@events.quitting.add_listener
def _write_requests(environment, **kwargs):
    path = os.environ.get("LOAD_REQUEST_LOG")
    if path:
        with open(path, "w", newline="") as handle:
            csv.writer(handle).writerows(_requests)


_portal_numbers = itertools.count()
_tech_numbers = itertools.count()


def _allowed(host):
    return urlparse(host).hostname in ("127.0.0.1", "localhost", "::1")


def _status(response):
    """The status of ``response``, with the connection's error when there was no answer."""
    error = getattr(response, "error", None)
    return f"status {response.status_code}" + (f": {error}" if error else "")


def _check_page(response):
    """Mark ``response`` (caught) failed unless it is a page of the signed-in user."""
    if response.status_code != 200:
        response.failure(_status(response))
    elif urlparse(response.url).path.startswith("/web/login"):
        response.failure("sent back to the login form")


def _check_rpc(response):
    """The result of a JSON-RPC ``response`` (caught), or None after marking it failed."""
    if response.status_code != 200:
        response.failure(_status(response))
        return None
    try:
        payload = response.json()
    except ValueError:
        response.failure("not a JSON-RPC answer")
        return None
    if "error" in payload:
        response.failure(payload["error"].get("data", {}).get("message", "error"))
        return None
    return payload.get("result")


class OdooUser(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    login = None

    def on_start(self):
        if not _allowed(self.host):
            raise RuntimeError("the load test only targets a server on this machine")
        # the certificate of the local nginx (make load), verified like any other
        self.client.verify = os.environ.get("LOAD_CA_BUNDLE") or True
        with self.client.get("/web/login", name="/web/login", catch_response=True) as page:
            token = CSRF.search(page.text or "")
            if not token:
                page.failure(f"no login form ({_status(page)})")
                raise StopUser()
        with self.client.post(
            "/web/login",
            data={"login": self.login, "password": self.login, "csrf_token": token.group(1)},
            name="/web/login [POST]",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            target = urlparse(response.headers.get("Location", "")).path
            if response.status_code not in (302, 303) or target.startswith("/web/login"):
                response.failure(f"login of {self.login} refused (status {response.status_code})")
                raise StopUser()

    def page(self, path, name):
        """GET a page of the signed-in user; its text, or "" when it failed."""
        with self.client.get(path, name=name, catch_response=True) as response:
            _check_page(response)
            return response.text if response.status_code == 200 else ""


class PortalCustomer(OdooUser):
    fixed_count = 50

    def on_start(self):
        self.login = f"load_portal_{next(_portal_numbers) % 50}"
        super().on_start()
        self.ticket_ids = []

    @task(4)
    def list_tickets(self):
        page = self.page("/my/tickets", "/my/tickets")
        self.ticket_ids = TICKET_LINK.findall(page) or self.ticket_ids

    @task(2)
    def list_contracts(self):
        self.page("/my/contracts", "/my/contracts")

    @task(4)
    def open_ticket(self):
        if self.ticket_ids:
            ticket_id = random.choice(self.ticket_ids)
            self.page(f"/my/tickets/{ticket_id}", "/my/tickets/<id>")

    @task(1)
    def post_message(self):
        if not self.ticket_ids:
            return
        with self.client.post(
            "/mail/message/post",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "params": {
                    "thread_model": "aftersales.ticket",
                    "thread_id": int(random.choice(self.ticket_ids)),
                    "post_data": {"body": "Any news?", "message_type": "comment"},
                },
            },
            name="/mail/message/post",
            catch_response=True,
        ) as response:
            _check_rpc(response)

    @task(1)
    def new_ticket(self):
        form = self.page("/my/tickets/new", "/my/tickets/new")
        token = CSRF.search(form)
        lots = LOT_OPTION.findall(form)
        if not token:
            return
        with self.client.post(
            "/my/tickets/new",
            data={
                "csrf_token": token.group(1),
                "subject": "The machine does not heat",
                "description": "Since this morning the group head stays cold.",
                "lot_id": lots[0] if lots else "",
            },
            files={"attachments": ("photo.png", PHOTO, "image/png")},
            name="/my/tickets/new [POST]",
            catch_response=True,
        ) as response:
            _check_page(response)


class Technician(OdooUser):
    fixed_count = 10

    KANBAN_SPEC = {
        "name": {},
        "subject": {},
        "partner_id": {"fields": {"display_name": {}}},
        "lot_id": {"fields": {"display_name": {}}},
        "coverage_kind": {},
        "sla_status": {},
        "sla_resolution_deadline": {},
        "priority": {},
        "user_id": {"fields": {"display_name": {}}},
        "stage_id": {"fields": {"display_name": {}}},
        "activity_ids": {},
    }

    def on_start(self):
        self.login = f"load_tech_{next(_tech_numbers) % 10}"
        super().on_start()
        self.stage_ids = []

    def _call(self, model, method, args=None, kwargs=None, name=None):
        with self.client.post(
            f"/web/dataset/call_kw/{model}/{method}",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "params": {
                    "model": model,
                    "method": method,
                    "args": args or [],
                    "kwargs": kwargs or {},
                },
            },
            name=name or f"{model}.{method}",
            catch_response=True,
        ) as response:
            return _check_rpc(response)

    @task(3)
    def kanban(self):
        groups = self._call(
            "aftersales.ticket",
            "web_read_group",
            kwargs={
                "domain": [("is_closed", "=", False)],
                "groupby": ["stage_id"],
                "aggregates": ["__count"],
                "auto_unfold": True,
                "unfold_read_specification": self.KANBAN_SPEC,
                "unfold_read_default_limit": 40,
            },
            name="kanban (web_read_group)",
        )
        if groups:
            self.stage_ids = [g["stage_id"][0] for g in groups["groups"] if g.get("stage_id")]

    @task(3)
    def open_and_move(self):
        found = self._call(
            "aftersales.ticket",
            "web_search_read",
            kwargs={
                "domain": [("is_closed", "=", False)],
                "specification": {"id": {}},
                "limit": 80,
            },
            name="list (web_search_read)",
        )
        if not found or not found["records"]:
            return
        ticket_id = random.choice(found["records"])["id"]
        spec = dict(self.KANBAN_SPEC, description={}, contract_id={"fields": {}})
        self._call(
            "aftersales.ticket",
            "web_read",
            args=[[ticket_id]],
            kwargs={"specification": spec},
            name="form (web_read)",
        )
        if self.stage_ids:
            self._call(
                "aftersales.ticket",
                "web_save",
                args=[[ticket_id], {"stage_id": random.choice(self.stage_ids)}],
                kwargs={"specification": {"stage_id": {}}},
                name="move stage (web_save)",
            )
