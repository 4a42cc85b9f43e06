"""`rulex serve` in a real browser: Debian's chromium driven by Playwright (never a downloaded
browser; skipped, saying why, without it). The server runs in a thread on a free port; the test
types a rule, sees its match highlighted, breaks it and sees the error at its line, fixes it and
saves. Screenshots go to $RULEX_SCREENSHOTS when set (docs/images/ holds the ones the docs show)."""
from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from rulex.serve import Session, create_app, local_hosts

from .conftest import MINI_PACK, SAMPLES

CHROMIUM = Path("/usr/bin/chromium")
NEW_RULE = "\nrule: attack.shelled\n  pattern: {attacker:Actor} shelled {target:Phrase}"


@pytest.fixture
def server(tmp_path):
    """A playground on a copy of the mini pack, at http://127.0.0.1:PORT/."""
    uvicorn = pytest.importorskip("uvicorn")
    root = tmp_path / "pack"
    shutil.copytree(MINI_PACK, root)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(Session(root, (str(SAMPLES),)), local_hosts("127.0.0.1", port))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the server did not start"
    yield f"http://127.0.0.1:{port}/", root
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def page(server):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (the dev extra)")
    if not CHROMIUM.exists():
        pytest.skip(f"no chromium at {CHROMIUM} (Debian's package; `make browser` installs it)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1440, "height": 860})
        errors: list[str] = []
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.goto(server[0])
        page.wait_for_selector("html[data-ready='1']", timeout=30_000)
        yield page
        browser.close()
        assert not errors, errors


def _shot(page, name: str) -> None:
    folder = os.environ.get("RULEX_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name))


def _end_of_file(page) -> None:
    page.click(".cm-content")
    page.keyboard.press("Control+End")


def test_type_a_rule_see_it_match_break_it_see_the_error_fix_it_and_save(page, server):
    _, root = server
    page.fill("#rx-sentence", "Iran shelled the airport in Baghdad.")
    _end_of_file(page)
    page.keyboard.insert_text(NEW_RULE)
    match = page.locator("#rx-matches mark.rx-m[title*='rule mini.attack.shelled at']").first
    match.wait_for(timeout=20_000)  # hovering shows the rule, its file:line, the arguments and values
    assert page.locator("#rx-matches .rx-chip-role[data-name='attacker']").count() == 1
    page.click("button.rx-tab[data-tab='examples']")
    page.wait_for_selector("#rx-tab-examples p")
    _shot(page, "playground-match.png")

    _end_of_file(page)
    page.keyboard.press("Backspace")  # `{target:Phrase` is left unclosed
    marker = page.locator(".cm-lint-marker-error").first
    marker.wait_for(timeout=20_000)
    lines = page.evaluate("rulexPlayground.state.views['attack.rulex'].state.doc.lines")  # the pattern's line
    number = page.locator(".cm-lineNumbers .cm-gutterElement", has_text=str(lines)).last
    assert abs(marker.bounding_box()["y"] - number.bounding_box()["y"]) < 4, "the error marker is on the rule's line"
    page.click("button.rx-tab[data-tab='problems']")
    assert f"attack.rulex:{lines}:" in page.inner_text("#rx-tab-problems")
    marker.hover()
    page.wait_for_selector(".cm-tooltip-lint", timeout=5_000)
    _shot(page, "playground-error.png")

    _end_of_file(page)
    page.keyboard.insert_text("}")
    page.wait_for_selector(".cm-lint-marker-error", state="detached", timeout=20_000)
    assert "attack.shelled" not in (root / "attack.rulex").read_text()  # nothing is written before a save
    page.keyboard.press("Control+s")
    page.wait_for_selector("#rx-status[data-kind='ok']:has-text('saved')", timeout=10_000)
    assert (root / "attack.rulex").read_text().endswith(NEW_RULE.lstrip("\n").split("\n", 1)[0] + "\n"
                                                          "  pattern: {attacker:Actor} shelled {target:Phrase}")


def test_the_corpus_tab_shows_the_rule_s_hits_in_context(page):
    page.click("button.rx-rule[data-rule='mini.attack.launch']")
    page.click("button.rx-tab[data-tab='corpus']")
    page.click("#rx-corpus-run")
    page.wait_for_selector(".rx-corpus-counts", timeout=30_000)
    assert "document(s) scanned" in page.inner_text(".rx-corpus-counts")
    _shot(page, "playground-mini-corpus.png")


def _select(page, selector: str, words: str) -> None:
    """Select `words` in the textarea, as a drag of the mouse over them does."""
    page.eval_on_selector(selector, "(box, words) => { const start = box.value.indexOf(words); box.focus(); "
                                    "box.setSelectionRange(start, start + words.length); }", words)


def test_mark_a_sentence_suggest_a_rule_see_it_match_and_add_it_to_the_file(page, server):
    _, root = server
    sentence = "Iran launched more than a dozen ballistic missiles against U.S. military and coalition forces in Iraq."
    page.click("button.rx-tab[data-tab='suggest']")
    page.fill("#rx-sg-text", sentence)
    assert page.input_value("#rx-sg-type") == "Attack"
    _select(page, "#rx-sg-text", "launched ")  # the space at the end is left out of the mark
    page.click("#rx-sg-trigger")
    _select(page, "#rx-sg-text", "Iran")
    page.fill("#rx-sg-role", "attacker")
    page.click("#rx-sg-arg")
    _select(page, "#rx-sg-text", "ballistic missiles")
    page.fill("#rx-sg-role", "weapon")
    page.click("#rx-sg-arg")
    _select(page, "#rx-sg-text", "Iraq")
    page.fill("#rx-sg-role", "place")
    page.click("#rx-sg-arg")
    page.click(".rx-sg-chip[data-role='place'] .rx-sg-remove")  # a mark taken back
    chips = page.locator(".rx-sg-marks .rx-sg-chip")
    assert chips.all_inner_texts() == ["attacker Iran×", "trigger launched×", "weapon ballistic missiles×"]  # in text order
    assert page.locator("#rx-sg-roles option[value='target']").count() == 1  # the pack's roles of the type
    page.click("#rx-sg-run")
    page.wait_for_selector("#rx-sg-result .rx-rule-text", timeout=30_000)
    rule = page.inner_text("#rx-sg-result .rx-rule-text")
    assert "rule: suggested.attack_launched" in rule and "{attacker:Actor} <launch>" in rule
    assert page.locator("#rx-sg-result .rx-rule-text span").count() > 3  # highlighted as the editor does
    assert page.inner_text(".rx-sg-check li.rx-pass") == "✓ sentence 1: matches with exactly the marked arguments"
    assert "document(s) scanned" in page.inner_text(".rx-sg-hit-count")
    hit = page.locator("#rx-sg-result .rx-sg-hits mark.rx-sg-hit").first  # a match elsewhere, in its context
    assert "launched" in hit.inner_text() and "more than a dozen" not in hit.inner_text()
    page.locator("#rx-sg-result").scroll_into_view_if_needed()
    _shot(page, "playground-suggest.png")

    page.click("#rx-sg-insert")
    editor = page.evaluate("rulexPlayground.state.views['attack.rulex'].state.doc.toString()")
    assert editor.endswith(rule if rule.endswith("\n") else rule + "\n") and "\n\nevent: Attack\n\nrule: suggested" in editor
    page.wait_for_selector("button.rx-rule[data-rule='mini.suggested.attack_launched']", timeout=20_000)  # compiled
    assert page.is_disabled("#rx-sg-insert")  # added once
    assert "suggested" not in (root / "attack.rulex").read_text()  # the panel never writes: saving is the user's


def test_two_sentences_marked_one_after_the_other_make_one_rule(page):
    page.click("button.rx-tab[data-tab='suggest']")
    page.fill("#rx-sg-text", "Iran launched missiles at Erbil.")
    page.click("#rx-sg-run")  # nothing marked yet: the page says what to do, and asks nothing
    assert "Mark the trigger of sentence 1 first" in page.inner_text(".rx-sg-message")
    for sentence, trigger in (("Iran launched missiles at Erbil.", "launched"), ("Iran fired rockets at Erbil.", "fired")):
        page.fill("#rx-sg-text", sentence)
        _select(page, "#rx-sg-text", trigger)
        page.click("#rx-sg-trigger")
        _select(page, "#rx-sg-text", "Iran")
        page.fill("#rx-sg-role", "attacker")
        page.click("#rx-sg-arg")
        if trigger == "launched":
            page.click("#rx-sg-add")
    assert page.locator(".rx-sg-kept-one").count() == 1
    page.click("#rx-sg-run")
    page.wait_for_selector("#rx-sg-result .rx-rule-text", timeout=30_000)
    assert "<launch|fire>" in page.inner_text("#rx-sg-result .rx-rule-text")
    assert page.locator(".rx-sg-check li.rx-pass").count() == 2
