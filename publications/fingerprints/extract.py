"""Research concepts of one publication, from its title, abstract and keywords: pure Python, no
database, no model to download.

    extract(title, abstract, keywords)  -> [Term(key, label, count), ...] sorted by key
    normalise("Interleukin-2")         -> "interleukin 2" (the key of any phrase)
    recall_at_k(top_keys, keywords)    -> (found, total), to measure extraction against keywords

Candidates. The text (tags stripped, entities unescaped, Unicode NFKC; an abstract also loses
its structured headings, "METHODS:") is cut into chunks at punctuation, at stopwords
(vocabulary.STOPWORDS) and at numbers, except that a number of one or two digits stays in a
chunk right after a word ("interleukin 2", "type 2 diabetes"). Every run of 1 to MAX_WORDS words
of a chunk is a candidate if it does not start with a number and has a word that is not generic
(vocabulary.GENERIC: "study", "patients"), a number or a single letter: "cohort study" and
"T cell" are concepts, "study", "T" and "2" never are. A hyphenated word ("brain-derived") is one
word here. A candidate of two words or more that is always followed by the same word is a
modifier, not a concept ("acquired immune deficiency" of "... syndrome"); one always preceded by
the same word is kept ("bladder cancer" in "muscle-invasive bladder cancer"), since English
phrases end in their head. An acronym defined in brackets, "brain-derived neurotrophic factor
(BDNF)", is matched to its long form as Schwartz and Hearst (2003) do; its occurrences also
count for the long form, which is then always a concept. Each keyword is read like a title and
is also a candidate whole, even when longer or with stopwords ("Quality of Life"), unless none of
its words could be a concept.

Keys. NFKC, case-folded, accents removed, possessive 's dropped; hyphens, slashes and other
punctuation between word parts become spaces; each word is stemmed with the Snowball English
stemmer, so "T-cells", "T cell" and "t cells" share the key "t cell". A word of two or more
letters all in capitals (HIV, AIDS, CD4) is an acronym: it is lower-cased but not stemmed, so
"AIDS" does not become "aid", and a plural "s" after capitals is dropped ("MRIs"). A text with no
lower-case letter, of three words or with a word of six letters, is read as lower case (a
shouting title is not a row of acronyms).

Counts and labels. An occurrence counts TITLE_WEIGHT in the title, KEYWORD_WEIGHT in a keyword and
ABSTRACT_WEIGHT in the abstract. A term's label is its most frequent form (weighted the same way;
ties go to the first seen), in Title Case except for words that carry capitals after their first
letter or are all capitals, which keep theirs ("Interleukin-2", "HIV", "CD4+ T Cells", "pH").
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Snowball's English stemmer, compiled (PyStemmer): 18 times faster than the pure-Python
# snowballstemmer and, as test_fingerprint_extract checks, the same stems.
import Stemmer

from publications.fingerprints.vocabulary import GENERIC, STOPWORDS

TITLE_WEIGHT = 3.0
KEYWORD_WEIGHT = 3.0
ABSTRACT_WEIGHT = 1.0
MAX_WORDS = 4


@dataclass(frozen=True)
class Term:
    key: str  # the normalised concept: "interleukin 2", "t cell", "hiv"
    label: str  # how to show it: "Interleukin-2", "T Cells", "HIV"
    count: float  # weighted occurrences in this text


# A word: letters and digits, with inner hyphens or apostrophes ("IL-2", "Crohn's") and trailing
# plus signs ("CD4+"); or else any single other non-space character, which ends a chunk.
_TOKEN = re.compile(r"[^\W_]+(?:[-\u2010\u2011\u2012\u2013'\u2019][^\W_]+)*\+*|[^\w\s]")
_HYPHENS = re.compile(r"([-\u2010\u2011\u2012\u2013])")
_POSSESSIVE = re.compile(r"['\u2019]s$", re.IGNORECASE)
_PART = re.compile(r"[^\W_]+")
_ACRONYM = re.compile(r"(?=(?:\w*[A-Z]){2})[A-Za-z][\w+-]{1,9}")
_LONG_WORD = re.compile(r"[^\W\d_]{6}")
# Inline markup joins what it wraps ("CD4<sup>+</sup>", "H<sub>2</sub>O"); other tags (p, br,
# li, div…) end a chunk, since a paragraph or a heading ends a phrase. Only names after "<" count
# as tags, so "p < 0.05" in a plain-text abstract stays text.
_INLINE_TAG = re.compile(r"</?(?:a|b|em|font|i|small|span|strong|sub|sup|sc|u)(?:\s[^<>]*)?>", re.I)
_TAG = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>")
_HEADING_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ&/ -"

# What a token is, for chunking.
_CONTENT, _GENERIC, _LETTER, _NUMBER, _STOP = range(5)
_STEMMER = Stemmer.Stemmer("english")
# A word is generic as written or by its stem ("analyses"); hyphenated entries only as written.
_GENERIC_KEYS = frozenset(_STEMMER.stemWord(word) for word in GENERIC if "-" not in word)
# Token -> (kind, key, label). Words recur across a collection, and stemming is the slow part.
_TOKENS: dict[str, tuple[int, str, str]] = {}
_STEMS: dict[str, str] = {}  # case-folded word -> stem
_PIECES: dict[str, tuple[tuple[int, str, str], ...]] = {}  # see _words()
_CACHE_SIZE = 200_000  # entries of each cache; a full cache is emptied


def normalise(phrase: str) -> str:
    """The key of a phrase: its words case-folded, accent-free and stemmed, joined by spaces
    ("Interleukin-2" -> "interleukin 2", "Crohn's disease" -> "crohn diseas")."""
    return _key(_words(_unshout(unicodedata.normalize("NFKC", phrase))))


def extract(title: str, abstract: str, keywords: Iterable[str] = ()) -> list[Term]:
    """The candidate concepts of one publication with their weighted counts, sorted by key."""
    forms: dict[str, dict[str, float]] = {}
    within: dict[str, set[str]] = {}
    definitions: list[tuple[list, str]] = []
    title_words = _words(_plain(title or ""))
    _count(forms, within, _chunks(title_words, definitions), TITLE_WEIGHT)
    abstract_words = _words(_without_headings(_plain(abstract or "")))
    _count(forms, within, _chunks(abstract_words, definitions), ABSTRACT_WEIGHT)
    seen: set[str] = set()
    for keyword in keywords:
        words = _words(_plain(keyword))
        whole = _key(words)
        if not whole or whole in seen:
            continue
        seen.add(whole)
        found: set[str] = set()
        _count(forms, within, _chunks(words), KEYWORD_WEIGHT, found)
        if found and whole not in found:
            label = _label(keyword)
            labels = forms.setdefault(whole, {})
            labels[label] = labels.get(label, 0.0) + KEYWORD_WEIGHT
    counts = {key: sum(labels.values()) for key, labels in forms.items()}
    # An acronym defined in the text ("brain-derived neurotrophic factor (BDNF)") also counts
    # for its long form, which is a concept even where it is never seen alone; the acronym
    # stays a term of its own as well.
    expanded: dict[str, str] = {}
    for chunk, acronym in definitions:
        short, long = _token(acronym)[1], _long_form(chunk, acronym)
        if long in counts and short in counts and short != long:
            expanded.setdefault(short, long)
    # A candidate of several words always followed by the same word is a modifier of the
    # longer phrase, not a concept ("brain-derived neurotrophic", "acquired immune deficiency").
    kept = dict(counts)
    for key, longer in within.items():
        count = counts[key]
        if any(counts[other] == count for other in longer):
            del kept[key]
    for short, long in expanded.items():
        kept[long] = kept.get(long, counts[long]) + counts[short]
    terms = []
    for key in sorted(kept):
        labels = forms[key]
        # The most frequent label; ties go to the first seen (dicts keep insertion order).
        label = next(iter(labels)) if len(labels) == 1 else max(labels, key=labels.__getitem__)
        terms.append(Term(key, label, kept[key]))
    return terms


def recall_at_k(
    predicted_keys: Sequence[str],
    author_keywords: Iterable[str],
    k: int = 10,
    *,
    rule: str = "containment",
) -> tuple[int, int]:
    """How many of the author keywords (distinct keys) the top k predicted keys find: (found,
    total). With rule="containment" a keyword is found when its key equals a predicted key or
    one of the two contains the other as whole words ("hiv" finds and is found by
    "hiv infect"); with rule="exact" only an equal key finds it."""
    if rule not in ("containment", "exact"):
        raise ValueError(f"Unknown rule {rule!r}: use 'containment' or 'exact'.")
    top = list(dict.fromkeys(predicted_keys))[:k]
    gold = [key for key in dict.fromkeys(normalise(word) for word in author_keywords) if key]
    padded = [f" {key} " for key in top]
    found = 0
    for key in gold:
        if key in top:
            found += 1
        elif rule == "containment":
            wrapped = f" {key} "
            if any(wrapped in other or other in wrapped for other in padded):
                found += 1
    return found, len(gold)


def _words(text: str) -> list[tuple[int, str, str]]:
    """The (kind, key, label) of each token of a text, remembered by whitespace-separated
    piece: pieces ("cells,", "(BDNF)") recur far more than texts do."""
    words: list[tuple[int, str, str]] = []
    pieces = _PIECES
    for piece in text.split():
        found = pieces.get(piece)
        if found is None:
            if len(pieces) >= _CACHE_SIZE:
                pieces.clear()
            found = pieces[piece] = tuple(_token(token) for token in _TOKEN.findall(piece))
        words += found
    return words


def _key(words: list[tuple[int, str, str]]) -> str:
    return " ".join(key for _, key, _ in words if key)


def _plain(text: str) -> str:
    """Text without tags and entities, NFKC-normalised, read as lower case if it shouts."""
    if "<" in text:
        text = _TAG.sub(" | ", _INLINE_TAG.sub("", text))
    if "&" in text:
        text = html.unescape(text)
    return _unshout(unicodedata.normalize("NFKC", text))


def _without_headings(text: str) -> str:
    """The text without the headings of a structured abstract: capitals before a colon that
    open the text, a paragraph or a sentence ("METHODS:", "MATERIALS AND METHODS:"). Not
    applied to titles, where such a word is a topic ("HIV: a review")."""
    if ":" not in text:
        return text
    parts = text.split(":")
    for n, part in enumerate(parts[:-1]):
        before = part.rstrip(_HEADING_CHARS)
        heading = part[len(before) :].strip()
        opens = not before.strip() or before.rstrip()[-1] in ".!?|"
        if opens and len(heading) >= 2 and heading[0].isalpha() and heading[-1].isalpha():
            parts[n] = before + " |"
        else:
            parts[n] = part + ":"
    return "".join(parts)


def _unshout(text: str) -> str:
    # No lower-case letter, and three words or a word of six letters: a title typed in
    # capitals, not a row of acronyms ("HIV AIDS" stays as it is).
    if text.upper() == text and (len(text.split()) >= 3 or _LONG_WORD.search(text)):
        return text.lower()
    return text


def _chunks(
    words: list[tuple[int, str, str]], definitions: list[tuple[list, str]] | None = None
) -> list[list[tuple[int, str, str]]]:
    """The runs of words between stopwords, punctuation and numbers; each run followed by an
    acronym in brackets goes with that acronym into definitions."""
    chunks = []
    chunk: list[tuple[int, str, str]] = []
    for n, word in enumerate(words):
        kind = word[0]
        # A number stays only right after a word: "interleukin 2", not "in 2 groups".
        if kind == _STOP or (kind == _NUMBER and (not chunk or chunk[-1][0] == _NUMBER)):
            if chunk:
                # A stopword's or a punctuation mark's label is the token as written.
                if (
                    word[2] == "("
                    and definitions is not None
                    and n + 2 < len(words)
                    and words[n + 2][2] == ")"
                    and _ACRONYM.fullmatch(words[n + 1][2])
                ):
                    definitions.append((chunk, words[n + 1][2]))
                chunks.append(chunk)
                chunk = []
        else:
            chunk.append(word)
    if chunk:
        chunks.append(chunk)
    return chunks


def _long_form(chunk: list[tuple[int, str, str]], acronym: str) -> str | None:
    """The key of the words at the end of chunk that acronym abbreviates, found as Schwartz and
    Hearst (2003) do: the acronym's letters, read from its end, are found in that order in the
    words read from their end, and its first letter starts a word."""
    letters = [char for char in acronym.lower().rstrip("s+") if char.isalnum()]
    tail = chunk[-MAX_WORDS:]
    text = " ".join(label for _, _, label in tail).lower()
    at = len(text) - 1
    for n in range(len(letters) - 1, -1, -1):
        while at >= 0 and (
            text[at] != letters[n] or (n == 0 and at > 0 and text[at - 1].isalnum())
        ):
            at -= 1
        if at < 0:
            return None
        at -= 1
    words = tail[text.count(" ", 0, at + 1) :]
    if words[0][0] == _NUMBER or all(kind != _CONTENT for kind, _, _ in words):
        return None
    return " ".join(key for _, key, _ in words)


def _count(
    forms: dict[str, dict[str, float]],
    within: dict[str, set[str]],
    chunks: list[list[tuple[int, str, str]]],
    weight: float,
    added: set[str] | None = None,
) -> None:
    """Adds each candidate of the chunks to forms (key -> label -> weight), and to added if
    given; files each candidate in within under the candidate of two or more words it extends
    by one word on the right. Labels are made of the words' own labels, so "Cytokines" and
    "cytokines" count as one."""
    for chunk in chunks:
        for start in range(len(chunk)):
            if chunk[start][0] == _NUMBER:
                continue
            kind, key, label = chunk[start]
            concept = kind == _CONTENT
            shorter = None  # the candidate one word shorter, once it has two words or more
            for size, (kind, word_key, word_label) in enumerate(chunk[start : start + MAX_WORDS]):
                if size:
                    shorter = key if concept and size > 1 else None
                    concept = concept or kind == _CONTENT
                    key = f"{key} {word_key}"
                    label = f"{label} {word_label}"
                if not concept:
                    continue
                labels = forms.get(key)
                if labels is None:
                    forms[key] = {label: weight}
                else:
                    labels[label] = labels.get(label, 0.0) + weight
                if added is not None:
                    added.add(key)
                if shorter:
                    within.setdefault(shorter, set()).add(key)


def _token(token: str) -> tuple[int, str, str]:
    """The kind, key and label of one token, remembered."""
    found = _TOKENS.get(token)
    if found is not None:
        return found
    if len(_TOKENS) >= _CACHE_SIZE:
        _TOKENS.clear()
    found = _TOKENS[token] = _classify(token)
    return found


def _classify(token: str) -> tuple[int, str, str]:
    kind, key = _kind_and_key(token)
    return kind, key, _label_word(token) if kind != _STOP else token


def _kind_and_key(token: str) -> tuple[int, str]:
    if not token[0].isalnum():
        return _STOP, ""
    word = _POSSESSIVE.sub("", token.rstrip("+")).replace("'", "").replace("\u2019", "")
    folded = _fold(word)
    parts = _PART.findall(word)
    key = " ".join(_part_key(part) for part in parts)
    if folded in STOPWORDS or not parts:
        return _STOP, key
    if all(part.isdigit() for part in parts):
        small = len(parts) == 1 and len(word) <= 2
        return (_NUMBER if small else _STOP), key
    if len(word) == 1:
        # A lone capital belongs to a concept ("T cell", "vitamin D"); a lone small letter is a
        # variable, a list marker or a bit of "e.g.".
        return (_LETTER if word.isupper() else _STOP), key
    if folded in GENERIC or (len(parts) == 1 and key in _GENERIC_KEYS):
        return _GENERIC, key
    return _CONTENT, key


def _part_key(part: str) -> str:
    folded = _fold(part)
    if len(part) >= 2 and part.isupper():
        return folded
    if len(part) >= 3 and part[-1] == "s" and part[:-1].isupper():
        return folded[:-1]
    stem = _STEMS.get(folded)
    if stem is None:
        if len(_STEMS) >= _CACHE_SIZE:
            _STEMS.clear()
        stem = _STEMS[folded] = _STEMMER.stemWord(folded)
    return stem


def _fold(text: str) -> str:
    text = text.casefold()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _label(phrase: str) -> str:
    """A whole keyword in Title Case, its inner stopwords as written ("Quality of Life")."""
    words = phrase.split()
    return " ".join(
        word if n and _fold(word) in STOPWORDS else _label_word(word)
        for n, word in enumerate(words)
    )


def _label_word(word: str) -> str:
    """Title Case, except parts with capitals after their first letter ("pH", "mRNA", "IL")."""
    parts = _HYPHENS.split(word)
    for n, part in enumerate(parts):
        if part[1:].lower() == part[1:] and not (len(part) >= 2 and part.isupper()):
            parts[n] = part[:1].upper() + part[1:]
    return "".join(parts)
