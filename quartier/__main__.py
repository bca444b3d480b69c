"""The `quartier` command.

quartier serve            run the web server (gunicorn) on HOST:PORT
quartier worker           run a Celery worker (with `--beat` for periodic jobs)
quartier demo             migrate, load the demo campaign once, print demo logins, serve
quartier <command> …      any manage.py command (migrate, createsuperuser, shell, …)
"""

from __future__ import annotations

import os
import sys

# As `quartier/demo/faker_extra.py` says it (the product does not import the demo, not even here).
DEMO_EXTRA_MISSING = (
    "`quartier demo` needs Faker, which a production install leaves out: run `make demo`, "
    "or install the `demo` extra (`pip install -e '.[demo]'` in a checkout)."
)


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quartier.settings")


def _manage(args: list[str]) -> None:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["quartier", *args])


def _refuse_a_bad_deployment() -> None:
    """In production, stop unless `check --deploy` finds no error (sandbox gateways, console email, …).

    The checks (quartier/accounts/checks.py) print what is wrong; the exit status is 1.
    """
    from django.conf import settings

    if settings.PRODUCTION:
        _manage(["check", "--deploy", "--fail-level", "ERROR"])


def serve(args: list[str]) -> None:
    from django.conf import settings

    _refuse_a_bad_deployment()
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    workers = os.environ.get(
        "WEB_CONCURRENCY", "2" if "sqlite" in settings.DATABASES["default"]["ENGINE"] else "4"
    )
    if settings.PRODUCTION:
        _manage(["collectstatic", "--noinput", "-v0"])
    from gunicorn.app.wsgiapp import run

    sys.argv = [
        "gunicorn", "quartier.wsgi:application", "--bind", f"{host}:{port}", "--workers", workers,
        "--access-logfile", "-", *args,
    ]  # fmt: skip
    run()


def worker(args: list[str]) -> None:
    _refuse_a_bad_deployment()
    from quartier.celery import app

    app.worker_main(["worker", "--loglevel=INFO", *args])


def demo(args: list[str]) -> None:
    try:
        import faker  # noqa: F401 (the demo's names come from it; say so before migrating anything)
    except ImportError:
        sys.exit(DEMO_EXTRA_MISSING)
    _manage(["migrate", "--noinput", "-v0"])
    _manage(["load_demo", *args])
    serve([])


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    _setup()
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return
    command, rest = argv[0], argv[1:]
    if command == "manage":
        command, rest = (rest[0], rest[1:]) if rest else ("help", [])
    import django

    django.setup()
    handlers = {"serve": serve, "worker": worker, "demo": demo}
    if command in handlers:
        handlers[command](rest)
    else:
        _manage([command, *rest])


if __name__ == "__main__":
    main()
