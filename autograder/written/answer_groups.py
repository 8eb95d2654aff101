"""Written answers of a whole class to one question, grouped by similarity, so that a grader reads one group at
a time and can give a group one score and one comment (the answers page, instructor_server.py).

Why our own and not a library: the answers are a few sentences each and a class is a few hundred, so the Jaccard
similarity of their content words, grouped greedily around each group's first answer, is enough, instant and has
no dependency; it only orders the grader's reading and changes no score by itself.
"""

from __future__ import annotations

import re
from collections.abc import Hashable

_STOP = set(
    "a an and are as at be because but by for from has have in is it its of on or so that the this to was we "
    "were which with not no than then there their they them these those into also can only more one two".split()
)
BLANK = {"", "youranswerhere"}  # nbgrader's text stub, and nothing


def words(text: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def is_blank(text: str) -> bool:
    return re.sub(r"[^a-z]", "", text.lower()) in BLANK


def group(answers: dict[Hashable, str], threshold: float = 0.45) -> list[list[Hashable]]:
    """Groups of keys, the largest first; blank answers form their own group; within a group, input order."""
    blank = [k for k, text in answers.items() if is_blank(text)]
    groups: list[tuple[frozenset[str], list[Hashable]]] = []
    for key, text in answers.items():
        if key in blank:
            continue
        mine = words(text)
        best, score = None, threshold
        for g in groups:
            s = similarity(mine, g[0])
            if s >= score:
                best, score = g, s
        if best is None:
            groups.append((mine, [key]))
        else:
            best[1].append(key)
    ordered = sorted((members for _, members in groups), key=len, reverse=True)
    return ordered + ([blank] if blank else [])
