"""Aggregate figures that leave the SEND team: counts only, small numbers suppressed.

A count below the threshold could identify a child, so it is shown as "fewer than 5".
Hiding one cell alone is not enough when the group's total is shown (total minus the
others gives it back), so when exactly one cell of a group is hidden the next smallest is
hidden too (secondary suppression).
"""

from django.conf import settings

from waymark.schools.models import year_group_label

from .models import NeedType, Provision, Tier
from .selectors import register_counts


def suppress_counts(counts, threshold):
    """``{key: count}`` with identifying counts replaced by ``None``."""
    hidden = {key for key, n in counts.items() if 0 < n < threshold}
    if len(hidden) == 1:
        shown = sorted((n, str(key), key) for key, n in counts.items() if key not in hidden and n > 0)
        if shown:
            hidden.add(shown[0][2])
    return {key: (None if key in hidden else n) for key, n in counts.items()}


def suppress_total(count, threshold):
    return None if 0 < count < threshold else count


def _rows(counts, label, threshold, sort_by_label=False):
    suppressed = suppress_counts({key: n for key, n in counts.items() if n}, threshold)
    rows = [{"label": label(key), "count": n} for key, n in suppressed.items()]
    return sorted(rows, key=lambda row: row["label"]) if sort_by_label else rows


def figures_context(school, today):
    """One school's counts as the figures pages show them."""
    counts = register_counts(school, today)
    threshold = settings.WAYMARK_SMALL_NUMBER_THRESHOLD
    need_names = dict(NeedType.objects.values_list("code", "name"))
    return {
        "school": school,
        "threshold": threshold,
        "pupils": suppress_total(counts["pupils"], threshold),
        "on_register": suppress_total(counts["on_register"], threshold),
        "by_provision": _rows(counts["by_provision"], lambda k: Provision(k).label, threshold),
        "by_tier": _rows(counts["by_tier"], lambda k: Tier(k).label, threshold),
        "by_need": _rows(counts["by_need"], lambda k: f"{k} – {need_names.get(k, k)}", threshold, sort_by_label=True),
        "by_year": [
            {"label": year_group_label(key), "count": n}
            for key, n in sorted(suppress_counts(counts["by_year"], threshold).items())
        ],
    }
