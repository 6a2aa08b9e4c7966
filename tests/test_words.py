"""jieba words for alignment: the cached cut gives jieba's own words; word numbering."""

import jieba
import pytest

from kg.core.similarity import clean
from kg.core.words import Words, _jieba, cut


def test_cut_gives_jiebas_words_for_every_sentence_of_the_seed_corpus(docs_by_id):
    _jieba()
    texts = {
        t for doc in docs_by_id.values() if doc for m in doc.measures for t in [m.title] + [s.text for s in m.sentences]
    }
    assert len(texts) > 500
    differ = [t for t in texts if list(cut(clean(t))) != jieba.lcut(clean(t), HMM=False)]
    assert differ == []


@pytest.mark.parametrize(
    "text",
    [
        "到2025年全市PM2.5浓度下降10%",  # digits and letters joined, symbols in the block
        "推进5G+工业互联网和IPv6规模部署",
        "单位GDP能耗降低13.5%以上",
        "x",
        "",
        "一\n二  三\t四",  # whitespace runs kept whole
        "（一）推进工业绿色转型。",  # punctuation: one by one
    ],
)
def test_cut_matches_jieba_on_mixed_scripts_and_symbols(text):
    _jieba()
    assert list(cut(text)) == jieba.lcut(text, HMM=False)


def test_word_columns_follow_the_words_not_the_order_they_were_met():
    first, second = Words(), Words()
    words = ["推进", "工业", "绿色", "转型", "2025", "市"]
    a = first.of(words)
    b = second.of(list(reversed(words)))[::-1]  # same words, numbered in the opposite order
    assert a.tolist() != b.tolist()
    n_a, cols_a = first.columns(a)
    n_b, cols_b = second.columns(b)
    assert n_a == n_b == 6 and cols_a.tolist() == cols_b.tolist()
