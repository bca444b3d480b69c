"""Typed readers of environment variables for `quartier/settings.py`: each fails loudly on a bad value."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def csp_origin(url: str) -> str:
    """The CSP source for a URL template; a `{s}.` subdomain placeholder becomes a `*.` wildcard."""
    parts = urlsplit(url.replace("{s}.", "__subdomain__."))
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc.replace('__subdomain__', '*')}"


def email_settings_from_url(url: str, *, var_dir: Path = Path("var")) -> dict[str, object]:
    """`smtp://user:password@host:port` (`smtps://` for TLS, `?starttls=1`), `console:` or `file:path`."""
    parts = urlsplit(url)
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme == "file":
        path = parts.path or str(var_dir / "mail")
        return {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": path}
    if parts.scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if parts.scheme == "anymail":  # `anymail:mailgun`: an ESP's API through django-anymail (keys in ANYMAIL)
        if not parts.path.isidentifier():
            raise ImproperlyConfigured(f"EMAIL_URL anymail:<esp> needs an ESP name: {url!r}")
        return {"EMAIL_BACKEND": f"anymail.backends.{parts.path}.EmailBackend"}
    if parts.scheme in {"smtp", "smtps"}:
        options = parse_qs(parts.query)
        if not parts.hostname:
            raise ImproperlyConfigured(f"EMAIL_URL needs a host: {url!r}")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_SSL": parts.scheme == "smtps",
            "EMAIL_USE_TLS": options.get("starttls", ["0"])[0] in TRUE_WORDS,
            "EMAIL_TIMEOUT": 20,
        }
    raise ImproperlyConfigured(
        f"EMAIL_URL scheme must be smtp, smtps, anymail, console, file or locmem: {url!r}"
    )
