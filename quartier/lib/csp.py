"""django-csp's middleware, with the site-wide policy built once per process instead of per response.

django-csp builds the `Content-Security-Policy` header from the settings on every response (twice:
the policy and the report-only one), about a quarter of the middleware stack's CPU on a trivial
request. The policy only changes with the settings and the nonce, so for a response with no
per-view policy (no `csp_update`, `csp_replace`, `csp` or `csp_exempt` decorator) the header is
built once with a placeholder nonce, and each response gets it with its own nonce put in. Responses
with a per-view policy go through django-csp unchanged.
"""

from __future__ import annotations

import http.client as http_client

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase

NONCE_MARK = "QUARTIERCSPNONCE"  # base64 never makes it: it has no such run of capitals here
_PER_VIEW = (
    "_csp_config", "_csp_update", "_csp_replace", "_csp_exempt",
    "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro", "_csp_exempt_ro",
)  # fmt: skip
_policies: dict[tuple[bool, bool], str] = {}  # (report only, with a nonce) → header, or "" for none


@receiver(setting_changed)
def _forget_policies(*, setting: str, **_kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _policies.clear()


def _policy(*, report_only: bool, nonce: bool) -> str:
    key = (report_only, nonce)
    if key not in _policies:
        _policies[key] = build_policy(nonce=NONCE_MARK if nonce else None, report_only=report_only)
    return _policies[key]


class CSPMiddleware(DjangoCSPMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if any(getattr(response, name, None) is not None for name in _PER_VIEW) or (
            settings.DEBUG
            and response.status_code in (http_client.INTERNAL_SERVER_ERROR, http_client.NOT_FOUND)
        ):
            return super().process_response(request, response)
        nonce = getattr(request, "_csp_nonce", None)
        for header, report_only, name in (
            (HEADER, False, "CONTENT_SECURITY_POLICY"),
            (HEADER_REPORT_ONLY, True, "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            policy = _policy(report_only=report_only, nonce=bool(nonce))
            if not policy or header in response:
                continue
            prefixes = (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if prefixes and request.path_info.startswith(tuple(prefixes)):
                continue
            response[header] = policy.replace(NONCE_MARK, nonce) if nonce else policy
        if nonce is None:
            request.csp_nonce = self._csp_nonce_post_response_object()
        return response

    def _csp_nonce_post_response_object(self):
        from csp.middleware import CheckableLazyObject

        return CheckableLazyObject(self._csp_nonce_post_response)
