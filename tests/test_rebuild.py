"""Scrambled documents rebuilt before alignment (kg.corpus.rebuild)."""

from pathlib import Path

import pytest

from kg.corpus.rebuild import rebuild_corpus, rebuild_document, scramble_evidence
from kg.corpus.rebuild.units import text_key
from kg.extract.parse import parse_file, parse_text
from kg.present.records import document_record

from .conftest import JIANGXI_2021, SHANGRAO

PDF = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "dual-carbon" / "pdf"
needs_pdfs = pytest.mark.skipif(not PDF.is_dir(), reason="shared corpus ../shared/corpora/dual-carbon is absent")

# Three measures; the scrape put （三） first, lost the heading （二） (its sentences and list
# follow （一）'s list), and repeated a passage of （三） under a second （三） heading.
SHUFFLED = """关于推进示例工作的若干措施
（三）发展绿色金融。完善绿色金融项目库，发行绿色债券。积极开展气候投融资，创新碳中和基金。（省金融监管局负责）
（一）推进工业绿色转型。推动钢铁行业绿色化改造升级。建设绿色工厂和绿色园区。（省工业和信息化厅负责）开展农田节水建设和农业节水行动。推进秸秆综合利用和畜禽粪污资源化利用。（省农业农村厅负责）
（三）发展绿色金融。完善绿色金融项目库，发行绿色债券。
"""

CLEAN = """关于推进示例工作的若干措施
（一）推进工业绿色转型。推动钢铁行业绿色化改造升级。（省工业和信息化厅负责）
（二）加快农业绿色发展。开展农田节水建设和农业节水行动。（省农业农村厅负责）
（三）发展绿色金融。完善绿色金融项目库，发行绿色债券。（省金融监管局负责）
"""


# （三）'s heading is lost and its energy sentences run on after （二）'s; the child rewrites
# （三） (no sentence copied) but keeps the parent's order, so its （三） sits at the lost number.
LOST_REWRITTEN = """关于推进示例工作的若干措施
（四）发展绿色金融。完善绿色金融项目库，发行绿色债券。积极开展气候投融资，创新碳中和基金。（省金融监管局负责）
（一）推进工业绿色转型。推动钢铁行业绿色化改造升级。建设绿色工厂和绿色园区。（省工业和信息化厅负责）
（二）加快农业绿色发展。开展农田节水建设和农业节水行动。推进秸秆综合利用和畜禽粪污资源化利用。推动大容量低污染煤电机组建设，开展新型储能技术研究。加快推进农村电网巩固提升工程和省级天然气管道建设。（省能源局负责）
（四）发展绿色金融。完善绿色金融项目库，发行绿色债券。
"""

REWRITING_CHILD = """某市实施方案
（一）推进工业绿色转型。推动钢铁行业绿色化改造。
（二）加快农业绿色发展。推进农田节水建设。
（三）推动能源体系绿色低碳转型。积极发展光伏发电和新能源，继续实施农村电网改造升级工程，加快天然气长输管道建设和煤电机组节能改造。
（四）发展绿色金融。发行绿色债券。
"""


@pytest.fixture
def rebuilt():
    doc = parse_text(SHUFFLED, "shuffled.txt")
    assert rebuild_document(doc) is not None
    return doc


def test_shuffled_text_with_repeats_reads_as_scrambled():
    evidence = scramble_evidence(parse_text(SHUFFLED))
    assert "measure numbers out of order" in evidence and any("repeated" in e for e in evidence)


def test_a_lost_heading_becomes_its_number_with_no_title(rebuilt):
    by = {m.index: m for m in rebuilt.measures}
    assert sorted(by) == [1, 2, 3]
    lost = by[2]
    assert lost.recovered and lost.title == "" and lost.number == "二"
    assert [s.text for s in lost.sentences] == [
        "开展农田节水建设和农业节水行动。",
        "推进秸秆综合利用和畜禽粪污资源化利用。",
    ]
    assert any(w.code == "lost_heading" and "（二）" in w.message for w in rebuilt.warnings)


def test_a_list_moves_with_the_measure_it_closes(rebuilt):
    by = {m.index: m for m in rebuilt.measures}
    assert len(by[1].agencies) == 1 and "工业和信息化" in by[1].agencies[0].raw
    assert by[2].agencies and "农业农村" in by[2].agencies[0].raw
    assert not any("农业农村" in a.raw for a in by[1].agencies)


def test_re_placed_sentences_keep_their_raw_span_and_are_reported(rebuilt):
    for m in rebuilt.measures:
        for s in m.sentences:
            assert SHUFFLED[s.span.start : s.span.end] == s.text
    moved = [w for w in rebuilt.warnings if w.code == "replaced_sentence"]
    assert moved and "（一） to （二）" in moved[0].message
    assert SHUFFLED[moved[0].span.start : moved[0].span.end].startswith("开展农田节水建设")


