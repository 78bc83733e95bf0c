"""A FAQ that keeps its questions in the text (a text file, and a PDF), asked its own questions
with the real models: the passage under the question comes first, not the list of contents
that repeats it (answering/pointers.py)."""

from __future__ import annotations

import pytest

from askrel.answering.search import Searcher
from askrel.indexing.build import build_index

pytestmark = pytest.mark.slow

QUESTIONS_AND_ANSWERS = [
    ("How do I restore a single file from last night's backup?",
     "Open the backup browser, pick the night you want from the calendar and tick the file. "
     "Restore writes it back to where it was, and keeps the version on disk with a .orig "
     "suffix, so nothing is overwritten by accident. From the command line, nightly-restore "
     "--date takes the same choice of night."),
    ("Why does the nightly backup skip files that are open?",
     "A file that a program holds open for writing may be half written when the backup reads "
     "it. Rather than store a broken copy, the backup skips it and lists it in the report, and "
     "the next night tries again. Databases should be dumped to a file first, and that dump "
     "is then backed up like any other file."),
    ("Can I keep my backups on a network share?",
     "Yes, as long as the share is mounted before the backup starts. Point the target setting "
     "at the mount point. If the share is missing at that time, the run stops with an error "
     "instead of filling the local disk, and the report says which mount it could not find."),
    ("How long are old backups kept before they are deleted?",
     "Daily backups are kept for two weeks, the last backup of each week for two months, and "
     "the last of each month for a year. The retention setting changes these periods; backups "
     "older than all of them are removed after a successful run, never after a failed one."),
]


@pytest.fixture(scope="module", params=["txt", "pdf"])
def faq_searcher(request, tmp_path_factory, make_pdf) -> Searcher:
    root = tmp_path_factory.mktemp("faq")
    contents = "\n".join(f"{n}. {q}" for n, (q, _) in enumerate(QUESTIONS_AND_ANSWERS, 1))
    body = "\n\n".join(f"{q}\n\n{a}" for q, a in QUESTIONS_AND_ANSWERS)
    (root / "sources").mkdir()
    if request.param == "txt":
        (root / "sources" / "backup-faq.txt").write_text(
            f"---\ntitle: Backup FAQ\n---\nFrequently asked questions\n\n{contents}\n\n{body}\n")
    else:  # the contents on a page of their own, the answers wrapped by the page
        (root / "sources" / "backup-faq.pdf").write_bytes(
            make_pdf([f"Frequently asked questions\n\n{contents}", body]))
    build_index(root / "sources", root / "index", root=root)
    return Searcher(root / "index")


@pytest.mark.parametrize(("question", "answer"), QUESTIONS_AND_ANSWERS)
def test_the_passage_under_the_question_comes_first(faq_searcher: Searcher, question: str,
                                                    answer: str) -> None:
    reranked = faq_searcher.ask(question, top_k=3)
    assert reranked.answered
    assert answer[:40] in reranked.results[0].text


def test_each_question_heads_the_passage_of_its_answer(faq_searcher: Searcher) -> None:
    # In the PDF the questions are paragraphs of the body's type: a paragraph that is one
    # question alone is a heading there too (reading/chrome.py, is_question_heading).
    store = faq_searcher.store
    passages = [p for s in store.sources() for p in store.passages_of(s["source"])]
    for question, answer in QUESTIONS_AND_ANSWERS:
        (holder,) = [p for p in passages if answer[:40] in p.text]
        assert holder.text.startswith(question)
        assert " ".join((holder.heading or "").split()).endswith(question)
