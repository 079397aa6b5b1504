"""Query budgets pinned by the tests, shared where several tests pin the same page."""

# The record page: the data version (publications.pagecache; a repeat visit or a 304 costs that
# query alone), the record with its journal and, as JSON, keywords, subject areas, status
# history and links; its authors with persons and, as JSON, affiliations (2, for_detail); its
# fingerprint, its nearest fingerprints, the similar public publications among them (3). Without
# a fingerprint the last is not needed. Issue 8 asks for 6 at most, whatever the author count.
RECORD_PAGE_BUDGET = 6
