"""Near-duplicate complaint texts, pure: character bigram sets (most Chinese words are
two characters) compared by Jaccard similarity, on the search form (Simplified,
case-folded) without punctuation, so script and punctuation do not matter."""

import re

GROUP_SIMILARITY = 0.5
GROUP_WINDOW_DAYS = 7
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def shingles(search_text: str, n: int = 2) -> frozenset[str]:
    text = _NOISE.sub("", search_text)
    if len(text) <= n:
        return frozenset([text]) if text else frozenset()
    return frozenset(text[i : i + n] for i in range(len(text) - n + 1))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def most_similar(
    text: frozenset[str], others: list[tuple[int, frozenset[str]]]
) -> tuple[int | None, float]:
    """The id of the most similar of `others` and its similarity."""
    best, score = None, 0.0
    for key, shingle_set in others:
        s = similarity(text, shingle_set)
        if s > score:
            best, score = key, s
    return best, score
