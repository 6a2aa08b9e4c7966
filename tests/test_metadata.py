from kg.extract.parse import parse_text


def test_title_broken_over_several_lines_and_doc_number():
    doc = parse_text(
        " 吉林省人民政府关于加快\n建立健全绿色低碳循环发展\n经济体系的实施意见\n吉政发〔2021〕18号\n各市人民政府：\n\n一、总体要求\n（一）指导思想。坚持。\n"
    )
    assert doc.title == "吉林省人民政府关于加快建立健全绿色低碳循环发展经济体系的实施意见"
    assert doc.doc_number == "吉政发〔2021〕18号"
    assert doc.issuers == ["吉林省人民政府"]


def test_issuer_block_of_a_joint_document():
    doc = parse_text(
        "江西省生态环境厅\n江西省能源局\n\n赣环气候字〔2022〕6号\n\n关于印发《江西省减污降碳协同增效\n实施方案》的通知\n\n各设区市：\n\n2022年9月29日\n\n一、面临形势\n\n（一）指导思想\n\n坚持。\n"
    )
    assert doc.issuers == ["江西省生态环境厅", "江西省能源局"]
    assert doc.title == "关于印发《江西省减污降碳协同增效实施方案》的通知"
    assert doc.issued == "2022-09-29"


def test_cited_documents_with_their_numbers():
    doc = parse_text(
        "某市人民政府印发关于测试的实施方案的通知\n为贯彻落实《国务院关于加快建立健全绿色低碳循环发展经济体系的指导意见》（国发〔2021〕4号），制定本方案。\n一、总体\n（一）甲。乙。\n"
    )
    assert [(c.title, c.doc_number) for c in doc.citations] == [
        ("国务院关于加快建立健全绿色低碳循环发展经济体系的指导意见", "国发〔2021〕4号")
    ]


def test_publication_date_label_of_a_web_page():
    doc = parse_text(
        "江西省人民政府印发关于测试的若干措施的通知发布日期:2021-07-08各设区市人民政府：\n一、总体\n（一）甲。乙。\n"
    )
    assert doc.issued == "2021-07-08"
    assert doc.title == "江西省人民政府印发关于测试的若干措施的通知"


def test_title_from_a_news_style_introduction():
    doc = parse_text(
        "近日,中共江西省委办公厅、江西省人民政府办公厅印发了《江西省行动计划(2024-2026年)》,要求认真落实。\n一、行动\n(一)甲。乙。\n"
    )
    assert doc.title == "江西省行动计划（2024-2026年）"
    assert doc.issuers == ["中共江西省委办公厅", "江西省人民政府办公厅"]
