import codecs

import pytest

from kg.errors import InputError
from kg.read import decode, read_text

TEXT = "上饶市人民政府印发关于加快建立健全绿色低碳循环发展经济体系的实施方案的通知\n（一）推进工业绿色转型。"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be"])
def test_every_encoding_users_bring_decodes_to_the_same_text(encoding):
    text, _ = decode(TEXT.encode(encoding), "f.txt")
    assert text == TEXT


def test_gb18030_is_reported_as_such():
    assert decode(TEXT.encode("gb18030"), "f.txt")[1] == "gb18030"


def test_empty_file_is_a_clear_error(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"  \n")
    with pytest.raises(InputError, match=r"empty\.txt: empty file"):
        read_text(p)


def test_binary_file_is_a_clear_error(tmp_path):
    p = tmp_path / "image.txt"
    p.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(InputError, match=r"image\.txt: binary file"):
        read_text(p)


def test_undecodable_bytes_are_a_clear_error():
    with pytest.raises(InputError, match="undecodable bytes"):
        decode(b"\x81\x30\xff\xff" * 50, "bad.txt")


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(InputError, match="nope.txt: file not found"):
        read_text(tmp_path / "nope.txt")


def test_bom_is_not_part_of_the_text():
    text, enc = decode(codecs.BOM_UTF8 + TEXT.encode(), "f.txt")
    assert text == TEXT and enc == "utf-8"
