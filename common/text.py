"""Rules for text that people type and Chirp stores, which every door reaches through the services."""

import re
import unicodedata

from common.errors import Invalid

NUL_MESSAGE = "Null characters are not allowed."


def text_check(*, field: str, text: str) -> None:
    """Refuse a NUL character: PostgreSQL cannot store one, and SQLite must not keep what it refuses."""
    if "\x00" in text:
        raise Invalid.on_field(field, NUL_MESSAGE)


# Explicit embeddings and overrides (LRE, RLE, LRO, RLO), closed by PDF; isolates (LRI, RLI, FSI),
# closed by PDI. One left open reverses whatever a page shows after it ("Liked by EvereppoH ...").
_EMBEDDINGS = frozenset("\u202a\u202b\u202d\u202e")
_PDF = "\u202c"
_ISOLATES = frozenset("\u2066\u2067\u2068")
_PDI = "\u2069"
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")


def bidi_controls_balance(text: str) -> str:
    """The text without its unpaired bidirectional controls: openers never closed, closers never
    opened (as UAX #9 pairs them: a PDI also ends the embeddings opened inside its isolate)."""
    if not _BIDI_CONTROL.search(text):
        return text
    drop: set[int] = set()
    stack: list[tuple[int, bool]] = []  # (index, is an isolate)
    for index, char in enumerate(text):
        if char in _EMBEDDINGS or char in _ISOLATES:
            stack.append((index, char in _ISOLATES))
        elif char == _PDF:
            if stack and not stack[-1][1]:
                stack.pop()
            else:
                drop.add(index)
        elif char == _PDI:
            if any(isolate for _, isolate in stack):
                while not stack[-1][1]:
                    drop.add(stack.pop()[0])
                stack.pop()
            else:
                drop.add(index)
    drop.update(index for index, _ in stack)
    if not drop:
        return text
    return "".join(char for index, char in enumerate(text) if index not in drop)


# Letters that render as nothing (Hangul fillers, the braille blank).
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def has_visible_character(text: str) -> bool:
    """Whether some character draws something: a letter, digit, punctuation or symbol; not only
    spaces, format characters (zero-width ones), combining marks or blank letters."""
    return any(unicodedata.category(char)[0] in "LNPS" and char not in _BLANK_LETTERS for char in text)


# Characters that look like a Latin letter in common fonts, after NFKC and case folding: Cyrillic
# and Greek letters, and what reads as an l or an o.
_LOOKALIKES = str.maketrans(
    {
        **dict(zip("авекмнорстухіјѕһԁԛԝӏ", "abekmhopctyxijshdqwl", strict=True)),
        **dict(zip("αβεζηικμνορτυχ", "abezhikmnoptyx", strict=True)),
        "1": "l",
        "|": "l",
        "0": "o",
    }
)


def confusable_skeleton(text: str) -> str:
    """A form under which names that look alike compare equal (as far as is reasonable without
    Unicode's whole confusables table): compatibility forms and letter case folded, accents,
    zero-width and other format characters dropped, lookalike letters mapped, spaces collapsed.
    A capital I reads as an l."""
    text = unicodedata.normalize("NFKC", text.replace("I", "l")).casefold()
    decomposed = unicodedata.normalize("NFD", text)
    text = "".join(char for char in decomposed if unicodedata.category(char) not in ("Mn", "Me", "Cf"))
    return " ".join(text.translate(_LOOKALIKES).split())
