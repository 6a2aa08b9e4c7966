"""How much of a child measure is copied from the parent measure it is linked to.

Policy diffusion asks whether a province copies the national text or rewrites it. A
link's evidence pairs each child sentence with its best parent sentence; the sentences
at or above ``COPY`` are copies. The copy rate counts characters, so a copied long
sentence weighs more than a copied slogan, and it is measured on the child side: a
child that copies two national sentences and adds five of its own has rewritten most of
its measure.

>>> from kg.core.model import Evidence, Link, Sentence, Span
>>> own = [Sentence("推进工业绿色转型。", Span(0, 9)), Sentence("建设绿色工厂。", Span(9, 16))]
>>> parent = Sentence("推进工业绿色转型。", Span(40, 49))
>>> link = Link("c", "1", "p", "1", 0.8, "aligned", evidence=[Evidence(own[0], parent, 0.97)])
>>> copy_rate(link, own)
0.5625
"""

from __future__ import annotations

from typing import Optional

from kg.core.model import Link, Sentence

# Evidence similarity from which a child sentence counts as copied: the copy end of the
# sentence scorer's ramp (kg.align.measures) and the threshold of `kg gaps --summary`.
COPY = 0.85


def copy_rate(link: Link, sentences: list[Sentence], threshold: float = COPY) -> Optional[float]:
    """Share of the characters of the child measure's ``sentences`` in sentences the
    link's evidence matches at ``threshold`` or more; None when the link names no parent
    measure or the measure has no text."""
    total = sum(len(s.text) for s in sentences)
    if link.target_key is None or not total:
        return None
    copied = {ev.source.span for ev in link.evidence if ev.score >= threshold}
    return round(sum(len(s.text) for s in sentences if s.span in copied) / total, 4)
