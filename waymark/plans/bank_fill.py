"""Filling a strategy-bank entry for one pupil: their preferred name and their pronouns.

Bank text says ``{name}``, ``{they}``, ``{them}``, ``{their}``, ``{theirs}`` and
``{themself}`` (capitalised, ``{They}`` and so on, at the start of a sentence). A pupil
whose pronouns we cannot read is never given a guessed pronoun: their name stands in.
Whatever the text holds, no brace is left behind for a parent to read.
"""

import re

PLACEHOLDERS = ("name", "they", "them", "their", "theirs", "themself")

SHE = {"they": "she", "them": "her", "their": "her", "theirs": "hers", "themself": "herself"}
HE = {"they": "he", "them": "him", "their": "his", "theirs": "his", "themself": "himself"}
THEY = {"they": "they", "them": "them", "their": "their", "theirs": "theirs", "themself": "themself"}

# Any word of a pronoun set picks the set, so "her/she", "She / Her" and "he" all read right.
PRONOUN_WORDS = {
    **dict.fromkeys(("she", "her", "hers", "herself"), SHE),
    **dict.fromkeys(("he", "him", "his", "himself"), HE),
    **dict.fromkeys(("they", "them", "their", "theirs", "themself", "themselves"), THEY),
}

PLACEHOLDER_RE = re.compile(r"\{\s*([A-Za-z_]*)\s*\}")


def pronoun_set(pronouns):
    """The words for a pupil's recorded pronouns, or ``None`` when they cannot be read.

    Blank means nothing recorded: "they" is the respectful default. The first word decides
    ("she/they" reads as "she"), as schools write the pronoun to use first.
    """
    words = [word for word in re.split(r"[\s/,;|\\]+", (pronouns or "").strip().lower()) if word]
    if not words:
        return THEY
    return PRONOUN_WORDS.get(words[0])


def _capitalise(text):
    return text[:1].upper() + text[1:]


def replacements(name, pronouns):
    """What each lower-case placeholder becomes for this name and these pronouns."""
    name = (name or "").replace("{", "").replace("}", "").strip()
    words = pronoun_set(pronouns)
    if words is None:
        possessive = f"{name}'s"
        words = {"they": name, "them": name, "their": possessive, "theirs": possessive, "themself": name}
    return {"name": name, **words}


def fill_text(text, *, name, pronouns=""):
    """``text`` with every placeholder filled; unknown ``{words}`` lose their braces."""
    values = replacements(name, pronouns)

    def substitute(match):
        word = match.group(1)
        value = values.get(word.lower())
        if value is None:
            return word
        return _capitalise(value) if word[:1].isupper() else value

    filled = PLACEHOLDER_RE.sub(substitute, text or "")
    return filled.replace("{", "").replace("}", "")


def fill(text, pupil):
    """``text`` filled for ``pupil``: their preferred first name and their pronouns."""
    return fill_text(text, name=pupil.forename, pronouns=pupil.pronouns)
