"""Reading single cells the ways MIS exports write them: year groups, sex, SEN provision, need
types, relationships and yes/no. Each returns the value Waymark stores, or raises ``ValueError``
with a plain-English message naming what it found.
"""

import re

from django.utils.translation import gettext as _

from waymark.pupils.models import LEGACY_PROVISIONS, ParentLink, Provision, Sex
from waymark.schools.models import YEAR_GROUP_LABELS

Relationship = ParentLink.Relationship


def _words(text):
    return " ".join(re.sub(r"[^0-9a-z]+", " ", (text or "").lower()).split())


YEAR_WORDS = {"r": 0, "rec": 0, "reception": 0, "yr": 0, "n": -1, "n1": -1, "n2": -1, "nursery": -1, "nur": -1}
YEAR_PATTERN = re.compile(r"^(?:nc\s*|national curriculum\s*)?(?:year|yr|y)?\s*([a-z]+\d?|\d{1,2})$")


def year_group(text):
    """ "Year 8", "Y8", "8", "08", "NC Year 8", "R", "Reception", "N1", "Nursery" -> -1 to 14."""
    words = " ".join((text or "").lower().split())
    if words in YEAR_WORDS:
        return YEAR_WORDS[words]
    match = YEAR_PATTERN.match(words)
    if match:
        value = match.group(1)
        if value in YEAR_WORDS:
            return YEAR_WORDS[value]
        if value.isdigit() and int(value) in YEAR_GROUP_LABELS:
            return int(value)
    raise ValueError(
        _("%(text)s is not a year group. Write it as Year 8, 8, R (Reception) or N (Nursery); years go up to 14.")
        % {"text": text}
    )


SEX_WORDS = {
    "m": Sex.MALE,
    "male": Sex.MALE,
    "boy": Sex.MALE,
    "f": Sex.FEMALE,
    "female": Sex.FEMALE,
    "girl": Sex.FEMALE,
}


def sex(text):
    value = SEX_WORDS.get(_words(text))
    if value is None:
        raise ValueError(
            _("%(text)s is not a sex the census records. Write M or F (or Male or Female).") % {"text": text}
        )
    return value


PROVISION_WORDS = {
    "no sen": Provision.NO_SEN,
    "none": Provision.NO_SEN,
    "no special educational need": Provision.NO_SEN,
    "sen support": Provision.SEN_SUPPORT,
    "ehc plan": Provision.EHC_PLAN,
    "ehcp": Provision.EHC_PLAN,
    "education health and care plan": Provision.EHC_PLAN,
    "statement": Provision.STATEMENT,
    "school action": Provision.SCHOOL_ACTION,
    "school action plus": Provision.SCHOOL_ACTION_PLUS,
}


def provision(text):
    """ "K", "K - SEN support", "SEN support", "EHCP" -> N, K or E. Legacy S, A and P are refused."""
    words = _words(text)
    code = PROVISION_WORDS.get(words)
    if code is None:
        match = re.match(r"^([a-z])(?: |$)", words)
        code = match.group(1).upper() if match else None
    if code in LEGACY_PROVISIONS:
        raise ValueError(
            _(
                "%(text)s is a legacy code (S, A or P). It can be kept as history from a CTF file, but a pupil's "
                "current status must be N, K or E."
            )
            % {"text": text}
        )
    if code not in (Provision.NO_SEN, Provision.SEN_SUPPORT, Provision.EHC_PLAN):
        raise ValueError(
            _("%(text)s is not an SEN provision code. Write N (no SEN), K (SEN support) or E (EHC plan).")
            % {"text": text}
        )
    return Provision(code)


def need_type(text, need_types):
    """A census need code ("ASD") or a need type's name, among ``need_types`` ({code: NeedType})."""
    wanted = (text or "").strip()
    code = re.split(r"[\s\-–:]", wanted, maxsplit=1)[0].upper()
    if code in need_types:
        return need_types[code]
    for candidate in need_types.values():
        if _words(candidate.name) == _words(wanted):
            return candidate
    raise ValueError(
        _("%(text)s is not a census need type. Use one of the codes: %(codes)s.")
        % {"text": text, "codes": ", ".join(sorted(need_types))}
    )


RELATIONSHIP_WORDS = {
    Relationship.MOTHER: ("mother", "mum", "mom", "pam", "birth mother"),
    Relationship.FATHER: ("father", "dad", "paf", "birth father"),
    Relationship.PARENT: ("parent", "birth parent"),
    Relationship.STEP_PARENT: (
        "step parent",
        "stepparent",
        "step mother",
        "stepmother",
        "step father",
        "stepfather",
        "stm",
        "stf",
    ),
    Relationship.FOSTER_CARER: ("foster carer", "foster mother", "foster father", "foster parent", "fom", "fof"),
    Relationship.GUARDIAN: ("guardian", "legal guardian", "special guardian"),
    Relationship.GRANDPARENT: (
        "grandparent",
        "grandmother",
        "grandfather",
        "grandma",
        "grandad",
        "granddad",
        "grandpa",
        "nan",
        "grm",
        "grf",
    ),
    Relationship.OTHER: (
        "carer",
        "car",
        "other",
        "oth",
        "other carer",
        "other relative",
        "rel",
        "other family member",
        "otf",
        "aunt",
        "uncle",
        "sibling",
        "brother",
        "sister",
        "family friend",
    ),
}
RELATIONSHIPS = {word: value for value, words in RELATIONSHIP_WORDS.items() for word in words}
# Contacts an MIS lists who are not family: not parents or carers, so not imported as such.
NOT_FAMILY = {"doctor", "doc", "gp", "social worker", "swr", "childminder", "chm", "professional"}


class NotFamily(ValueError):
    """The contact is a professional (a doctor, a social worker), not a parent or carer."""


def relationship(text):
    words = _words(text)
    if words in NOT_FAMILY:
        raise NotFamily(text)
    value = RELATIONSHIPS.get(words)
    if value is None:
        raise ValueError(
            _(
                "%(text)s is not a relationship this import knows. Use Mother, Father, Parent, Step-parent, "
                "Foster carer, Guardian, Grandparent or Carer."
            )
            % {"text": text}
        )
    return value


YES = {"y", "yes", "true", "t", "1", "x"}
NO = {"n", "no", "false", "f", "0"}


def yes_no(text):
    words = _words(text)
    if words in YES:
        return True
    if words in NO:
        return False
    raise ValueError(_("%(text)s is not yes or no. Write Yes or No.") % {"text": text})
