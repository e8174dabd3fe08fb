"""Everything Waymark holds about one pupil, gathered from the personal-data register.

One ``Section`` per register entry (``core.personal_data.PERSONAL_DATA``), in the register's
order and even when it is empty, so a model added to the register is in every subject access
release without anyone remembering to add it here. Each row becomes an ``Item`` of readable
label/value pairs, worked out from the model's own fields:

- left out: internal keys and ids (the primary key, public ids, UUIDs that link rows
  together), lock versions, hashes, stored file names, the school (the same for every row),
  the link back to the pupil themselves, the strategy-bank bookkeeping, a frozen plan's
  snapshot (its words are the version's own rows, gathered in their sections) and an audit
  event's data (ids only);
- values read as people read them (``readable``): "4 March 2027", "Yes", a code's label, a
  person's name, JSON as indented lines;
- the audit trail (``core.AuditEvent``) reads "When / Who / What", described by the audit
  registry: who viewed or changed the record.

Queries: one per register entry, plus one per many-to-many field (prefetched), whatever the
number of rows: related rows are joined (``select_related``) for their labels.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waymark.core.models import Visibility
from waymark.core.personal_data import PERSONAL_DATA
from waymark.plans.models import SupportPlan
from waymark.provision.dates import day_text
from waymark.pupils.models import Pupil

from .readable import field_label, format_datetime, label_paths, related_label, value_text

# Fields never shown, whatever the model: internal bookkeeping rather than data about the pupil.
SKIPPED_NAMES = frozenset(
    {
        "lock_version",
        "updated_at",
        "school",
        "bank_entry",
        "bank_text",
        "snapshot",
        "request_id",
        "target_type",
        "target_id",
        "order",  # where an item sits in its list: the list's own order shows it
        "event_key",  # how a notification was kept from being sent twice
    }
)
SKIPPED_FIELDS = frozenset({("core.AuditEvent", "data")})
# Dates that name an item best, in order of preference; otherwise its first date (not time) with a value.
TITLE_DATES = (
    "happened_on",
    "held_on",
    "date",
    "written_on",
    "taken_on",
    "given_on",
    "received_on",
    "starts_on",
    "joined_on",
    "given_at",
    "responded_at",
    "read_at",
    "placed_at",
    "sent_at",
    "logged_at",
    "recorded_at",
    "written_at",
    "uploaded_at",
    "exported_at",
    "created_at",
)
# What a row is called where the model's own name reads badly.
ITEM_NAMES = {"pupils.SenStatus": gettext_lazy("SEN status")}
SECTION_TITLES = {
    "pupils.Pupil": gettext_lazy("The pupil's details"),
    "core.AuditEvent": gettext_lazy("Who viewed or changed the record"),
}
# Rows better called by their own label (a parent's name, a need's type) than by a date, with the
# fields that label is made from (``readable.RELATED_LABELS``).
NAMED_ITEMS = {"pupils.ParentLink": ("full_name", "relationship"), "pupils.Need": ("need_type", "rank")}
# Fields shown first, in this order, where the model's own order reads badly.
FIELD_ORDER = {"core.AuditEvent": ("created_at", "actor", "action")}

# Register entries shown as one table (a row an item) rather than a card an item.
TABULAR = frozenset({"core.AuditEvent", "provision.Attendance", "core.Notification", "plans.ReadReceipt"})


def item_anchor(model, pk):
    """The id of an item on the request's page, so a withhold or put-back lands back on it."""
    return f"item-{model.replace('.', '-').lower()}-{pk}"


@dataclass
class Value:
    name: str  # the model field: what a redaction of one field names
    label: str
    text: str
    withheld: str = ""  # the reason, when withheld
    redaction: Any = None
    restricted: bool = False  # only the SENCO and the DSL may read it


@dataclass
class Item:
    model: str
    pk: str
    title: str
    values: list
    obj: Any = field(repr=False, default=None)
    flags: list = field(default_factory=list)
    withheld: str = ""  # the reason, when the whole item is withheld
    redaction: Any = None
    restricted: bool = False
    # The title says nothing of its own ("Parent or carer 2"), for a release where what the title
    # is made from is withheld: a withheld parent's name must not survive as the item's heading.
    plain_title: str = ""
    title_fields: tuple = ()  # the fields ``title`` is made from

    @property
    def key(self):
        return f"{self.model}:{self.pk}"

    @property
    def anchor(self):
        return item_anchor(self.model, self.pk)

    def value(self, name):
        return next((value for value in self.values if value.name == name), None)

    @property
    def withheld_values(self):
        return [value for value in self.values if value.withheld]

    @property
    def holds_restricted(self):
        """Whether any of it is restricted: the whole row, or a field only the SENCO and the DSL may read."""
        return self.restricted or any(value.restricted for value in self.values)

    @property
    def releases_restricted(self):
        """Whether a release would send restricted words: restricted, and not withheld."""
        if self.withheld:
            return False
        return self.restricted or any(value.restricted and not value.withheld for value in self.values)

    @property
    def released_title(self):
        """The title a release shows: a plain one when the item, or what its title is made from, is withheld."""
        if self.withheld or any(value.withheld for value in self.values if value.name in self.title_fields):
            return self.plain_title or self.title
        return self.title


