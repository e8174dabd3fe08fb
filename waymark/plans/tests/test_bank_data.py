"""The built-in strategy bank: enough entries, each with a reason, nothing discredited, loaded once."""

import re
from collections import Counter

import pytest

from waymark.plans.bank_data import (
    ALLOWED_PLACEHOLDERS,
    AREA_CODES,
    ENTRIES,
    KINDS,
    NEED_CODES,
    builtin_public_id,
    load_builtin_bank,
)
from waymark.plans.bank_services import ADJUSTMENT_MAX_LENGTH, placeholder_problems
from waymark.plans.models import BankEntry
from waymark.pupils.models import AreaOfNeed, NeedType

BANNED = re.compile(
    r"learning styles?|\bVAK\b|kinaesthetic learner|kinesthetic learner|brain ?gym|overlay|multiple intelligence"
    r"|fidget|dyslexia[- ]friendly font",
    re.IGNORECASE,
)
# After {they} the verb must read right for "he", "she" and "they" alike.
VERB_AFTER_THEY = {"can", "could", "will", "would", "may", "might", "should", "must"}

PRONOUNS = {
    "he": {"name": "Sam", "they": "he", "them": "him", "their": "his"},
    "she": {"name": "Sam", "they": "she", "them": "her", "their": "her"},
    "they": {"name": "Sam", "they": "they", "them": "them", "their": "their"},
}


def test_there_are_enough_entries():
    assert len(ENTRIES) >= 150


def test_every_entry_says_why_it_helps():
    thin = [entry["key"] for entry in ENTRIES if len(entry["rationale"].strip()) < 20]
    assert not thin


def test_every_kind_and_area_is_represented():
    assert set(Counter(entry["kind"] for entry in ENTRIES)) == set(KINDS)
    areas = Counter(entry["area"] for entry in ENTRIES)
    assert set(areas) == set(AREA_CODES)
    assert min(areas.values()) >= 20


def test_every_need_code_has_at_least_three_entries():
    counts = Counter(code for entry in ENTRIES for code in entry["need_codes"])
    thin = {code: counts[code] for code in NEED_CODES if counts[code] < 3}
    assert not thin
    assert set(counts) <= set(NEED_CODES)


def test_nothing_discredited():
    found = [
        (entry["key"], match.group(0))
        for entry in ENTRIES
        for field in ("text", "rationale")
        if (match := BANNED.search(entry[field]))
    ]
    assert not found


def test_only_known_placeholders():
    for entry in ENTRIES:
        assert set(re.findall(r"\{([^{}]*)\}", entry["text"])) <= ALLOWED_PLACEHOLDERS, entry["key"]
        assert placeholder_problems(entry["text"]) == [], entry["key"]
        # Rationales are shown as they are, never filled in.
        assert "{" not in entry["rationale"] and "}" not in entry["rationale"], entry["key"]


@pytest.mark.parametrize("pronoun", PRONOUNS)
def test_text_reads_right_for_every_pronoun(pronoun):
    for entry in ENTRIES:
        filled = entry["text"].format(**PRONOUNS[pronoun])
        assert "{" not in filled and "}" not in filled
    for entry in ENTRIES:
        for verb in re.findall(r"\{they\} (\w+)", entry["text"]):
            assert verb in VERB_AFTER_THEY or verb.endswith("ed"), (entry["key"], verb)
        # A pronoun placeholder never starts a sentence: it would not be capitalised.
        assert not re.search(r"(^|[.!?]\s+)\{(they|them|their)\}", entry["text"]), entry["key"]


def test_no_duplicates():
    keys = [entry["key"] for entry in ENTRIES]
    texts = [" ".join(entry["text"].split()).casefold() for entry in ENTRIES]
    assert len(keys) == len(set(keys))
    assert len(texts) == len(set(texts))
    assert len({builtin_public_id(key) for key in keys}) == len(keys)


def test_shapes_by_kind():
    for entry in ENTRIES:
        if entry["kind"] == "outcome":
            assert entry["text"].startswith("{name} will "), entry["key"]
        else:
            # Action first: an instruction, not a description of the pupil.
            assert not entry["text"].startswith("{"), entry["key"]
        if entry["kind"] == "adjustment":
            assert len(entry["text"]) <= ADJUSTMENT_MAX_LENGTH - 50, entry["key"]


# ----- the data migration -----


@pytest.mark.django_db
def test_the_migration_loaded_every_entry_with_no_school():
    builtins = BankEntry.objects.filter(school__isnull=True)
    assert builtins.count() == len(ENTRIES)
    by_id = {entry.public_id: entry for entry in builtins.select_related("area")}
    for data in ENTRIES:
        stored = by_id[builtin_public_id(data["key"])]
        assert stored.text == data["text"]
        assert stored.area.code == data["area"]
        assert stored.need_codes == data["need_codes"]
        assert stored.is_active
    # The need codes are the census codes the pupils app holds as data.
    assert set(NeedType.objects.values_list("code", flat=True)) >= set(NEED_CODES)


@pytest.mark.django_db
def test_loading_again_changes_nothing_and_repairs_edits():
    from waymark.tests import factories as f

    school_entry = BankEntry.objects.create(
        school=f.SchoolFactory(), kind="strategy", text="Our own", rationale="Because we know it helps"
    )
    before = list(BankEntry.objects.order_by("pk").values_list("pk", "public_id", "text", "lock_version"))
    load_builtin_bank(BankEntry, AreaOfNeed)
    assert list(BankEntry.objects.order_by("pk").values_list("pk", "public_id", "text", "lock_version")) == before

    first = BankEntry.objects.get(public_id=builtin_public_id(ENTRIES[0]["key"]))
    BankEntry.objects.filter(pk=first.pk).update(text="Tampered with")
    retired = BankEntry.objects.create(kind="strategy", text="No longer listed", rationale="Old")
    load_builtin_bank(BankEntry, AreaOfNeed)
    first.refresh_from_db()
    retired.refresh_from_db()
    school_entry.refresh_from_db()
    assert first.text == ENTRIES[0]["text"] and first.lock_version == 1
    assert not retired.is_active
    assert school_entry.is_active and school_entry.text == "Our own"
    assert BankEntry.objects.filter(school__isnull=True, is_active=True).count() == len(ENTRIES)
