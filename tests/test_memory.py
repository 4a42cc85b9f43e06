"""Memory of one huge document (issue 17, item 7): `rulex run` on one document of about 5 MB
peaks at no more than a small multiple of its size above a run on a small document, and a long
document planned a window of paragraphs at a time gives the same matches as one planned whole."""
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
# Peak RSS above the small-document run, over the document's size in UTF-8: 22x before windows
# of paragraphs (issue 17, item 7), about 14x since at 5 MB (less on larger documents: a text
# with characters beyond Latin-1 takes 2 bytes a character, and is held about four times).
MULTIPLE = 18

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
def test_one_huge_document_peaks_at_a_small_multiple_of_its_size(tmp_path):
    text = _news_text(5_000_000)
    huge, small = tmp_path / "huge.jsonl", tmp_path / "small.jsonl"
    huge.write_text(json.dumps({"id": "huge", "text": text}) + "\n", encoding="utf-8")
    # A small document of the same text: the pack's regexes are built as rules are first tried,
    # a cost of the pack, not of the document.
    small.write_text(json.dumps({"id": "small", "text": text[:100_000]}) + "\n", encoding="utf-8")
    _peak_kb(small)  # the compile cache is warm before either run is measured
    baseline, peak = _peak_kb(small), _peak_kb(huge)
    size = len(text.encode("utf-8"))
    multiple = (peak - baseline) * 1024 / size
    assert multiple < MULTIPLE, f"peak {peak} KB, {baseline} KB on a small document: {multiple:.1f}x the document"


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
    inner = [p for lo, hi in spans for p in segment.paragraphs(text, lo, hi) if p[0] < p[1] or p[1] == len(text)]
    assert inner == [p for p in segment.paragraphs(text) if p[0] < p[1] or p[1] == len(text)]
