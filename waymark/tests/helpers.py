"""Small helpers the app tests share: form data in the GOV.UK shapes, and what changed."""

import html
import re

from django_scopes import scopes_disabled

from waymark.core.models import AuditEvent
from waymark.evidence.models import Share
from waymark.pupils.models import Enrolment, Need, ParentLink, Pupil, SenStatus
from waymark.schools.models import AcademicYear, GroupStaff, Membership, StaffInvitation, Term


def date_fields(prefix, value):
    """A GOV.UK date input as posted: ``<prefix>_day``, ``_month``, ``_year``; ``value`` a date, a tuple or None."""
    if value is None:
        day = month = year = ""
    elif isinstance(value, tuple):
        day, month, year = (str(part) for part in value)
    else:
        day, month, year = str(value.day), str(value.month), str(value.year)
    return {f"{prefix}_day": day, f"{prefix}_month": month, f"{prefix}_year": year}


def pupil_post_data(pupil, **changes):
    data = {
        "legal_forename": pupil.legal_forename,
        "legal_surname": pupil.legal_surname,
        "preferred_name": pupil.preferred_name,
        "pronouns": pupil.pronouns,
        "upn": pupil.upn,
        "year_group": str(pupil.year_group),
        "sex": pupil.sex,
        **date_fields("date_of_birth", pupil.date_of_birth),
        **date_fields("date_joined", pupil.date_joined),
        **date_fields("date_left", pupil.date_left),
        "lock_version": str(pupil.lock_version),
    }
    data.update(changes)
    return data


def error_summary(response):
    """The text of the GOV.UK error summary's list, unescaped; '' when the page has none."""
    content = response.content.decode()
    match = re.search(r'class="govuk-error-summary".*?<ul[^>]*>(.*?)</ul>', content, re.S)
    if not match:
        return ""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


def fingerprint(*, audit=True):
    """Everything a write could change in the tables these apps own, as plain values; without the
    audit count when ``audit`` is false (for a refusal, which is audited but changes nothing else)."""
    with scopes_disabled():
        return {
            **({"audit": AuditEvent.objects.count()} if audit else {}),
            "pupils": list(
                Pupil.objects.order_by("pk").values_list(
                    "pk",
                    "school_id",
                    "upn",
                    "legal_forename",
                    "date_of_birth",
                    "year_group",
                    "date_left",
                    "lock_version",
                )
            ),
            "statuses": list(
                SenStatus.objects.order_by("pk").values_list("pk", "provision", "tier", "starts_on", "ends_on")
            ),
            "needs": list(
                Need.objects.order_by("pk").values_list(
                    "pk", "need_type_id", "rank", "description", "ends_on", "lock_version"
                )
            ),
            "links": list(
                ParentLink.objects.order_by("pk").values_list("pk", "status", "status_reason", "lock_version")
            ),
            "enrolments": list(Enrolment.objects.order_by("pk").values_list("pk", "group_id", "starts_on", "ends_on")),
            "memberships": list(
                Membership.objects.order_by("pk").values_list("pk", "roles", "year_groups", "ends_on", "lock_version")
            ),
            "group_staff": list(GroupStaff.objects.order_by("pk").values_list("pk", "starts_on", "ends_on")),
            "years": list(AcademicYear.objects.order_by("pk").values_list("pk", "starts_on", "rolled_over_at")),
            "terms": list(Term.objects.order_by("pk").values_list("pk", "starts_on", "ends_on")),
            "invitations": list(StaffInvitation.objects.order_by("pk").values_list("pk", "accepted_at")),
            "shares": Share.objects.count(),
        }


def cast_mismatches(cast, client_for, url, allowed):
    """Cast members whose GET of ``url`` is not 200 (``allowed``) or 404 (everyone else), one line each."""
    wrong = []
    for name, user in cast.people.items():
        expected = 200 if name in allowed else 404
        got = client_for(user).get(url).status_code
        if got != expected:
            wrong.append(f"{name}: expected {expected}, got {got}")
    return wrong


def text_of(response):
    """The page's visible words: scripts, styles and tags removed, spaces collapsed."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
