"""Two versions of a plan side by side: what was added, removed or changed, word by word.

Both sides are presented documents (``documents.present``) already filtered to what the
reader may see, so a comparison never reveals a restricted part through its absence or
its changes. Items carry new ids in each version (a new draft copies rows), so they are
paired by their title first and then by how alike they are.
"""

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

# Words, runs of spaces and single punctuation marks: a changed word is marked, not a line.
TOKENS = re.compile(r"\s+|\w+|[^\w\s]")
# How alike two items must be (0 to 1) to count as one item changed rather than one removed and one added.
SIMILAR_ENOUGH = 0.5

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"


def _html(text):
    return escape(text).replace("\n", "<br>")


def word_diff(old, new):
    """HTML of ``new`` with words taken out in ``<del>`` and words put in in ``<ins>``.

    Each mark starts with visually hidden words, as most screen readers do not announce
    ``<ins>`` and ``<del>``.
    """
    old, new = str(old or ""), str(new or "")
    before, after = TOKENS.findall(old), TOKENS.findall(new)
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    removed_label, added_label = escape(_("removed:")), escape(_("added:"))
    parts = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(_html("".join(before[i1:i2])))
            continue
        taken, put = "".join(before[i1:i2]), "".join(after[j1:j2])
        if taken:
            parts.append(
                f'<del class="waymark-diff__del"><span class="govuk-visually-hidden">{removed_label} </span>'
                f"{_html(taken)}</del>"
            )
        if put:
            parts.append(
                f'<ins class="waymark-diff__ins"><span class="govuk-visually-hidden">{added_label} </span>'
                f"{_html(put)}</ins>"
            )
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above is escaped


@dataclass
class FieldChange:
    label: str
    old: str
    new: str
    status: str
    html: str = ""

    @property
    def changed(self):
        return self.status != UNCHANGED


@dataclass
class ItemChange:
    status: str
    title: str
    title_html: str
    old_title: str = ""
    fields: list = field(default_factory=list)
    visibility_tag: str = ""

    @property
    def changed(self):
        return self.status != UNCHANGED


@dataclass
class SectionChange:
    key: str
    label: str
    status: str
    old_label: str = ""
    fields: list = field(default_factory=list)
    items: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)

    @property
    def changed(self):
        return self.status != UNCHANGED

    @property
    def unchanged_count(self):
        return sum(1 for item in self.items if not item.changed)


def _field_change(label, old, new, *, marked=True):
    """One field's change; ``marked=False`` for an item added or removed whole, whose tag says so."""
    old, new = str(old or ""), str(new or "")
    if old == new:
        return FieldChange(label=label, old=old, new=new, status=UNCHANGED, html=_html(new))
    status = ADDED if not old else REMOVED if not new else CHANGED
    html = word_diff(old, new) if marked else _html(new or old)
    return FieldChange(label=label, old=old, new=new, status=status, html=html)


def _flat(item):
    return " ".join([str(item["title"]), *(str(f["value"]) for f in item["fields"])])


def pair_items(old_items, new_items):
    """``[(old or None, new or None)]``: new items in order with their match, then the removed ones."""
    matched = {}  # new index -> old index
    free = set(range(len(old_items)))
    for j, new in enumerate(new_items):
        same = next((i for i in sorted(free) if old_items[i]["title"] == new["title"]), None)
        if same is not None:
            matched[j] = same
            free.discard(same)
    for j, new in enumerate(new_items):
        if j in matched or not free:
            continue
        scores = [(SequenceMatcher(None, _flat(old_items[i]), _flat(new), autojunk=False).ratio(), i) for i in free]
        score, best = max(scores, key=lambda pair: (pair[0], -pair[1]))
        if score >= SIMILAR_ENOUGH:
            matched[j] = best
            free.discard(best)
    pairs = [(old_items[matched[j]] if j in matched else None, new) for j, new in enumerate(new_items)]
    pairs += [(old_items[i], None) for i in sorted(free)]
    return pairs


def _item_change(old, new):
    if old is None:
        return ItemChange(
            status=ADDED,
            title=new["title"],
            title_html=_html(new["title"]),
            fields=[_field_change(f["label"], "", f["value"], marked=False) for f in new["fields"]],
            visibility_tag=new["visibility_tag"],
        )
    if new is None:
        return ItemChange(
            status=REMOVED,
            title=old["title"],
            title_html=_html(old["title"]),
            fields=[_field_change(f["label"], f["value"], "", marked=False) for f in old["fields"]],
            visibility_tag=old["visibility_tag"],
        )
    old_values = {f["name"]: f["value"] for f in old["fields"]}
    fields = [_field_change(f["label"], old_values.get(f["name"], ""), f["value"]) for f in new["fields"]]
    if old["visibility"] != new["visibility"]:
        fields.append(_field_change(_("Who can see this"), old["visibility_tag"], new["visibility_tag"]))
    title_changed = old["title"] != new["title"]
    changed = title_changed or any(f.changed for f in fields)
    return ItemChange(
        status=CHANGED if changed else UNCHANGED,
        title=new["title"],
        old_title=old["title"],
        title_html=word_diff(old["title"], new["title"]) if title_changed else _html(new["title"]),
        fields=fields,
        visibility_tag=new["visibility_tag"],
    )


def _section_change(old, new):
    section = new or old
    change = SectionChange(key=section["key"], label=section["label"], status=UNCHANGED)
    if old is not None and new is not None and old["label"] != new["label"]:
        change.old_label = old["label"]
    if section["kind"] == "text":
        old_fields = {f["name"]: f["value"] for f in (old or {}).get("fields", [])}
        new_fields = {f["name"]: f["value"] for f in (new or {}).get("fields", [])}
        labels = {f["name"]: f["label"] for f in [*(old or {}).get("fields", []), *(new or {}).get("fields", [])]}
        change.fields = [
            _field_change(label, old_fields.get(name, ""), new_fields.get(name, "")) for name, label in labels.items()
        ]
        if old is not None and new is not None and old["visibility"] != new["visibility"]:
            change.fields.append(_field_change(_("Who can see this"), old["visibility_tag"], new["visibility_tag"]))
        any_change = any(f.changed for f in change.fields)
    else:
        pairs = pair_items((old or {}).get("items", []), (new or {}).get("items", []))
        change.items = [_item_change(before, after) for before, after in pairs]
        change.counts = {
            status: sum(1 for item in change.items if item.status == status) for status in (ADDED, REMOVED, CHANGED)
        }
        any_change = any(item.changed for item in change.items)
    if old is None:
        change.status = ADDED
    elif new is None:
        change.status = REMOVED
    elif any_change or change.old_label:
        change.status = CHANGED
    return change


def compare_documents(old, new):
    """Section by section, in the newer version's order, then sections only the older one had.

    The first entry compares the facts about the plan (needs, tier, owner).
    """
    old_about = {row["name"]: row for row in old["about"]}
    about_fields = [
        _field_change(row["label"], old_about.get(row["name"], {}).get("value", ""), row["value"])
        for row in new["about"]
        if row["name"] != "number"
    ]
    about = SectionChange(
        key="about",
        label=_("About this plan"),
        status=CHANGED if any(f.changed for f in about_fields) else UNCHANGED,
        fields=about_fields,
    )
    old_sections = {section["key"]: section for section in old["sections"]}
    new_keys = {section["key"] for section in new["sections"]}
    changes = [about]
    for section in new["sections"]:
        changes.append(_section_change(old_sections.get(section["key"]), section))
    for section in old["sections"]:
        if section["key"] not in new_keys:
            changes.append(_section_change(section, None))
    return changes
