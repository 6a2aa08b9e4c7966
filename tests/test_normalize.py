from hypothesis import given, settings
from hypothesis import strategies as st

from kg.read.normalize import normalize


def test_spaces_inside_numbers_and_units_are_removed():
    assert normalize("到 2025 年全市绿色工厂达到 20 家").text == "到2025年全市绿色工厂达到20家"


def test_half_width_brackets_and_punctuation_become_full_width():
    assert normalize("(十三) 推动能源转型,提升能力").text == "（十三）推动能源转型，提升能力"


def test_digit_commas_are_kept_in_chemical_names():
    assert "1,2-二氯乙烷" in normalize("强化1,2-二氯乙烷管控").text


def test_full_width_digits_become_ascii():
    assert normalize("到２０２５年达到９８％").text == "到2025年达到98%"


def test_page_broken_agency_list_is_rejoined():
    raw = "（市商务局、市城管局、市发改委、市生态环境局、市\n\n市场监管局、市机关事务管理局等按职责分工负责)"
    assert (
        normalize(raw).text
        == "（市商务局、市城管局、市发改委、市生态环境局、市市场监管局、市机关事务管理局等按职责分工负责）"
    )


def test_long_line_broken_mid_sentence_is_rejoined():
    raw = "建设绿色制造体系，培育一批绿色工厂、绿色园区、绿色设计产品\n\n和绿色供应链企业。"
    assert normalize(raw).text == "建设绿色制造体系，培育一批绿色工厂、绿色园区、绿色设计产品和绿色供应链企业。"


def test_heading_on_its_own_line_is_not_joined_to_its_text():
    assert normalize("（四）强化生态环境分区管控\n\n落实城市化地区减污降碳政策体系分类指导。").text == (
        "（四）强化生态环境分区管控\n落实城市化地区减污降碳政策体系分类指导。"
    )


def test_title_line_is_not_joined_to_the_preamble():
    raw = "关于加快建立健全绿色低碳循环发展经济体系的实施方案\n\n为贯彻落实《指导意见》，制定如下实施方案。"
    assert normalize(raw).text.split("\n")[0] == "关于加快建立健全绿色低碳循环发展经济体系的实施方案"


def test_tex_residue_is_unwrapped():
    assert normalize("加大细颗粒物（PM_{2.5}）协同减排").text == "加大细颗粒物（PM2.5）协同减排"


def test_traditional_script_is_converted_to_simplified():
    assert normalize("推進綠色低碳循環發展經濟體系", simplify=True).text == "推进绿色低碳循环发展经济体系"


def test_offsets_point_back_to_raw_characters():
    raw = "　　（一）到 2025 年，达到 20 家。"
    t = normalize(raw)
    i = t.text.index("20家")
    span = t.raw_span(i, i + len("20家"))
    assert raw[span.start : span.end] == "20 家"


# normalize() output (text and offsets) on the seed files when paged-text passes were added:
# text files without form feeds must normalise exactly as before.
SEED_DIGESTS = {
    "000_fca3275a1a290cb6.txt": "e99f75339af4aa71",
    "001_7d4b3fc7bf085163.txt": "912a5fb8d6f36358",
    "002_3601092c99a91ae3.txt": "dbaf1dec17a199e5",
    "003_237c29cb87039f1f.txt": "2e0101bfeb8b2d83",
    "004_316f7d0b2cc8e7da.txt": "d4eec076fbef5ec3",
}


def test_seed_texts_normalise_byte_identically_to_before_the_pdf_passes():
    import hashlib

    from kg.read import read_text

    from .conftest import DATA

    for name, digest in SEED_DIGESTS.items():
        raw, _ = read_text(DATA / name)
        t = normalize(raw)
        got = hashlib.sha256((t.text + "\0" + ",".join(map(str, t.offsets))).encode()).hexdigest()[:16]
        assert got == digest, name


def test_form_feed_becomes_a_line_break():
    t = normalize("一、总体要求。\f二、主要任务。")
    assert t.text == "一、总体要求。\n二、主要任务。"


def test_guillemets_become_book_title_marks():
    assert normalize("贯彻 «甘肃省排污许可管理实施细则»").text == "贯彻《甘肃省排污许可管理实施细则》"


def test_the_fold_table_changes_exactly_the_characters_fold_char_changes():
    from kg.read.normalize import _FOLD, _fold_char

    changed = {c for c in map(chr, range(0x10000)) if _fold_char(c) != c}
    assert {chr(o) for o in _FOLD} == changed
    assert all(_FOLD[ord(c)] == _fold_char(c) and len(_FOLD[ord(c)]) == 1 for c in changed)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab \n", max_size=40), st.sets(st.integers(-3, 45)))
def test_deleting_positions_keeps_the_others_with_their_offsets(text, dead):
    from kg.read.normalize import _Buf

    buf = _Buf(list(text), list(range(len(text))))
    assert buf.s == text  # joined and kept until the characters change
    buf.delete(dead)
    kept = [i for i in range(len(text)) if i not in dead]
    assert buf.s == "".join(text[i] for i in kept) and buf.offs == kept
    buf.replace([i for i, c in enumerate(buf.chars) if c == "a"], "x")
    assert buf.s == "".join(text[i] for i in kept).replace("a", "x")
