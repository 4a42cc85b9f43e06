"""The matcher's windowed Aho-Corasick scan finds what a scan of the whole text, limited to the window, finds."""
import ahocorasick

from rulex.matcher import scan_window


def _automaton(words):
    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(word, (len(word), word))
    automaton.make_automaton()
    return automaton


def test_scan_window_finds_the_same_as_a_bounded_iter():
    automaton = _automaton(["kill", "killed", "skill", "led", "ed k"])
    text = "they killed him. skilled, killed killed kill" * 3
    for start in range(0, len(text), 7):
        for end in range(start, len(text) + 5, 11):
            assert list(scan_window(automaton, text, start, end)) == list(automaton.iter(text, start, end))


def test_scan_window_offsets_index_the_whole_text():
    automaton = _automaton(["kill"])
    text = "x" * 10_000 + " kill " + "y" * 10_000
    [(last, (length, word))] = list(scan_window(automaton, text, 9_990, 10_020))
    assert text[last - length + 1:last + 1] == word == "kill"
