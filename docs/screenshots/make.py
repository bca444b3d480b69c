"""Screenshots of the demo campaign for README: the home, the thanks page after a gift, the turf-cutting
map and the organiser dashboard, each at desktop (1280 px) and phone (375 px) width.

Run from the repository root with the project's virtual environment:

    .venv/bin/python docs/screenshots/make.py [--supporters 150]

It loads the demo campaign (as `quartier demo` does: migrate, then `load_demo`) into a temporary
SQLite database, serves it with `quartier serve` on a free port, and drives the system Chromium
(`QUARTIER_CHROMIUM`, default /usr/bin/chromium) with Playwright. Nothing leaves the machine: the demo
uses the sandbox payment processor and console email. The PNGs are written next to this file.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CHROMIUM = os.environ.get("QUARTIER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]  # fmt: skip
WIDTHS = {"desktop": (1280, 900), "phone": (375, 812)}
MAX_BYTES = 300 * 1024
ORGANISER = "organiser@demo.quartier.test"
SUPPORTER = "marie@demo.quartier.test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def quartier(env: dict[str, str], *args: str, capture: bool = False) -> str:
    result = subprocess.run(  # noqa: S603 — this interpreter running our own command
        [sys.executable, "-m", "quartier", *args], env=env, cwd=ROOT, check=True, text=True,
        stdout=subprocess.PIPE if capture else None, stderr=subprocess.DEVNULL if capture else None,
    )  # fmt: skip
    return result.stdout or ""


def shell(env: dict[str, str], code: str) -> str:
    """The last line `code` prints (the shell may say first what it imported)."""
    return quartier(env, "shell", "-c", code, capture=True).strip().splitlines()[-1]


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 — our own server on 127.0.0.1
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the demo server did not answer at {url}")


def save(page, name: str) -> None:
    """A full-page PNG, made smaller (fewer colours) when it is over 300 KB."""
    from PIL import Image

    path = HERE / f"{name}.png"
    data = page.screenshot(full_page=True)
    image = Image.open(io.BytesIO(data))
    if image.height > 2400:  # the top of a long page says what it is
        image = image.crop((0, 0, image.width, 2400))
    for colours in (None, 256, 128, 64):
        out = io.BytesIO()
        (image if colours is None else image.convert("RGB").quantize(colours)).save(out, "PNG", optimize=True)
        if out.tell() <= MAX_BYTES:
            break
    path.write_bytes(out.getvalue())
    print(f"  {path.relative_to(ROOT)} ({out.tell() // 1024} KB)")


def sign_in(page, base: str, email: str, password: str, totp: str) -> None:
    """Password, then the second factor staff are asked for."""
    page.goto(f"{base}/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign In").click()
    if not page.locator("#id_code").count():
        raise SystemExit(
            f"signing in as {email} led to {page.url}: {page.locator('main').inner_text()[:300]}"
        )
    page.locator("#id_code").fill(totp)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign In").click()


def give(page, base: str) -> None:
    """A one-time gift through the sandbox processor, as a visitor would make it; ends on the thanks page."""
    page.goto(f"{base}/donate/")
    page.locator("input[name=amount]").first.check()
    page.locator("#id_first_name").fill("Ana")
    page.locator("#id_last_name").fill("Lopez")
    page.locator("#id_email").fill("ana@example.org")
    for field, value in (("#id_address_line", "4500 rue Saint-Denis"), ("#id_city", "Montréal"),
                         ("#id_region", "QC"), ("#id_postal_code", "H2J 2L1")):  # fmt: skip
        if page.locator(field).count():
            page.locator(field).fill(value)
    boxes = page.locator("form input[type=checkbox][required]")
    for index in range(boxes.count()):
        boxes.nth(index).check()
    page.get_by_role("button", name="Continue to payment").click()
    page.wait_for_load_state()
    page.locator("#card").fill("4242 4242 4242 4242")
    page.get_by_role("button", name="Pay", exact=True).click()
    page.wait_for_load_state()
    page.get_by_role("heading", level=1).first.wait_for()
    time.sleep(2.5)  # the status polls every 2 s until the processor confirms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--supporters", type=int, default=150, help="synthetic supporters to generate")
    parser.add_argument(
        "--keep", metavar="DIR", help="keep the demo database in DIR (and reuse it next time)"
    )
    options = parser.parse_args()
    if options.keep:
        Path(options.keep).mkdir(parents=True, exist_ok=True)
        run(options, str(Path(options.keep).resolve()))
    else:
        with tempfile.TemporaryDirectory(prefix="quartier-screenshots-") as var_dir:
            run(options, var_dir)


def run(options: argparse.Namespace, var_dir: str) -> None:
    from playwright.sync_api import sync_playwright

    port = free_port()
    env = {
        **os.environ, "QUARTIER_ENV": "development", "QUARTIER_VAR_DIR": var_dir,
        "DATABASE_URL": f"sqlite:///{var_dir}/demo.sqlite3", "HOST": "127.0.0.1", "PORT": str(port),
        "SITE_URL": f"http://127.0.0.1:{port}", "EMAIL_URL": "console:", "QUARTIER_BROKER_URL": "",
        "REDIS_URL": "", "DJANGO_SETTINGS_MODULE": "quartier.settings",
    }  # fmt: skip
    if not Path(var_dir, "demo.sqlite3").exists():
        print("Loading the demo campaign into a temporary database…")
        quartier(env, "migrate", "--noinput", "-v0")
        quartier(env, "load_demo", "--supporters", str(options.supporters), capture=True)
    password = shell(env, "from quartier.demo.generator import DEMO_PASSWORD; print(DEMO_PASSWORD)")
    campaign_id = shell(
        env,
        "from quartier.fieldwork.models import FieldCampaign as C; "
        "print(next((c.pk for c in C.objects.order_by('pk') if not c.is_phone_bank), ''))",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "quartier", "serve"], env=env, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/healthz")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
            for label, (width, height) in WIDTHS.items():
                print(f"{label} ({width} px):")
                context = browser.new_context(viewport={"width": width, "height": height}, locale="en-CA")
                page = context.new_page()
                page.goto(f"{base}/?near=H2J+2L1")
                save(page, f"home-{label}")
                give(page, base)
                save(page, f"thanks-{label}")
                context.close()

                context = browser.new_context(viewport={"width": width, "height": height}, locale="en-CA")
                page = context.new_page()
                code = re.search(r"\b(\d{6})\b", quartier(env, "demo_code", capture=True)).group(1)
                sign_in(page, base, ORGANISER, password, totp=code)
                if campaign_id.isdigit():
                    page.goto(f"{base}/fieldwork/campaigns/{campaign_id}/contacts/")
                    time.sleep(1.5)  # the map draws its points
                    save(page, f"turf-{label}")
                page.goto(f"{base}/organize/")
                save(page, f"dashboard-{label}")
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
