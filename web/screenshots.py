"""The screenshots of docs/playground.md: `rulex serve` on the conflict pack and the news corpus,
in Debian's chromium (Playwright). Run from the repository, with the venv's Python:

    .venv/bin/python web/screenshots.py   # writes docs/images/playground-*.png
"""
from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
SENTENCE = "Iran launched a barrage of missiles at U.S. forces in Erbil on Tuesday."


def main() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "rulex", "serve", "rules/conflict",
                               "../shared/corpus/news/wikinews.jsonl", "--port", str(port)], cwd=ROOT)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1440, "height": 860})
            for _ in range(120):
                try:
                    page.goto(f"http://127.0.0.1:{port}/")
                    break
                except Exception:  # noqa: BLE001 - not listening yet
                    time.sleep(0.5)
            page.wait_for_selector("html[data-ready='1']", timeout=60_000)
            page.click("button.rx-rule[data-rule='conflict.attack.launch']")
            page.fill("#rx-sentence", SENTENCE)
            page.fill("#rx-date", "2020-01-08")
            page.wait_for_timeout(3000)
            page.click("button.rx-rule[data-rule='conflict.attack.launch']")  # the cursor to the rule's line
            page.keyboard.press("End")  # an edit of the rule: the time of an answer after a compile
            page.keyboard.insert_text(" # edited")
            page.wait_for_timeout(3000)
            page.locator("#rx-tab-explain").scroll_into_view_if_needed()
            page.screenshot(path=str(IMAGES / "playground-explain.png"))
            page.click("button.rx-tab[data-tab='corpus']")
            page.click("#rx-corpus-run")
            page.wait_for_selector(".rx-corpus-counts", timeout=60_000)
            page.locator(".rx-misses").scroll_into_view_if_needed()
            page.screenshot(path=str(IMAGES / "playground-corpus.png"))
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
