"""The screenshots of docs/playground.md: `rulex serve` on the conflict pack and the news corpus,
in Debian's chromium (Playwright). Run from the repository, with the venv's Python:

    .venv/bin/python web/screenshots.py            # writes docs/images/playground-*.png
    .venv/bin/python web/screenshots.py suggest    # only some of them: explain, corpus, suggest
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
SUGGEST_SENTENCE = "At least 12 people were killed in the attack on the market in Kabul on Sunday."
SUGGEST_MARKS = (("", "killed"), ("victim", "At least 12 people"))
SHOTS = ("explain", "corpus", "suggest")


def main() -> int:
    shots = sys.argv[1:] or SHOTS
    if not set(shots) <= set(SHOTS):
        print(f"screenshots.py: the shots are {', '.join(SHOTS)}", file=sys.stderr)
        return 2
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
            if "explain" in shots:
                page.locator("#rx-tab-explain").scroll_into_view_if_needed()
                page.screenshot(path=str(IMAGES / "playground-explain.png"))
            if "corpus" in shots:
                page.click("button.rx-tab[data-tab='corpus']")
                page.click("#rx-corpus-run")
                page.wait_for_selector(".rx-corpus-counts", timeout=60_000)
                page.locator(".rx-misses").scroll_into_view_if_needed()
                page.screenshot(path=str(IMAGES / "playground-corpus.png"))
            if "suggest" in shots:
                suggest(page)
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    return 0


def suggest(page) -> None:
    """The Suggest tab: the sentence's trigger and arguments marked (selected as a mouse does), the
    rule suggested and added to the open file; prints the time the server took."""
    page.click("button.rx-tab[data-tab='suggest']")
    page.select_option("#rx-sg-type", "Kill")
    page.fill("#rx-sg-text", SUGGEST_SENTENCE)
    for role, words in SUGGEST_MARKS:
        page.eval_on_selector("#rx-sg-text", "(box, words) => { const start = box.value.indexOf(words); box.focus(); "
                                             "box.setSelectionRange(start, start + words.length); }", words)
        if role:
            page.fill("#rx-sg-role", role)
        page.click("#rx-sg-arg" if role else "#rx-sg-trigger")
    page.click("#rx-sg-run")
    page.wait_for_selector(".rx-sg-hit-count", timeout=60_000)
    print("suggest:", page.inner_text(".rx-sg-hit-count"))
    page.click("#rx-sg-insert")  # the rule at the end of the open file, in the editor
    page.wait_for_timeout(2000)
    page.evaluate("document.querySelector('#rx-tabs').scrollIntoView({block: 'start'})")
    page.screenshot(path=str(IMAGES / "playground-suggest.png"))


if __name__ == "__main__":
    sys.exit(main())
