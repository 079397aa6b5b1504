"""OAI-PMH 2.0 at /oai: the six verbs by GET and POST, `oai_dc`, `oai_openaire` (OpenAIRE
Guidelines for Literature Repositories v4) and `mods` (MODS 3.4), sets by output type, ASJC
subject and organisation, stateless keyset resumption tokens and persistent deleted records.

- protocol.py: the arguments each verb takes, their syntax, dates and identifiers, the errors.
- tokens.py: resumption tokens (everything a harvest needs to go on, in the token itself).
- sets.py: the set scheme, selection by set, ListSets.
- harvest.py: the queries: a page of headers by keyset, the values a page's records need.
- formats.py and xml.py: the metadata formats and the XML, written as strings.
- views.py and urls.py: the endpoint.

Only Validated + Public records are disseminated; a record that leaves public view is reported
as deleted from then on (the tombstones of migration 0012)."""
