"""Word files: paragraphs and table rows in body order; one-line errors."""

import io

import pytest

from kg.core.errors import InputError
from kg.read import read_bytes


def make_docx(build) -> bytes:
    import docx

    d = docx.Document()
    build(d)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _plan(d):
    d.add_paragraph("上饶市碳达峰实施方案")
    d.add_paragraph("（一）推进工业绿色转型。")
    t = d.add_table(rows=2, cols=3)
    for cell, text in zip(t.rows[0].cells, ["重点任务", "牵头单位", "完成时限"]):
        cell.text = text
    for cell, text in zip(t.rows[1].cells, ["推进工业绿色转型", "市工信局", "2025年"]):
        cell.text = text
    d.add_paragraph("（二）加快农业绿色发展。")


def test_paragraphs_and_table_rows_keep_body_order():
    s = read_bytes(make_docx(_plan), "plan.docx")
    assert s.format == "docx" and s.pages == [0] and s.encoding == "utf-8"
    assert s.text.split("\n") == [
        "上饶市碳达峰实施方案",
        "（一）推进工业绿色转型。",
        "重点任务\t牵头单位\t完成时限",
        "推进工业绿色转型\t市工信局\t2025年",
        "（二）加快农业绿色发展。",
    ]


def test_a_merged_cell_is_read_once():
    def build(d):
        t = d.add_table(rows=1, cols=3)
        t.cell(0, 0).merge(t.cell(0, 1)).text = "推进工业绿色转型"
        t.cell(0, 2).text = "市工信局"

    assert read_bytes(make_docx(build), "m.docx").text == "推进工业绿色转型\t市工信局"


def test_paragraphs_inside_a_cell_stay_on_the_row_line():
    def build(d):
        cell = d.add_table(rows=1, cols=2).cell(0, 1)
        cell.text = "市发改委"
        cell.add_paragraph("市工信局")
        d.tables[0].cell(0, 0).text = "任务"

    assert read_bytes(make_docx(build), "c.docx").text == "任务\t市发改委 市工信局"


def test_docx_named_doc_is_read_by_content():
    assert read_bytes(make_docx(_plan), "plan.doc").format == "docx"


def test_corrupt_docx_is_one_line():
    data = make_docx(_plan)
    with pytest.raises(InputError, match=r"^bad\.docx: corrupt DOCX \(") as e:
        read_bytes(data[: len(data) // 2], "bad.docx")
    assert "\n" not in str(e.value)


def test_docx_without_text_is_one_line():
    with pytest.raises(InputError, match=r"^blank\.docx: no text in the document body \(empty DOCX\)$"):
        read_bytes(make_docx(lambda d: None), "blank.docx")


def test_encrypted_docx_is_one_line(tmp_path):
    msoffcrypto = pytest.importorskip("msoffcrypto", reason="msoffcrypto-tool (test extra) encrypts the fixture")
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(make_docx(_plan))).encrypt("secret", out)
    with pytest.raises(InputError) as e:
        read_bytes(out.getvalue(), "locked.docx")
    assert str(e.value) == "locked.docx: encrypted Office file: a password is needed"
    assert msoffcrypto


def test_docx_with_broken_xml_is_one_line():
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(make_docx(_plan)))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            out.writestr(item, data[: len(data) // 2] if item.filename == "word/document.xml" else data)
    with pytest.raises(InputError, match=r"^broken\.docx: corrupt DOCX \(") as e:
        read_bytes(buf.getvalue(), "broken.docx")
    assert "\n" not in str(e.value)


LISTS = """<w:abstractNum xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:abstractNumId="90">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
</w:abstractNum>"""
NUM = """<w:num xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:numId="90">
  <w:abstractNumId w:val="90"/></w:num>"""


def _numbered(d, items):
    from docx.oxml import parse_xml

    numbering = d.part.numbering_part.element
    numbering.insert(0, parse_xml(LISTS))
    numbering.append(parse_xml(NUM))
    for level, text in items:
        p = d.add_paragraph(text)
        p._p.get_or_add_pPr().append(
            parse_xml(
                '<w:numPr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                f'<w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'
            )
        )


def test_word_list_numbers_are_put_in_front_of_their_paragraphs():
    items = [
        (0, "总体要求"),
        (1, "推进工业绿色转型。"),
        (2, "加快绿色工厂建设。"),
        (2, "推进节能。"),
        (1, "加快农业绿色发展。"),
        (0, "保障措施"),
        (1, "加强组织领导。"),
    ]
    s = read_bytes(make_docx(lambda d: _numbered(d, items)), "auto.docx")
    assert s.text.split("\n") == [
        "一、总体要求",
        "（一）推进工业绿色转型。",
        "1.加快绿色工厂建设。",
        "2.推进节能。",
        "（二）加快农业绿色发展。",
        "二、保障措施",
        "（一）加强组织领导。",
    ]


def test_a_docx_numbered_by_word_parses_into_measures(tmp_path):
    from kg.extract.parse import parse_file

    items = [
        (0, "健全生产体系"),
        (1, "推进工业绿色转型。到2025年全市绿色工厂总数达到20家。（市工信局负责）"),
        (1, "加快农业绿色发展。推进农业节水。（市农业农村局负责）"),
    ]
    p = tmp_path / "plan.docx"
    p.write_bytes(
        make_docx(lambda d: (d.add_paragraph("上饶市人民政府印发关于测试的实施方案的通知"), _numbered(d, items)))
    )
    doc = parse_file(p)
    assert doc.format == "docx" and [m.title for m in doc.measures] == ["推进工业绿色转型", "加快农业绿色发展"]
