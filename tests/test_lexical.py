"""BM25 at query time reads bm25s's saved files directly; it must score exactly as bm25s."""

from __future__ import annotations

import numpy as np

from askrel.indexing.lexical import LexicalIndex, _tokenizer

TEXTS = [
    "Japan colonized Korea from 1910 to 1945, a period that shaped relations for decades.",
    "The Republic of Korea was established in 1948 after the peninsula was divided.",
    "Torque the bolts to 25 N·m, then check the gasket; re-torque after the first run.",
    "Leaves change colour in autumn as chlorophyll breaks down and other pigments show.",
    "The 2015 agreement on comfort women was criticized in Seoul and praised in Tokyo.",
    "Korea, Korea and again Korea: repeated words raise term frequency but saturate.",
]
QUERIES = [
    "When did Japan colonize Korea?",
    "korea KOREA Korea relations",
    "torque of the bolts",
    "the and of",  # stopwords only
    "xyzzy plugh",  # unknown words
    "What did Seoul think about the 2015 agreement?",
]


def reference(directory, query):
    import bm25s

    retriever = bm25s.BM25.load(str(directory / "bm25"))
    tokenizer = _tokenizer()
    tokenizer.load_vocab(str(directory / "bm25"))
    tokenizer.load_stopwords(str(directory / "bm25"))
    terms = tokenizer.tokenize([query], update_vocab=False, return_as="string",
                               show_progress=False)[0]
    terms = [t for t in terms if t and t in retriever.vocab_dict]
    if not terms:
        return terms, np.zeros(len(TEXTS), np.float32)
    return terms, np.asarray(retriever.get_scores(terms), dtype=np.float32)


def test_loaded_index_scores_exactly_like_bm25s(tmp_path):
    LexicalIndex.build(TEXTS).save(tmp_path)
    loaded = LexicalIndex.load(tmp_path, len(TEXTS))
    for query in QUERIES:
        terms, expected = reference(tmp_path, query)
        assert loaded.query_terms(query) == terms
        assert np.array_equal(loaded.scores(query), expected), query


def test_scores_rank_the_matching_passage_first(tmp_path):
    LexicalIndex.build(TEXTS).save(tmp_path)
    loaded = LexicalIndex.load(tmp_path, len(TEXTS))
    assert int(np.argmax(loaded.scores("gasket torque"))) == 2
    assert not loaded.scores("the and of").any()


def test_terms_are_stemmed_without_stopwords_known_or_not(tmp_path):
    LexicalIndex.build(TEXTS).save(tmp_path)
    loaded = LexicalIndex.load(tmp_path, len(TEXTS))
    assert loaded.terms("The colonized peninsula and the Dockers") == ["colon", "peninsula",
                                                                       "docker"]
    assert {"colon", "peninsula"} <= set(loaded.vocabulary)
    assert "docker" not in loaded.vocabulary


def test_vocabulary_of_some_passages(tmp_path):
    LexicalIndex.build(TEXTS).save(tmp_path)
    loaded = LexicalIndex.load(tmp_path, len(TEXTS))
    assert loaded.vocabulary_of(np.array([2])) == {"torqu", "bolt", "25", "check", "gasket",
                                                   "re", "after", "first", "run"}
    both = loaded.vocabulary_of(np.array([0, 1]))
    assert {"japan", "1910", "republ", "1948"} <= both and "gasket" not in both
    assert loaded.vocabulary_of(np.array([], dtype=np.int64)) == frozenset()
    # every term of the vocabulary but bm25s's placeholder for empty texts
    assert loaded.vocabulary_of(np.arange(len(TEXTS))) == set(loaded.vocabulary) - {""}


def test_query_side_does_not_hold_the_matrix_in_memory(tmp_path):
    LexicalIndex.build(TEXTS).save(tmp_path)
    loaded = LexicalIndex.load(tmp_path, len(TEXTS))
    assert isinstance(loaded._data, np.memmap)


def test_ligatures_and_full_width_letters_match_plain_words(tmp_path):
    texts = TEXTS + ["Set the ﬂoating point format in the conﬁg ﬁle.",
                     "Ｕｎｉｃｏｄｅ width forms."]
    LexicalIndex.build(texts).save(tmp_path)
    loaded = LexicalIndex.load(tmp_path, len(texts))
    assert int(np.argmax(loaded.scores("floating config file"))) == len(TEXTS)
    assert int(np.argmax(loaded.scores("unicode"))) == len(TEXTS) + 1
    assert loaded.terms("the ﬁle") == loaded.terms("the file") == ["file"]
