"""A local HTTP server speaking Stripe's wire format for the calls Quartier makes.

Stripe's servers cannot be reached from here, so the tests point the stripe library's API base at this
server (`STRIPE_API_BASE`): requests arrive form-encoded with bracketed keys, as the library sends them,
and answers are Stripe's JSON objects and error bodies. Like Stripe, it replays the stored answer for
a repeated `Idempotency-Key`, and it can fail the next requests with a 500 to exercise retries. Events
it makes are signed with the library's own scheme (`sign`) and listed by `GET /v1/events`.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe


def unflatten(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """`line_items[0][price_data][currency]=usd` → nested dicts and lists, as Stripe reads them."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        node: Any = root
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            following = None if last else parts[index + 1]
            if isinstance(node, list):
                position = int(part)
                while len(node) <= position:
                    node.append(None)
                if last:
                    node[position] = value
                else:
                    if node[position] is None:
                        node[position] = [] if following.isdigit() else {}
                    node = node[position]
            else:
                if last:
                    node[part] = value
                else:
                    node = node.setdefault(part, [] if following.isdigit() else {})
    return root


class FakeStripe:
    def __init__(self) -> None:
        self.sessions: dict[str, dict] = {}
        self.intents: dict[str, dict] = {}
        self.subscriptions: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.invoice_payments: dict[str, dict] = {}
        self.events: list[dict] = []
        self.requests: list[dict[str, Any]] = []
        self.idempotent: dict[str, tuple[int, dict]] = {}
        self.fail_next = 0
        self.fail_only = ""  # "POST": only writes fail (the reads before them succeed)
        self.counter = itertools.count(1)
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeStripe:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def next_id(self, prefix: str) -> str:
        return f"{prefix}_test_{next(self.counter):06d}"

    # --- events, as Stripe would send them -----------------------------------------------------

    def event(self, event_type: str, obj: dict, *, created: int | None = None) -> dict:
        event = {
            "id": self.next_id("evt"), "object": "event", "api_version": stripe.api_version, "type": event_type,
            "created": created or int(time.time()), "livemode": False, "pending_webhooks": 1,
            "data": {"object": obj}, "request": {"id": None, "idempotency_key": None},
        }  # fmt: skip
        with self.lock:
            self.events.append(event)
        return event

    def pay_session(self, session_id: str) -> list[dict]:
        """What Stripe sends when the donor pays on the hosted page: the events, in Stripe's usual order."""
        session = self.sessions[session_id]
        metadata = session["metadata"]
        customer = self.next_id("cus")
        if session["mode"] == "subscription":
            subscription_id = self.next_id("sub")
            self.subscriptions[subscription_id] = {
                "id": subscription_id, "object": "subscription", "status": "active", "customer": customer,
                "metadata": session.get("subscription_data", {}).get("metadata", metadata),
                "items": {"object": "list", "data": [{"id": self.next_id("si"), "object": "subscription_item",
                          "price": {"id": self.next_id("price"), "product": self.next_id("prod"),
                                    "unit_amount": session["amount_total"]}}]},
            }  # fmt: skip
            invoice = self.invoice(subscription_id, session["amount_total"], "subscription_create")
            # In the pinned API version a subscription's session has no payment intent but its invoice.
            session.update(
                status="complete",
                payment_status="paid",
                customer=customer,
                subscription=subscription_id,
                invoice=invoice["id"],
            )
            return [
                self.event("checkout.session.completed", dict(session)),
                self.event("invoice.paid", invoice),
            ]
        intent_id = self.next_id("pi")
        intent = {
            "id": intent_id, "object": "payment_intent", "amount": session["amount_total"], "amount_received":
            session["amount_total"], "currency": session["currency"], "status": "succeeded", "customer": customer,
            "payment_method": self.next_id("pm"), "metadata": session.get("payment_intent_data", {}).get("metadata", {}),
        }  # fmt: skip
        self.intents[intent_id] = intent
        session.update(status="complete", payment_status="paid", customer=customer, payment_intent=intent_id)
        return [
            self.event("payment_intent.succeeded", dict(intent)),
            self.event("checkout.session.completed", dict(session)),
        ]

    def invoice(self, subscription_id: str, amount: int, reason: str) -> dict:
        """A paid invoice in the pinned API version's shape: no `payment_intent`; its payment is an
        `InvoicePayment` (listed by `GET /v1/invoice_payments`), its intent has no metadata of ours."""
        subscription = self.subscriptions[subscription_id]
        invoice_id, intent_id = self.next_id("in"), self.next_id("pi")
        self.intents[intent_id] = {
            "id": intent_id, "object": "payment_intent", "amount": amount, "amount_received": amount,
            "currency": "usd", "status": "succeeded", "customer": subscription["customer"],
            "payment_method": self.next_id("pm"), "metadata": {}, "payment_details": None,
        }  # fmt: skip
        payment_id = self.next_id("inpay")
        self.invoice_payments[payment_id] = {
            "id": payment_id, "object": "invoice_payment", "amount_paid": amount, "amount_requested": amount,
            "currency": "usd", "invoice": invoice_id, "is_default": True, "livemode": False, "status": "paid",
            "payment": {"type": "payment_intent", "payment_intent": intent_id},
            "status_transitions": {"paid_at": int(time.time()), "canceled_at": None}, "created": int(time.time()),
        }  # fmt: skip
        return {
            "id": invoice_id, "object": "invoice", "amount_paid": amount, "currency": "usd",
            "billing_reason": reason, "status": "paid", "customer": subscription["customer"],
            "parent": {"type": "subscription_details", "quote_details": None, "subscription_details": {
                "subscription": subscription_id, "metadata": subscription["metadata"]}},
            "confirmation_secret": None,
        }  # fmt: skip

    def intent_of(self, invoice_id: str) -> str:
        """The payment intent that paid an invoice (what a refund's charge names)."""
        return next(
            payment["payment"]["payment_intent"]
            for payment in self.invoice_payments.values()
            if payment["invoice"] == invoice_id
        )

    def renew(self, subscription_id: str) -> dict:
        amount = int(self.subscriptions[subscription_id]["items"]["data"][0]["price"]["unit_amount"])
        return self.event("invoice.paid", self.invoice(subscription_id, amount, "subscription_cycle"))

    def refund_event(self, intent_id: str, amount_refunded: int) -> dict:
        intent = self.intents[intent_id]
        charge = {
            "id": self.next_id("ch"), "object": "charge", "amount": intent["amount"], "amount_refunded": amount_refunded,
            "currency": intent["currency"], "payment_intent": intent_id, "refunded": amount_refunded >= intent["amount"],
            "metadata": {},
        }  # fmt: skip
        return self.event("charge.refunded", charge)

    # --- the HTTP side ---------------------------------------------------------------------------

    def _answer(self, method: str, path: str, params: dict) -> tuple[int, dict]:
        if method == "POST" and path == "/v1/checkout/sessions":
            session_id = self.next_id("cs")
            item = params["line_items"][0]
            session = {
                "id": session_id, "object": "checkout.session", "mode": params["mode"], "status": "open",
                "payment_status": "unpaid", "url": f"https://checkout.stripe.com/c/pay/{session_id}",
                "success_url": params["success_url"], "cancel_url": params["cancel_url"],
                "amount_total": int(item["price_data"]["unit_amount"]), "currency": item["price_data"]["currency"],
                "metadata": params.get("metadata", {}), "client_reference_id": params.get("client_reference_id"),
                "customer_email": params.get("customer_email"), "payment_intent": None, "subscription": None, "invoice": None,
                "payment_intent_data": params.get("payment_intent_data", {}),
                "subscription_data": params.get("subscription_data", {}),
            }  # fmt: skip
            self.sessions[session_id] = session
            return 200, {key: value for key, value in session.items() if not key.endswith("_data")}
        if method == "POST" and path == "/v1/payment_intents":
            if params.get("payment_method") == "pm_card_chargeDeclined":
                return 402, {"error": {"type": "card_error", "code": "card_declined", "decline_code":
                                       "generic_decline", "message": "Your card was declined."}}  # fmt: skip
            intent_id = self.next_id("pi")
            intent = {"id": intent_id, "object": "payment_intent", "amount": int(params["amount"]),
                      "currency": params["currency"], "status": "succeeded", "customer": params.get("customer"),
                      "payment_method": params.get("payment_method"), "metadata": params.get("metadata", {})}  # fmt: skip
            self.intents[intent_id] = intent
            return 200, intent
        if method == "GET" and path == "/v1/invoice_payments":
            wanted = params.get("payment") if isinstance(params.get("payment"), dict) else {}
            found = [
                payment for payment in self.invoice_payments.values()
                if (not params.get("invoice") or payment["invoice"] == params["invoice"])
                and (not wanted.get("payment_intent") or payment["payment"].get("payment_intent") == wanted["payment_intent"])
            ]  # fmt: skip
            return 200, {"object": "list", "url": "/v1/invoice_payments", "has_more": False, "data": found}
        if method == "GET" and path.startswith("/v1/payment_intents/"):
            intent = self.intents.get(path.rsplit("/", 1)[1])
            return (200, intent) if intent else self._missing("payment_intent")
        if method == "POST" and path == "/v1/refunds":
            intent = self.intents.get(params.get("payment_intent", ""))
            if intent is None:
                return self._missing("payment_intent")
            refund = {"id": self.next_id("re"), "object": "refund", "amount": int(params["amount"]),
                      "payment_intent": intent["id"], "status": "succeeded", "currency": intent["currency"]}  # fmt: skip
            self.refunds[refund["id"]] = refund
            return 200, refund
        if path.startswith("/v1/subscriptions/"):
            subscription = self.subscriptions.get(path.rsplit("/", 1)[1])
            if subscription is None:
                return self._missing("subscription")
            if method == "DELETE":
                if subscription["status"] == "canceled":
                    return 400, {"error": {"type": "invalid_request_error", "message": "already canceled"}}
                subscription["status"] = "canceled"
            elif method == "POST" and "items" in params:
                subscription["items"]["data"][0]["price"]["unit_amount"] = int(
                    params["items"][0]["price_data"]["unit_amount"]
                )
            return 200, subscription
        if method == "GET" and path == "/v1/events":
            with self.lock:
                events = sorted(self.events, key=lambda event: event["created"], reverse=True)
            since = (
                int(params.get("created", {}).get("gte", 0)) if isinstance(params.get("created"), dict) else 0
            )
            events = [event for event in events if event["created"] >= since]
            if params.get("starting_after"):
                ids = [event["id"] for event in events]
                events = events[ids.index(params["starting_after"]) + 1 :]
            limit = int(params.get("limit", 10))
            return 200, {
                "object": "list",
                "url": "/v1/events",
                "has_more": len(events) > limit,
                "data": events[:limit],
            }
        return 404, {
            "error": {
                "type": "invalid_request_error",
                "message": f"Unrecognized request URL ({method}: {path})",
            }
        }

    def _missing(self, kind: str) -> tuple[int, dict]:
        return 404, {
            "error": {
                "type": "invalid_request_error",
                "code": "resource_missing",
                "message": f"No such {kind}",
            }
        }

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                return

            def _respond(self, method: str) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                params = unflatten(parse_qsl(body or parts.query, keep_blank_values=True))
                key = self.headers.get("Idempotency-Key")
                with fake.lock:
                    fake.requests.append({"method": method, "path": parts.path, "params": params, "idempotency_key": key,
                                          "authorization": self.headers.get("Authorization")})  # fmt: skip
                    failing = fake.fail_next > 0 and fake.fail_only in {"", method}
                    if failing:
                        fake.fail_next -= 1
                if failing:
                    status, answer = (
                        500,
                        {"error": {"type": "api_error", "message": "Something went wrong on Stripe's end."}},
                    )
                elif key and key in fake.idempotent:
                    status, answer = fake.idempotent[key]
                else:
                    status, answer = fake._answer(method, parts.path, params)
                    if key and status < 500:
                        fake.idempotent[key] = (status, answer)
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Request-Id", f"req_{next(fake.counter)}")
                if key:
                    self.send_header("Idempotency-Key", key)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:
                self._respond("GET")

            def do_POST(self) -> None:
                self._respond("POST")

            def do_DELETE(self) -> None:
                self._respond("DELETE")

        return Handler


def sign(event: dict, secret: str, *, timestamp: int | None = None) -> tuple[str, str]:
    """(body, Stripe-Signature header) signed with the stripe library's own scheme."""
    body = json.dumps(event)
    return body, stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=timestamp)
