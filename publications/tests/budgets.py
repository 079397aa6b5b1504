"""Query budgets pinned by the tests, shared where several tests pin the same page."""

# The record page: the record with journal, authors (and affiliations), keywords, subject areas,
# status history, links (7), its fingerprint, its nearest fingerprints, the similar public
# publications among them (3). Without a fingerprint the last is not needed.
RECORD_PAGE_BUDGET = 10
