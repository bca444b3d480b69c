"""Where a page's time goes, in-process: milliseconds per request by part, for the benchmark's table.

Django's test client fetches a page's paths (production settings, the benchmark's database and
Redis), while a small stack-based timer charges every moment of the request to exactly one part:

- `SQL`: waiting in the database driver (`connection.execute_wrapper`: the query's round trip,
  the server's work and the driver's own decoding);
- `ORM`: building, compiling and turning rows into objects (`SQLCompiler.execute_sql`,
  `QuerySet._fetch_all`), outside the driver;
- `templates`: rendering Django templates (`Template.render`), outside the queries they trigger;
- `view`: the view function's own code, outside the three above;
- `middleware`: everything else (middleware, sessions and authentication, URL resolution, cache
  reads, building the response).

Nested calls are charged to the innermost part, so the parts add up to the request's wall time. This is a
diagnostic beside wrk's figures, not a throughput figure: the timer itself adds a few microseconds per call.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.handlers import base as handler_base
from django.db import connection
from django.db.models.query import QuerySet
from django.db.models.sql.compiler import SQLCompiler
from django.template import base as template_base
from django.test import Client

PARTS = ("middleware", "view", "templates", "ORM", "SQL")


class PartTimer:
    """Charges elapsed wall time to the innermost open part."""

    def __init__(self) -> None:
        self.totals = dict.fromkeys(PARTS, 0.0)
        self.stack: list[str] = ["middleware"]
        self.mark = time.perf_counter()

    def switch(self, part: str | None) -> None:
        now = time.perf_counter()
        self.totals[self.stack[-1]] += now - self.mark
        self.mark = now
        if part is None:
            self.stack.pop()
        else:
            self.stack.append(part)

    def wrap(self, part: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.switch(part)
            try:
                return function(*args, **kwargs)
            finally:
                self.switch(None)

        return timed

    def execute_wrapper(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.switch("SQL")
        try:
            return execute(sql, params, many, context)
        finally:
            self.switch(None)


@contextmanager
def instrumented(timer: PartTimer) -> Iterator[None]:
    """Patch the ORM, the template engine and view resolution to report to `timer` while inside."""
    originals = {
        (SQLCompiler, "execute_sql"): SQLCompiler.execute_sql,
        (QuerySet, "_fetch_all"): QuerySet._fetch_all,
        (template_base.Template, "render"): template_base.Template.render,
        (handler_base.BaseHandler, "resolve_request"): handler_base.BaseHandler.resolve_request,
    }
    resolve_request = handler_base.BaseHandler.resolve_request

    def resolve_and_time(handler: Any, request: Any) -> Any:
        match = resolve_request(handler, request)
        match.func = timer.wrap("view", match.func)
        return match

    SQLCompiler.execute_sql = timer.wrap("ORM", SQLCompiler.execute_sql)
    QuerySet._fetch_all = timer.wrap("ORM", QuerySet._fetch_all)
    template_base.Template.render = timer.wrap("templates", template_base.Template.render)
    handler_base.BaseHandler.resolve_request = resolve_and_time
    try:
        with connection.execute_wrapper(timer.execute_wrapper):
            yield
    finally:
        for (owner, name), original in originals.items():
            setattr(owner, name, original)


def profile_page(paths: list[str], *, client: Client, requests: int = 30) -> dict[str, float]:
    """Mean ms per request by part (and `total`, and `CPU` of this process) over `requests` paths."""
    paths = (paths * requests)[: requests + 1]
    client.get(paths[0], secure=True)  # connections, template caches and the page cache warmed
    timer = PartTimer()
    cpu_started = time.process_time()
    wall_started = time.perf_counter()
    with instrumented(timer):
        timer.mark = time.perf_counter()
        for path in paths[1:]:
            client.get(path, secure=True)
        timer.switch("middleware")  # closes the last stretch
    wall = time.perf_counter() - wall_started
    cpu = time.process_time() - cpu_started
    count = len(paths) - 1
    figures = {part: seconds * 1000 / count for part, seconds in timer.totals.items()}
    figures["total"] = wall * 1000 / count
    figures["CPU"] = cpu * 1000 / count
    return figures