def test_a_repeated_sentence_is_kept_once(rebuilt):
    texts = [s.text for m in rebuilt.measures for s in m.sentences]
    assert texts.count("完善绿色金融项目库，发行绿色债券。") == 1


def test_a_clean_document_is_left_exactly_as_it_was():
    doc = parse_text(CLEAN, "clean.txt")
    before = document_record(doc)
    assert scramble_evidence(doc) == [] and rebuild_document(doc) is None
    assert document_record(doc) == before


def test_rebuilding_twice_changes_nothing(rebuilt):
    before = document_record(rebuilt)
    assert rebuild_document(rebuilt) is None and document_record(rebuilt) == before


def test_a_lost_measure_takes_its_topic_from_the_child_measure_at_its_number():
    alone = parse_text(LOST_REWRITTEN, "p.txt")
    rebuild_document(alone)
    assert {m.index: len(m.sentences) for m in alone.measures}[3] == 0  # nothing says what （三） is about
    doc = parse_text(LOST_REWRITTEN, "p.txt")
    rebuild_document(doc, [parse_text(REWRITING_CHILD, "child.txt")])
    by = {m.index: m for m in doc.measures}
    assert by[3].recovered and by[3].title == ""
    assert [s.text[:6] for s in by[3].sentences] == ["推动大容量低", "加快推进农村"]
    assert [a.name for a in by[3].agencies] == ["省能源局"]  # the list closes the measure it follows
    assert [s.text[:6] for s in by[2].sentences] == ["开展农田节水", "推进秸秆综合"]


def test_seed_jiangxi_scrape_is_rebuilt_in_the_corpus_with_its_children(corpus):
    parsed = [p for p in corpus if p.doc is not None]
    assert rebuild_corpus(corpus) == []  # process() did it, once
    doc = next(p.doc for p in corpus if p.entry.id == "jiangxi-2021-green-economy")
    assert [w.code for w in doc.warnings].count("rebuilt") == 1
    by = {m.index: m for m in doc.measures}
    assert sorted(by) == list(range(1, 22))  # every number of the sequence, the lost ones too
    assert {v for v, m in by.items() if m.recovered} == {9, 11, 12, 13, 14, 16, 17, 20}
    assert by[15].title == "加快科技成果转化"
    assert not any(a.name.endswith("司法厅") for a in by[15].agencies)  # the report named it lead here
    assert any(s.text.startswith("完善绿色项目库") for s in by[16].sentences)  # 大力发展绿色金融 is （十六）
    assert any(s.text.startswith("加强行政执法与刑事司法") for s in by[17].sentences)  # 强化法规制度保障 is （十七）
    # Shangrao rewrites the energy measure: its （十三） at the lost （十一） says what goes there
    assert any(s.text.startswith("推动瑞金二期") for s in by[11].sentences)
    assert any(s.text.startswith("加快推进省级天然气管道") for s in by[11].sentences)
    others = [p.doc for p in parsed if p.entry.id != "jiangxi-2021-green-economy"]
    assert all(not any(w.code == "rebuilt" for w in d.warnings) for d in others)


@needs_pdfs
def test_seed_jiangxi_scrape_placement_against_the_official_pdf():
    """Truth: each sentence of the scrape matched to its sentence in shared PDF 89."""
    from rapidfuzz import fuzz, process

    ref = parse_file(next(PDF.glob("89、*.pdf")))
    truth = {text_key(s.text): m.index for m in ref.measures for s in m.sentences}

    def placement(doc):
        ok = total = 0
        for m in doc.measures:
            for s in m.sentences:
                hit = process.extractOne(text_key(s.text), list(truth), scorer=fuzz.ratio, score_cutoff=90)
                if hit:
                    total += 1
                    ok += truth[hit[0]] == m.index
        return ok / total

    doc = parse_file(JIANGXI_2021)
    before = placement(doc)
    rebuild_document(doc, [parse_file(SHANGRAO)])
    after = placement(doc)
    print(f"\nseed 000 vs PDF 89: placement {before:.1%} before, {after:.1%} after the rebuild")
    assert before < 0.45 and after >= 0.93  # 39.8 % → 94.3 % when written


@needs_pdfs
def test_no_clean_shared_pdf_reads_as_scrambled():
    flagged = []
    for path in sorted(PDF.glob("*.pdf")):
        try:
            doc = parse_file(path)
        except Exception:
            continue
        if scramble_evidence(doc):
            flagged.append(path.name)
    assert flagged == []
