"""Languages as the sources write them ("eng", "English", "en-US", "ngerman") to ISO 639-1."""

from __future__ import annotations

import re

# ISO 639-2 (bibliographic and terminology codes) to ISO 639-1: every language MEDLINE indexes
# in any number, and the others that have a two-letter code and turn up in library exports.
ISO_639_2 = {
    "afr": "af", "alb": "sq", "sqi": "sq", "amh": "am", "ara": "ar", "arm": "hy", "hye": "hy",
    "aze": "az", "baq": "eu", "eus": "eu", "bel": "be", "ben": "bn", "bos": "bs", "bre": "br",
    "bul": "bg", "bur": "my", "mya": "my", "cat": "ca", "chi": "zh", "zho": "zh", "cze": "cs",
    "ces": "cs", "dan": "da", "dut": "nl", "nld": "nl", "eng": "en", "epo": "eo", "est": "et",
    "fao": "fo", "fin": "fi", "fre": "fr", "fra": "fr", "geo": "ka", "kat": "ka", "ger": "de",
    "deu": "de", "gla": "gd", "gle": "ga", "glg": "gl", "gre": "el", "ell": "el", "guj": "gu",
    "hau": "ha", "heb": "he", "hin": "hi", "hrv": "hr", "hun": "hu", "ibo": "ig", "ice": "is",
    "isl": "is", "ind": "id", "ita": "it", "jpn": "ja", "kan": "kn", "kaz": "kk", "khm": "km",
    "kir": "ky", "kor": "ko", "kur": "ku", "lao": "lo", "lat": "la", "lav": "lv", "lit": "lt",
    "ltz": "lb", "mac": "mk", "mkd": "mk", "mal": "ml", "mao": "mi", "mri": "mi", "mar": "mr",
    "may": "ms", "msa": "ms", "mlt": "mt", "mon": "mn", "nep": "ne", "nno": "nn", "nob": "nb",
    "nor": "no", "pan": "pa", "per": "fa", "fas": "fa", "pol": "pl", "por": "pt", "pus": "ps",
    "roh": "rm", "rum": "ro", "ron": "ro", "rus": "ru", "san": "sa", "sin": "si", "slo": "sk",
    "slk": "sk", "slv": "sl", "som": "so", "spa": "es", "srp": "sr", "swa": "sw", "swe": "sv",
    "tam": "ta", "tel": "te", "tgk": "tg", "tgl": "tl", "fil": "tl", "tha": "th", "tib": "bo",
    "bod": "bo", "tur": "tr", "tuk": "tk", "ukr": "uk", "urd": "ur", "uzb": "uz", "vie": "vi",
    "wel": "cy", "cym": "cy", "xho": "xh", "yid": "yi", "yor": "yo", "zul": "zu",
}  # fmt: skip
CODES = set(ISO_639_2.values())
# Names as exports and BibTeX's babel options spell them.
NAMES = {
    "english": "en", "american": "en", "british": "en", "usenglish": "en", "ukenglish": "en",
    "french": "fr", "français": "fr", "francais": "fr", "german": "de", "ngerman": "de",
    "deutsch": "de", "austrian": "de", "naustrian": "de", "spanish": "es", "español": "es",
    "castellano": "es", "italian": "it", "italiano": "it", "portuguese": "pt", "brazilian": "pt",
    "português": "pt", "dutch": "nl", "nederlands": "nl", "flemish": "nl", "russian": "ru",
    "chinese": "zh", "japanese": "ja", "korean": "ko", "polish": "pl", "polski": "pl",
    "swedish": "sv", "svenska": "sv", "danish": "da", "dansk": "da", "norwegian": "no",
    "norsk": "no", "finnish": "fi", "suomi": "fi", "czech": "cs", "slovak": "sk",
    "hungarian": "hu", "magyar": "hu", "greek": "el", "turkish": "tr", "hebrew": "he",
    "arabic": "ar", "persian": "fa", "farsi": "fa", "romanian": "ro", "bulgarian": "bg",
    "croatian": "hr", "serbian": "sr", "slovenian": "sl", "slovene": "sl", "ukrainian": "uk",
    "lithuanian": "lt", "latvian": "lv", "estonian": "et", "icelandic": "is", "catalan": "ca",
    "basque": "eu", "galician": "gl", "welsh": "cy", "irish": "ga", "latin": "la",
    "afrikaans": "af", "indonesian": "id", "malay": "ms", "thai": "th", "vietnamese": "vi",
    "hindi": "hi", "urdu": "ur", "bengali": "bn", "tamil": "ta", "esperanto": "eo",
}  # fmt: skip


def iso_639_1(value: object) -> str:
    """'eng', 'English', 'en-US', 'ngerman' -> 'en'/'de'; '' when unknown or undetermined."""
    if not isinstance(value, str):
        return ""
    words = re.split(r"[\s,;/]+", value.strip().lower())
    text = words[0] if words else ""
    if text in NAMES:
        return NAMES[text]
    code = re.split(r"[-_]", text)[0]
    if len(code) == 2 and code in CODES:
        return code
    return ISO_639_2.get(code, "")
