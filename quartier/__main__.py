"""The `quartier` command.

quartier serve            run the web server (gunicorn) on HOST:PORT
quartier serve --with-worker
                          the web server, a Celery worker and beat together, on one machine (with no
                          REDIS_URL, their queue is a folder: var/broker); Ctrl-C stops all three
quartier worker           run a Celery worker (with `--beat` for periodic jobs)
quartier beat             run the periodic schedule alone (next to workers without `--beat`)
quartier demo             migrate, load the demo campaign once, print demo logins, then run the web
                          server, a worker and beat as `serve --with-worker` does
quartier <command> …      any manage.py command (migrate, createsuperuser, shell, …)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

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
    if "--with-worker" in args:
        return run_with_worker([arg for arg in args if arg != "--with-worker"])
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    workers = os.environ.get(
        "WEB_CONCURRENCY", "2" if "sqlite" in settings.DATABASES["default"]["ENGINE"] else "4"
    )
    if settings.PRODUCTION:
        _manage(["collectstatic", "--noinput", "-v0"])
    from gunicorn.app.wsgiapp import run

    # One log line per request costs a third of a small page's time in gunicorn: in production the reverse
    # proxy already logs every request, so gunicorn's access log is only on when ACCESS_LOG names a file
    # ("-": standard output); the demo and development keep it on standard output.
    access_log = os.environ.get("ACCESS_LOG", "" if settings.PRODUCTION else "-")
    sys.argv = [
        "gunicorn", "quartier.wsgi:application", "--bind", f"{host}:{port}", "--workers", workers,
        *(["--access-logfile", access_log] if access_log else []), *args,
    ]  # fmt: skip
    run()


NO_BROKER = (
    "`quartier {command}` needs a broker that the web server uses too: set REDIS_URL (production), or "
    "QUARTIER_BROKER_URL=filesystem:// for both on one machine; or run `quartier serve --with-worker`."
)


def _require_broker(command: str) -> None:
    from django.conf import settings

    if settings.CELERY_TASK_ALWAYS_EAGER:
        sys.exit(NO_BROKER.format(command=command))


def worker(args: list[str]) -> None:
    _refuse_a_bad_deployment()
    _require_broker("worker")
    from quartier.celery import app

    app.worker_main(["worker", "--loglevel=INFO", *args])


def beat(args: list[str]) -> None:
    _require_broker("beat")
    from quartier.celery import app

    app.start(["beat", "--loglevel=INFO", *args])


# Seconds the children have to stop after SIGTERM before they are killed.
STOP_GRACE_SECONDS = 20


def run_with_worker(web_args: list[str]) -> None:
    """The web server, a worker and beat as children of this process, started and stopped together.

    Without REDIS_URL (or QUARTIER_BROKER_URL) their queue is a folder under var/ (kombu's filesystem
    transport), so nothing is to install. Ctrl-C or SIGTERM stops all three; when one stops by itself,
    the others are stopped too and the command fails, rather than serve a site whose emails never go.
    """
    from django.conf import settings

    env = dict(os.environ)
    if settings.CELERY_TASK_ALWAYS_EAGER:
        env["QUARTIER_BROKER_URL"] = "filesystem://"
    worker_args = ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        worker_args.append("--concurrency=2")  # SQLite takes one writer at a time anyway
    commands = {
        "web server": ["serve", *web_args],
        "worker": ["worker", *worker_args],
        "beat": ["beat"],
    }
    stop_signal: list[int] = []

    def stop(signum: int, frame: object) -> None:
        stop_signal.append(signum)

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    children: dict[str, subprocess.Popen] = {}
    failed = ""
    try:
        for name, command in commands.items():
            children[name] = subprocess.Popen([sys.executable, "-m", "quartier", *command], env=env)  # noqa: S603
        pids = ", ".join(f"{name} {child.pid}" for name, child in children.items())
        print(f"quartier: running the {', '.join(children)} ({pids}); Ctrl-C stops them.", flush=True)
        while not stop_signal and not failed:
            for name, child in children.items():
                if child.poll() is not None:
                    failed = (
                        f"quartier: the {name} stopped (exit code {child.returncode}): stopping the others."
                    )
                    break
            else:
                time.sleep(0.5)
    finally:
        if failed:
            print(failed, file=sys.stderr, flush=True)
        _stop_all(children)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if failed:
        sys.exit(1)


def _stop_all(children: dict[str, subprocess.Popen]) -> None:
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for name, child in children.items():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"quartier: the {name} did not stop in {STOP_GRACE_SECONDS} s: killed.", file=sys.stderr)
            child.kill()
            child.wait()


def demo(args: list[str]) -> None:
    try:
        import faker  # noqa: F401 (the demo's names come from it; say so before migrating anything)
    except ImportError:
        sys.exit(DEMO_EXTRA_MISSING)
    _manage(["migrate", "--noinput", "-v0"])
    _manage(["load_demo", *args])
    if os.environ.get("QUARTIER_ENV", "development") != "production":
        from quartier.reach.fakes.demo import start_demo_fakes

        start_demo_fakes()  # lent statuses reach local Mastodon and Bluesky fakes (this process serves them)
    run_with_worker([])


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
    handlers = {"serve": serve, "worker": worker, "beat": beat, "demo": demo}
    if command in handlers:
        handlers[command](rest)
    else:
        _manage([command, *rest])


if __name__ == "__main__":
    main()
