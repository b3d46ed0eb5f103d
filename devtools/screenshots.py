"""Screenshots of the dashboard's pages for the README, from a running `make run` (its demo data).

    .venv/bin/python -m devtools.screenshots --agency bungo-dinkes --key <the agency's demo key>

Drives Debian's chromium (Playwright, no browser download) and writes docs/screenshots/<page>.png.
"""

import argparse
import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8005")
    parser.add_argument("--agency", required=True)
    parser.add_argument("--key", required=True, help="the agency's API key (the banner of make run prints it)")
    parser.add_argument("--nip", help="the employee whose page to show (default: the first listed)")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    base = f"{args.url}/dasbor/instansi/{args.agency}"
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(f"{args.url}/dasbor/masuk")
        page.screenshot(path=OUT / "masuk.png")
        page.fill("#kunci", args.key)
        page.click("#sign-in")
        for name, path in (
            ("ringkasan", ""),
            ("tren", "/tren"),
            ("pelatihan", "/pelatihan"),
            ("pengiriman", "/pengiriman"),
        ):
            page.goto(base + path)
            page.screenshot(path=OUT / f"{name}.png", full_page=True)
        page.goto(f"{base}/pegawai")
        page.screenshot(path=OUT / "pegawai.png")
        if args.nip:
            page.goto(f"{base}/pegawai/{args.nip}")
        else:
            page.click("a.employee-link")
        page.screenshot(path=OUT / "pegawai-detail.png", full_page=True)
        browser.close()
    print(f"screenshots in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
