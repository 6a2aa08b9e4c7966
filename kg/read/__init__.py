"""Read a document file into raw text."""

from .text import CHINESE_ENCODINGS, decode, read_text

__all__ = ["CHINESE_ENCODINGS", "decode", "read_text"]
