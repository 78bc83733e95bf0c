import pytest

from askrel.answering.pointers import points_elsewhere, question_copy, without_copy


def test_finds_a_quoted_question_whatever_the_case_and_punctuation():
    text = ('See the answer to "How can I make my Perl program run faster?" for more.')
    copy = question_copy("how can I make my perl program run  faster", text)
    assert copy is not None
    assert text[copy[0]:copy[1]] == '"How can I make my Perl program run faster?"'


def test_the_words_must_all_be_there_in_order():
    assert question_copy("How can I make my program run faster?",
                         "Make the program run faster: how? I can.") is None
    assert question_copy("How can I make my program run faster?",
                         "How can I make my program faster?") is None


def test_short_questions_are_not_treated_as_quotations():
    assert question_copy("What is Perl?", "Some ask: what is Perl? It is a language.") is None


def test_the_copy_is_cut_and_the_rest_kept():
    text = 'Perl is free. See "Where can I buy a commercial version of Perl?" for more.'
    copy = question_copy("Where can I buy a commercial version of Perl?", text)
    assert without_copy(text, copy) == "Perl is free. See for more."


def test_a_question_heading_followed_by_its_answer_keeps_the_answer():
    text = "How do I reverse a string?\nUse reverse() in scalar context."
    copy = question_copy("How do I reverse a string?", text)
    assert without_copy(text, copy) == "Use reverse() in scalar context."


class _Recorder:
    """A reranker scoring every text 0 except those holding `keyword` (1), recording reads."""

    def __init__(self, keyword: str) -> None:
        self.keyword = keyword
        self.read: list[str] = []

    def score(self, question, texts):
        import numpy as np

        self.read += list(texts)
        return np.array([float(self.keyword in t) for t in texts], dtype=np.float32)


def _candidates(texts: list[str], scores: list[float]):
    import numpy as np

    from askrel.answering.retrieval import Candidates
    from askrel.records import Passage

    ids = np.arange(len(texts), dtype=np.int64)
    passages = {i: Passage(id=i, source="faq.txt", page=None, char_start=0,
                           char_end=len(t), text=t, sentences=((0, len(t)),))
                for i, t in enumerate(texts)}
    return Candidates(ids, np.array(scores), {"dense": np.array(scores)}), passages


FASTER = "How can I make my Perl program run faster?"


def _rerank(texts: list[str], scores: list[float], keyword: str):
    """The reranking stage on `texts` asked FASTER, with a reranker that likes `keyword`."""
    from askrel.answering.rerank import rerank_candidates

    candidates, passages = _candidates(texts, scores)
    reranker = _Recorder(keyword)
    reranked, logits = rerank_candidates(FASTER, candidates, passages, reranker,
                                         weight=0.4, asked=FASTER)
    return reranker, reranked, logits


def test_a_pointer_is_read_without_the_copy_and_loses_its_first_stage_lead():
    texts = ['For speed, see "How can I make my Perl program run faster?" above.',
             "Profile first, then pick a better algorithm: that is where speed comes from.",
             "Perl runs on many systems."]
    reranker, reranked, logits = _rerank(texts, [3.0, 1.0, 0.0], "algorithm")
    assert reranker.read[0] == "For speed, see above."
    # the pointer's first-stage score counts as the lowest: it ties with the last passage
    assert reranked.ids.tolist() == [1, 0, 2]
    assert reranked.scores[1] == reranked.scores[2] < reranked.scores[0]
    assert logits == {0: 0.0, 1: 1.0, 2: 0.0}


def test_without_a_copy_the_first_stage_lead_stands():
    texts = ["Speed: make the program run faster with a better algorithm.",
             "Profile first.", "Perl runs on many systems."]
    reranker, reranked, _ = _rerank(texts, [3.0, 1.0, 0.0], "nothing here")
    assert reranker.read == texts
    assert reranked.ids.tolist() == [0, 1, 2]


QUESTION = "How do I reverse a string?"


@pytest.mark.parametrize("text", [
    "How do I reverse a string?\nUse reverse() in scalar context.",
    "Strings are lists.\n\n## How do I reverse a string?\n\nUse reverse().",
    "4.2. How do I reverse a string?\n--------------------------\n\nUse reverse().",
    "**How do I reverse a string?**\nUse reverse().",
    "Q: how do I reverse a string?\nA: use reverse().",
    "How do I reverse a string?::\n  Use reverse().",
    "Strings are lists.\nHow do I reverse a string?\nUse reverse().",
    # under a title line: a chapter's title, a Markdown heading, an underline
    "7. String Functions\nHow do I reverse a string?\nUse reverse().",
    "## Strings\nHow do I reverse a string?\nUse reverse().",
    "Strings\n=======\nHow do I reverse a string?\nUse reverse().",
])
def test_a_question_heading_its_answer_points_nowhere(text):
    assert question_copy(QUESTION, text) is not None
    assert points_elsewhere(QUESTION, text) is None


@pytest.mark.parametrize("text", [
    'See "How do I reverse a string?" for more.',
    "See the answer to\nHow do I reverse a string? in perlfaq4.",
    # a quotation that starts a line, the sentence before running on to it
    "For that, read the answer to\nHow do I reverse a string?\nin perlfaq4.",
    "For details see\nHow do I reverse a string?\nUse reverse().",
    "See also: How do I reverse a string?\n\nStrings are lists.",
    # a list of questions, as in a FAQ's contents
    "Contents\n\n1. How do I reverse a string?\n2. How do I sort a list?\n",
    # the question ends the passage: its answer is in the next one
    "Use sort() for that.\n\nHow do I reverse a string?",
])
def test_a_quoted_or_listed_question_points_elsewhere(text):
    copy = points_elsewhere(QUESTION, text)
    assert copy is not None and copy == question_copy(QUESTION, text)


def test_a_question_heading_its_answer_is_read_whole_and_keeps_its_lead():
    texts = ["How can I make my Perl program run faster?\n\nProfile it, then pick a better "
             "algorithm.",
             'For speed, see "How can I make my Perl program run faster?" above.',
             "Perl runs on many systems."]
    reranker, reranked, logits = _rerank(texts, [3.0, 2.0, 0.0], "algorithm")
    assert reranker.read[:2] == [texts[0], "For speed, see above."]
    assert reranked.ids.tolist()[0] == 0
    assert logits[0] == 1.0