@dataclass
class Section:
    entry: Any
    number: int
    title: str
    items: list
    tabular: bool = False

    @property
    def model(self):
        return self.entry.model

    @property
    def what(self):
        return self.entry.what

    @property
    def third_party(self):
        return self.entry.third_party

    @property
    def slug(self):
        return self.entry.model.replace(".", "-").lower()

    @property
    def labels(self):
        """Every label any item has, in field order: the columns of a table or a CSV."""
        seen = []
        for item in self.items:
            for value in item.values:
                if value.label not in seen:
                    seen.append(value.label)
        return seen


def shown_fields(model):
    """The fields of ``model`` a subject access release shows, in the model's order."""
    label = model._meta.label
    fields = []
    for candidate in [*model._meta.concrete_fields, *model._meta.many_to_many]:
        name = candidate.name
        if candidate.primary_key or name in SKIPPED_NAMES or (label, name) in SKIPPED_FIELDS:
            continue
        if name == "public_id" or isinstance(candidate, (models.UUIDField, models.FileField)):
            continue
        if "sha256" in name or name.endswith("_hash"):
            continue
        if candidate.is_relation and candidate.related_model in (Pupil, SupportPlan):
            continue  # the pupil themselves, the subject of every row, and their one plan
        fields.append(candidate)
    order = FIELD_ORDER.get(label, ())
    return sorted(fields, key=lambda candidate: order.index(candidate.name) if candidate.name in order else len(order))


def shown_field_names(model):
    return [candidate.name for candidate in shown_fields(model)]


def _queryset(entry, pupil, fields):
    queryset = entry.for_pupil(pupil)
    joined, prefetched = [], []
    for candidate in fields:
        if candidate.many_to_many:
            prefetched.append(candidate.name)
        elif candidate.is_relation:
            joined.append(candidate.name)
            joined.extend(f"{candidate.name}__{path}" for path in label_paths(candidate.related_model))
    if joined:
        queryset = queryset.select_related(*joined)
    if prefetched:
        queryset = queryset.prefetch_related(*prefetched)
    return queryset


def _title(model, verbose_name, obj, number):
    """The item's title and the field it names the item by (``None`` for a plain numbered title)."""
    by_name = {candidate.name: candidate for candidate in model._meta.concrete_fields}
    names = [name for name in TITLE_DATES if name in by_name] + [
        candidate.name
        for candidate in model._meta.concrete_fields
        if isinstance(candidate, models.DateField)
        and not isinstance(candidate, models.DateTimeField)
        and candidate.name not in TITLE_DATES
    ]
    for name in names:
        value = getattr(obj, name, None)
        if isinstance(value, datetime.datetime):
            return f"{verbose_name}, {format_datetime(value)}", name
        if isinstance(value, datetime.date):
            return f"{verbose_name}, {day_text(value)}", name
    return f"{verbose_name} {number}", None


def is_restricted(obj):
    """Whether the row itself is restricted (its visibility), so only the SENCO and the DSL may read it."""
    return getattr(obj, "visibility", None) == Visibility.RESTRICTED


# Fields whose words only the SENCO and the DSL may read, whatever the row's visibility.
RESTRICTED_FIELDS = frozenset({("pupils.ParentLink", "status_reason")})


def _item(model, fields, verbose_name, obj, index):
    """One row as an ``Item``: its shown fields that have a value, and its title."""
    label = model._meta.label
    values = [
        Value(
            name=candidate.name,
            label=field_label(label, candidate),
            text=text,
            restricted=(label, candidate.name) in RESTRICTED_FIELDS,
        )
        for candidate in fields
        if (text := value_text(label, candidate, obj)) != ""
    ]
    if model is Pupil:
        title, title_fields = _("Details"), ()
    elif label in NAMED_ITEMS:
        title, title_fields = related_label(obj), NAMED_ITEMS[label]
    else:
        title, named_by = _title(model, verbose_name, obj, index)
        title_fields = (named_by,) if named_by else ()
    return Item(
        model=label,
        pk=str(obj.pk),
        title=title,
        values=values,
        obj=obj,
        restricted=is_restricted(obj),
        plain_title=f"{verbose_name} {index}",
        title_fields=title_fields,
    )


def gather_entry(entry, pupil, number=0):
    """One register entry's rows about ``pupil`` as a ``Section`` (one query, plus one per many-to-many)."""
    model = entry.model_class
    label = model._meta.label
    fields = shown_fields(model)
    verbose_name = str(ITEM_NAMES.get(label) or capfirst(model._meta.verbose_name))
    items = [
        _item(model, fields, verbose_name, obj, index)
        for index, obj in enumerate(_queryset(entry, pupil, fields), start=1)
    ]
    return Section(
        entry=entry,
        number=number,
        title=str(SECTION_TITLES.get(label) or capfirst(model._meta.verbose_name_plural)),
        items=items,
        tabular=label in TABULAR,
    )


def gather(pupil, entries=None):
    """Everything held about ``pupil``: a ``Section`` for every register entry, in the register's order.

    The caller opens the pupil's school scope and has checked the actor may administer the
    pupil's records: nothing here is filtered by who is asking.
    """
    return [
        gather_entry(entry, pupil, number)
        for number, entry in enumerate(entries if entries is not None else PERSONAL_DATA, start=1)
    ]
