"""Memory of one huge document (issue 17, item 7): what `rulex run` needs for each further
character of one document is a small multiple of its size, and a long document planned and
matched a window of paragraphs at a time gives the same matches as one planned whole."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

import rulex
from rulex import segment
from rulex.document import Document
from rulex.outputs.jsonl import json_line

from .conftest import CONFLICT, ROOT, SAMPLES, SHARED

NEWS = SHARED / "corpus" / "news" / "wikinews.jsonl"
# Peak RSS of one document of 12 MB less that of one of 4 MB (the same text's start), over the
# 8 MB between them in UTF-8: about 9x when the whole text was normalised and lower-cased, about
# 3x since each window has views of its own (the text is held in 2 bytes a character).
MULTIPLE = 5

# A fresh parent for each run, so RUSAGE_CHILDREN's peak is that run's alone.
MEASURE = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.stderr.write(done.stderr[-2000:])
"""


def _news_text(size: int) -> str:
    """News texts joined by blank lines, repeated to `size` characters."""
    texts = [json.loads(line)["text"] for line in NEWS.open(encoding="utf-8") if line.strip()]
    one = "\n\n".join(texts)
    return ("\n\n".join([one] * (size // (len(one) + 2) + 1)))[:size]


def _peak_kb(document) -> int:
    """Peak RSS in KB of `rulex run rules/conflict DOCUMENT -o /dev/null`."""
    command = [sys.executable, "-m", "rulex", "run", str(CONFLICT), str(document), "-o", "/dev/null", "--quiet"]
    done = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True, text=True,
                          timeout=600, cwd=ROOT)
    code, peak = done.stdout.split()
    assert int(code) in (0, 1), done.stderr
    return int(peak)


@pytest.mark.skipif(not NEWS.exists(), reason=f"no news corpus at {NEWS}")
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss is in KB on Linux only")
def test_one_huge_document_takes_a_small_multiple_of_its_size(tmp_path):
    text = _news_text(12_000_000)
    huge, smaller = tmp_path / "huge.jsonl", tmp_path / "smaller.jsonl"
    huge.write_text(json.dumps({"id": "huge", "text": text}) + "\n", encoding="utf-8")
    # The same text's first third: the pack's regexes, built as rules are first tried, are the
    # same in both, a cost of the pack, not of the document's size.
    smaller.write_text(json.dumps({"id": "smaller", "text": text[:4_000_000]}) + "\n", encoding="utf-8")
    _peak_kb(smaller)  # the compile cache is warm before either run is measured
    peak, below = _peak_kb(huge), _peak_kb(smaller)
    size = len(text.encode("utf-8")) - len(text[:4_000_000].encode("utf-8"))
    multiple = (peak - below) * 1024 / size
    assert multiple < MULTIPLE, f"peak {peak} KB, {below} KB on its first third: {multiple:.1f}x the difference"


def _texts() -> list[str]:
    texts = []
    for path in sorted(SAMPLES.glob("*.txt"))[:40] if SAMPLES.exists() else ():
        texts.append(path.read_text(encoding="utf-8"))
    if NEWS.exists():
        texts += [json.loads(line)["text"] for line, _ in zip(NEWS.open(encoding="utf-8"), range(200))]
    return texts


@pytest.mark.skipif(not (SAMPLES.exists() or NEWS.exists()), reason="no sample documents")
def test_matching_in_windows_of_paragraphs_gives_the_same_output(monkeypatch):
    pack = rulex.load(CONFLICT)
    texts = _texts()
    texts.append("\n\n".join(texts[:30]))  # one long document of many paragraphs
    documents = [Document(f"d{i}", text) for i, text in enumerate(texts)]

    def output() -> list[str]:
        return ["".join(json_line(m) for m in pack.process(doc).matches) for doc in documents]

    whole = output()
    assert sum(map(len, whole)) > 0
    monkeypatch.setattr(segment, "WINDOW_CHARACTERS", 300)
    assert max(len(segment.windows(doc.text)) for doc in documents) > 10
    assert output() == whole


@pytest.mark.parametrize("text", [
    "", "One.", "a\n\nb", "First.\nSecond.\n\n\n  Third one here.\n", "no break at all " * 100,
    ("Para one ends here.\n \n\tPara two, with a line\nthat goes on.\n\n" * 50) + "tail",
])
def test_windows_cover_the_text_and_end_where_paragraphs_start(text):
    spans = segment.windows(text, 40)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    starts = {start for start, _ in segment.paragraphs(text)}
    assert all(lo in starts for lo, _ in spans[1:])
    # the paragraphs of the windows are those of the text (an empty one where a window ends)
    inner = [(lo + a, lo + b) for lo, hi in spans for a, b in segment.paragraphs(text[lo:hi])
             if a < b or lo + b == len(text)]
    assert inner == [p for p in segment.paragraphs(text) if p[0] < p[1] or p[1] == len(text)]
