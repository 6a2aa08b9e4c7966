"""Sentence similarity: the word overlap gathered from an inverted index equals the
overlap of the two sentences' word sets, pair by pair."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.core.similarity import Texts, clean, similarity, word_overlap
from kg.core.words import cut

PARENT = [
    "推动钢铁、有色、石化、建材等传统产业绿色化改造。",
    "加快发展冷链物流，推广新能源物流车辆。",
    "深入推进化肥农药减量增效行动，推广测土配方施肥技术。",
    "加强宣传引导。",
    "",
]
CHILD = ["推动钢铁、建材等传统产业绿色化改造。", "推广新能源物流车辆，加快发展冷链物流。", "开发红色旅游精品线路。", ""]


def _overlap_by_hand(a: str, b: str) -> float:
    """2I / (2I + min(|A∖B|, |B∖A|)) over the two word sets, in characters."""
    wa, wb = set(cut(clean(a))), set(cut(clean(b)))
    shared = sum(map(len, wa & wb))
    rest = min(sum(map(len, wa - wb)), sum(map(len, wb - wa)))
    return 2 * shared / (2 * shared + rest) if shared else 0.0


def test_word_overlap_equals_the_overlap_of_word_sets_pair_by_pair():
    got = word_overlap(CHILD, PARENT)
    expected = [[_overlap_by_hand(a, b) for b in PARENT] for a in CHILD]
    assert np.allclose(got, expected)
    assert got[1, 1] == 1.0  # clauses reordered: the same words
    assert got[2].max() < 0.3  # a local measure shares little


def test_a_subset_of_prepared_sentences_scores_as_those_sentences_alone():
    parent = Texts(PARENT)
    keep = [1, 3]
    assert np.array_equal(Texts(CHILD).similarity(parent.take(keep)), similarity(CHILD, [PARENT[i] for i in keep]))


def test_similarity_of_nothing_is_an_empty_matrix():
    assert similarity([], PARENT).shape == (0, len(PARENT))
    assert similarity(CHILD, []).shape == (len(CHILD), 0)


def test_the_corpus_idf_weighs_a_bigram_of_every_measure_little_and_an_unseen_one_most():
    from kg.core.similarity import BigramIdf, bigrams

    idf = BigramIdf.of(["发展绿色金融", "建立绿色贸易体系", "倡导绿色生活方式"])
    green, trade, unseen = (int(bigrams(x)[0]) for x in ("绿色", "贸易", "旅游"))
    w = idf.of_codes(np.array([green, trade, unseen]))
    assert w[0] < w[1] < w[2]


def test_whole_similarity_finds_the_paraphrased_measure():
    from kg.core.similarity import BigramIdf, whole_similarity

    parents = [
        "建立绿色贸易体系。积极优化贸易结构，大力发展高附加值的绿色产品贸易。",
        "大力发展绿色金融。发展绿色信贷和绿色直接融资。",
    ]
    children = ["打造绿色贸易体系。优化我省贸易结构，扩大绿色产品出口。", "发展绿色金融。加强绿色金融产品和服务创新。"]
    m = whole_similarity(children, parents, BigramIdf.of(children + parents))
    assert m.argmax(axis=1).tolist() == [0, 1]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="绿色金融发展。 ab", max_size=12), max_size=8))
def test_the_corpus_idf_counts_each_bigram_once_per_text_holding_it(texts):
    from kg.core.similarity import BigramIdf, bigrams

    idf = BigramIdf.of(texts)
    codes = [np.unique(bigrams(t)) for t in texts]
    keys, df = np.unique(np.concatenate(codes) if codes else np.zeros(0, dtype=np.int64), return_counts=True)
    assert np.array_equal(idf.keys, keys) and idf.keys.dtype == keys.dtype
    assert np.array_equal(idf.idf, np.log((len(texts) + 1) / (df + 1)) + 1) and idf.texts == len(texts)
