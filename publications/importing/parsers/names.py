"""Persons and groups as the sources write them, in the portal's parts: family name without
its particle, given name, initials ("G.A."), particle ("van der"), or a literal group name."""

from __future__ import annotations

import re
from collections.abc import Iterable

from publications.importing.records import ImportedName

from .common import clean, normalise_orcid

# Particles that a source may leave at the end of a given name ("Elias Silva de" Medeiros).
PARTICLES = {
    "da", "das", "de", "degli", "dei", "del", "della", "den", "der", "des", "di", "do", "dos",
    "du", "la", "le", "ten", "ter", "van", "von", "zu", "zum", "zur",
}  # fmt: skip
# Words that make an uninverted name an organisation rather than a person.
GROUP_WORDS = re.compile(
    r"\b(group|consortium|collaborat\w*|committee|society|institut\w*|universit\w*|"
    r"association|network|team|council|agency|foundation|cent(?:er|re)|department|ministry|"
    r"study|investigators|trial|project|programme|program|working|board|commission|"
    r"federation|office|service|organi[sz]ation|alliance|initiative|registry|inc|ltd|gmbh)\b",
    re.I,
)
WORD = re.compile(r"[^\s.]+")


def person(
    family: object,
    given: object = "",
    *,
    initials: object = "",
    particle: object = "",
    orcid: object = "",
    affiliations: Iterable[object] = (),
    role: str = "author",
) -> ImportedName:
    """A person from the parts a source gives. The particle is taken from the lower-case
    leading words of the family name when the source has no particle of its own."""
    family_text, given_text, particle_text = clean(family), clean(given), clean(particle)
    if not particle_text:
        particle_text, family_text = split_particle(family_text)
    given_text, trailing = _trailing_particle(given_text)
    particle_text = " ".join(part for part in (trailing, particle_text) if part)
    if not family_text and given_text:
        family_text, given_text = given_text, ""
    if is_initials_only(given_text):
        initials_text, given_text = initials_of(given_text), ""
    elif given_text:
        initials_text = initials_of(given_text)
    else:
        initials_text = initials_of(clean(initials))
    return ImportedName(
        family=family_text,
        given=given_text,
        particle=particle_text,
        initials=initials_text,
        orcid=normalise_orcid(orcid),
        affiliations=_affiliations(affiliations),
        role=role,
    )


def group(
    name: object, *, affiliations: Iterable[object] = (), role: str = "author"
) -> ImportedName:
    """A group or corporate author, by its name as printed."""
    return ImportedName(literal=clean(name), affiliations=_affiliations(affiliations), role=role)


def from_string(text: object, *, role: str = "author") -> ImportedName | None:
    """A name written as one string: 'Family, Given', 'Family, G.A.', 'Family,G.',
    'Family G' (Scopus and PubMed), 'Given Family', or an organisation's name."""
    value = clean(text)
    if not value:
        return None
    if "," in value:
        parts = [part.strip() for part in value.split(",")]
        # "Family, Given, Suffix" (RIS) or "Family, Suffix, Given" (BibTeX order) both end up
        # with the given name; suffixes have no place in ImportedName.
        given = next((part for part in parts[1:] if part and not _is_suffix(part)), "")
        return person(parts[0], given, role=role)
    words = value.split()
    if len(words) > 1 and _is_compact_initials(words[-1]):
        return person(" ".join(words[:-1]), words[-1], role=role)
    if len(words) == 1:
        return person(value, role=role)
    if GROUP_WORDS.search(value):
        return group(value, role=role)
    return person(words[-1], " ".join(words[:-1]), role=role)


def split_particle(family: str) -> tuple[str, str]:
    """'van der Zee' -> ('van der', 'Zee'); 'De Luca' and 'Mendes de Leon' keep theirs."""
    words = family.split()
    count = 0
    while count < len(words) - 1 and _is_particle_word(words[count]):
        count += 1
    return " ".join(words[:count]), " ".join(words[count:])


def _is_particle_word(word: str) -> bool:
    # "d'" and "dell'" are written joined to the name; a lower-case word alone is a particle.
    return word.islower() and word.replace("'", "").replace("’", "").isalpha()


def _trailing_particle(given: str) -> tuple[str, str]:
    words = given.split()
    count = 0
    while count < len(words) - 1 and words[-1 - count] in PARTICLES:
        count += 1
    if not count:
        return given, ""
    return " ".join(words[:-count]), " ".join(words[-count:])


def is_initials_only(given: str) -> bool:
    """'G. A.', 'G.A.', 'J.-P.', 'GA', 'A C' are initials; 'Gian Andrea' and 'Yu E.' are not."""
    if not given:
        return False
    pieces = [piece for piece in re.split(r"[\s.\-\u2010]+", given) if piece]
    if pieces and all(len(piece) == 1 and piece.isalpha() for piece in pieces):
        return True
    return _is_compact_initials(given)


def _is_compact_initials(word: str) -> bool:
    """'GA', 'JM', 'S' as MEDLINE and Scopus write initials: one to three capitals."""
    compact = word.replace(".", "")
    return 1 <= len(compact) <= 3 and compact.isalpha() and compact.isupper()


def initials_of(given: str) -> str:
    """'Gian Andrea' -> 'G.A.', 'Jean-Pierre' -> 'J.-P.', 'G. A.' and 'GA' -> 'G.A.'."""
    if not given:
        return ""
    if " " not in given and "." not in given and _is_compact_initials(given):
        return "".join(f"{letter}." for letter in given)
    result = []
    for word in WORD.findall(given):
        if word.startswith("("):
            continue  # a nickname: "Margaret (Peggy)"
        pieces = [piece for piece in word.replace("\u2010", "-").split("-") if piece]
        letters = [_first_letter(piece) for piece in pieces]
        result.append("-".join(f"{letter}." for letter in letters if letter))
    return "".join(part for part in result if part)


def _first_letter(piece: str) -> str:
    for char in piece:
        if char.isalpha():
            return char.upper()
    return ""


def _is_suffix(part: str) -> bool:
    return part.rstrip(".").lower() in {"jr", "sr", "ii", "iii", "iv", "2nd", "3rd"}


def _affiliations(values: Iterable[object]) -> list[str]:
    result = []
    for value in values:
        text = clean(value)
        if text and text not in result:
            result.append(text)
    return result
