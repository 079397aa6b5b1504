"""How well fingerprints find what authors say their work is about: for every publication with
keywords, its fingerprint is computed from its title and abstract alone (document frequencies
from the titles and abstracts of the whole set), and the share of its keywords found among the
top 10 concepts is counted (recall@10; a keyword is found when it equals a concept or one
contains the other as whole words, see extract.recall_at_k)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from publications.fingerprints.compute import weigh
from publications.fingerprints.extract import extract, recall_at_k

K = 10


@dataclass(frozen=True)
class Evaluation:
    records: int  # evaluated: the ones with keywords
    found: int
    keywords: int
    exact_found: int

    @property
    def recall(self) -> float:
        return self.found / self.keywords if self.keywords else 0.0

    @property
    def exact_recall(self) -> float:
        return self.exact_found / self.keywords if self.keywords else 0.0


def evaluate(texts: Iterable[tuple[str, str, list[str]]]) -> Evaluation:
    """texts: (title, abstract, keywords) of every record of the set."""
    rows = [
        (title, abstract, keywords, extract(title, abstract)) for title, abstract, keywords in texts
    ]
    df = Counter(term.key for *_, terms in rows for term in terms)
    total = len(rows)
    records = found = keywords_total = exact = 0
    for _, _, keywords, terms in rows:
        if not keywords:
            continue
        top = [key for key, _ in weigh(terms, df.__getitem__, total)[:K]]
        hit, count = recall_at_k(top, keywords, K)
        exact_hit, _ = recall_at_k(top, keywords, K, rule="exact")
        records += 1
        found += hit
        exact += exact_hit
        keywords_total += count
    return Evaluation(records, found, keywords_total, exact)
