"""The literal scanner: Hyperscan and pyahocorasick give the same hits, in windows too, on any text."""
import dataclasses
import pickle
import threading

import ahocorasick
import pytest

import rulex
from rulex import scanner as scanner_module
from rulex.document import Document
from rulex.matcher import match_document
from rulex.scanner import LiteralScanner

from .conftest import CONFLICT, SAMPLES

WORDS = ["kill", "killed", "skill", "led", "ed k", "são paulo", "s?o", "?", "é", "u.s.", "us"]
TEXT = ("they killed him. skilled, killed killed kill in São Paulo? são paulo, s?o, "
        "u.s. us forces café é—kill ") * 3

needs_hyperscan = pytest.mark.skipif(scanner_module.hyperscan is None, reason="Hyperscan is not installed here")


def automaton(words):
    built = ahocorasick.Automaton()
    for word in words:
        built.add_word(word, (len(word), word))
    built.make_automaton()
    return built


def scanner(words, engine, monkeypatch, whole_words=False):
    monkeypatch.setenv("RULEX_SCANNER", engine)
    return LiteralScanner({word: word for word in words}, sparse=True, whole_words=whole_words)


@pytest.mark.parametrize("engine", [pytest.param("hyperscan", marks=needs_hyperscan), "ahocorasick"])
def test_every_window_gives_what_a_bounded_automaton_scan_gives(engine, monkeypatch):
    found = scanner(WORDS, engine, monkeypatch)
    assert found.engine == engine
    text, reference = TEXT.lower(), automaton(WORDS)
    for start in range(0, len(text), 7):
        for end in range(start, len(text) + 5, 11):
            assert found.iter(text, start, end) == list(reference.iter(text, start, end)), (start, end)


@pytest.mark.parametrize("engine", [pytest.param("hyperscan", marks=needs_hyperscan), "ahocorasick"])
def test_a_scanner_of_whole_words_gives_the_hits_with_no_letter_or_digit_beside_them(engine, monkeypatch):
    found = scanner(WORDS, engine, monkeypatch, whole_words=True)
    text, reference = TEXT.lower() + "kill", automaton(WORDS)
    for start in range(0, len(text), 7):
        for end in range(start, len(text) + 5, 11):
            # beside a key's letter or digit no letter or digit; beside a sign ("?") anything
            expected = [(last, hit) for last, hit in reference.iter(text, start, end)
                        if (last - hit[0] < 0 or not text[last - hit[0]].isalnum()
                            or not text[last - hit[0] + 1].isalnum())
                        and (last + 1 == len(text) or not text[last + 1].isalnum() or not text[last].isalnum())]
            assert found.iter(text, start, end) == expected, (start, end)
    assert [hit for _, (_, hit) in found.iter("killed skill kill café-é é2 kill")] == ["killed", "skill", "kill", "é", "kill"]


@needs_hyperscan
def test_a_key_outside_ascii_is_found_only_where_the_text_holds_it(monkeypatch):
    found = scanner(["são", "s?o"], "hyperscan", monkeypatch)
    text = "são sño s?o"
    assert [(last, word) for last, (_, word) in found.iter(text)] == [(2, "são"), (10, "s?o")]


def test_offsets_index_the_whole_text(monkeypatch):
    found = LiteralScanner({"kill": "kill"}, sparse=True)
    text = "x" * 10_000 + " kill " + "y" * 10_000
    [(last, (length, word))] = found.iter(text, 9_990, 10_020)
    assert text[last - length + 1:last + 1] == word == "kill"
    assert found.iter(text, 10_020, 9_990) == []


@pytest.mark.parametrize("engine", [pytest.param("hyperscan", marks=needs_hyperscan), "ahocorasick"])
def test_a_pickled_scanner_finds_the_same(engine, monkeypatch):
    found = scanner(WORDS, engine, monkeypatch)
    again = pickle.loads(pickle.dumps(found))
    assert again.engine == engine
    assert again.iter(TEXT.lower()) == found.iter(TEXT.lower())


@needs_hyperscan
def test_a_scanner_pickled_with_hyperscan_loads_without_it(monkeypatch):
    blob = pickle.dumps(scanner(WORDS, "hyperscan", monkeypatch))
    monkeypatch.setenv("RULEX_SCANNER", "ahocorasick")
    again = pickle.loads(blob)
    assert again.engine == "ahocorasick"
    assert again.iter(TEXT.lower()) == list(automaton(WORDS).iter(TEXT.lower()))


def test_threads_scan_with_one_scanner_at_once():
    found = LiteralScanner({word: word for word in WORDS}, sparse=True)
    text = TEXT.lower() * 50
    expected = found.iter(text)
    results = []

    def scan():
        results.append(all(found.iter(text) == expected for _ in range(10)))

    threads = [threading.Thread(target=scan) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 4


def test_dense_scans_stay_with_pyahocorasick():
    assert LiteralScanner({"us": "us"}).engine == "ahocorasick"


@needs_hyperscan
@pytest.mark.skipif(not SAMPLES.exists(), reason="../shared is not beside the project")
def test_the_conflict_pack_finds_the_same_with_either_scanner(monkeypatch):
    program = rulex.load(CONFLICT).program
    assert program.placement.word_anchors.engine == "hyperscan"
    monkeypatch.setenv("RULEX_SCANNER", "ahocorasick")
    placement = dataclasses.replace(program.placement, word_anchors=pickle.loads(pickle.dumps(program.placement.word_anchors)))
    fallback = dataclasses.replace(program, placement=placement)
    assert fallback.placement.word_anchors.engine == "ahocorasick"
    texts = [path.read_text(encoding="utf-8") for path in sorted(SAMPLES.glob("*.txt"))]
    assert texts, SAMPLES
    for number, text in enumerate(texts):
        found = match_document(program, Document(str(number), text)).matches
        assert found and found == match_document(fallback, Document(str(number), text)).matches
