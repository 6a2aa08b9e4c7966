"""Saved government web pages: the article body only, decoded by the page's charset."""

import pytest

from kg.core.errors import InputError
from kg.read import read_bytes

TITLE = "江西省人民政府关于加快建立健全绿色低碳循环发展经济体系的若干措施"
BODY = [
    "各市、县（区）人民政府，省政府各部门：",
    "为深入贯彻落实国务院关于加快建立健全绿色低碳循环发展经济体系的指导意见精神，现提出如下措施。",
    "一、健全绿色低碳循环发展的生产体系",
    "（一）推进工业绿色升级。加快实施钢铁、石化、化工、有色、建材、纺织、造纸、皮革等行业绿色化改造，推行产品绿色设计，建设绿色制造体系。（省工业和信息化厅牵头负责）",
    "（二）加快农业绿色发展。鼓励发展生态种植、生态养殖，加强绿色食品、有机农产品认证和管理，发展生态循环农业。（省农业农村厅牵头负责）",
    "（三）提高服务业绿色发展水平。促进商贸企业绿色升级，培育一批绿色流通主体。（省商务厅牵头负责）",
]
MENU = ["首页", "政务公开", "政策文件", "政务服务", "互动交流"]
FURNITURE = ["打印本页", "关闭窗口", "分享到：", "主办单位：江西省人民政府办公厅", "网站标识码"]


def page(charset: str = "utf-8", meta: str = '<meta charset="{}">') -> str:
    menu = "".join(f'<li><a href="/{i}">{m}</a></li>' for i, m in enumerate(MENU))
    body = "".join(f"<p>{p}</p>" for p in BODY)
    return f"""<!DOCTYPE html><html><head>{meta.format(charset)}<title>{TITLE}_政策文件_江西省人民政府</title></head>
<body><div class="header"><ul class="nav">{menu}</ul></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zc">政策文件</a></div>
<div class="article"><h1>{TITLE}</h1><div id="zoom" class="TRS_Editor">{body}</div></div>
<div class="share">分享到：<a href="#">微信</a><a href="#">微博</a> <a href="javascript:print()">打印本页</a>
<a href="javascript:close()">关闭窗口</a></div>
<div class="footer"><p>主办单位：江西省人民政府办公厅</p><p>网站标识码 3600000001</p></div></body></html>"""


def test_article_body_is_kept_without_menus_and_footers():
    s = read_bytes(page().encode(), "jx.html")
    assert s.format == "html" and s.pages == [0]
    for p in BODY:
        assert p in s.text.split("\n")
    for junk in MENU + FURNITURE:
        assert junk not in s.text.split("\n"), junk
    assert "打印本页" not in s.text and "主办单位" not in s.text


def test_page_title_comes_first():
    assert read_bytes(page().encode(), "jx.html").text.split("\n")[0].startswith(TITLE)


@pytest.mark.parametrize(
    "charset, meta",
    [
        ("gb2312", '<meta charset="{}">'),
        ("GBK", '<meta http-equiv="Content-Type" content="text/html; charset={}">'),
    ],
)
def test_declared_chinese_charset_is_used(charset, meta):
    s = read_bytes(page(charset, meta).encode("gb18030"), "jx.htm")
    assert BODY[3] in s.text and s.encoding == "gb18030"


def test_undeclared_gbk_page_is_decoded_by_guessing():
    s = read_bytes(page("", "").encode("gb18030"), "jx.html")
    assert BODY[3] in s.text


def test_page_without_article_text_is_one_line():
    empty = '<!DOCTYPE html><html><head><title>404</title></head><body><div class="nav"></div></body></html>'
    with pytest.raises(InputError, match=r"^gone\.html: no article text found in the web page$"):
        read_bytes(empty.encode(), "gone.html")


def test_line_breaks_inside_a_paragraph_become_lines():
    html = page().replace("".join(f"<p>{p}</p>" for p in BODY), "<p>" + "<br>".join(BODY) + "</p>")
    lines = read_bytes(html.encode(), "br.html").text.split("\n")
    assert all(p in lines for p in BODY)


def test_a_responsibility_table_keeps_one_row_per_line_with_tab_separated_cells():
    table = (
        "<table><tr><td>重点任务</td><td>牵头单位</td><td>完成时限</td></tr>"
        "<tr><td>推进工业绿色升级</td><td>省工业和信息化厅</td><td>2025年</td></tr></table>"
    )
    html = page().replace(f"<p>{BODY[-1]}</p>", f"<p>{BODY[-1]}</p>{table}")
    lines = read_bytes(html.encode(), "table.html").text.split("\n")
    assert "重点任务\t牵头单位\t完成时限" in lines and "推进工业绿色升级\t省工业和信息化厅\t2025年" in lines


def test_page_title_without_the_site_name_is_put_first_when_the_body_lacks_it():
    html = page().replace(f"<h1>{TITLE}</h1>", "")
    assert read_bytes(html.encode(), "jx.html").text.split("\n")[0] == TITLE
