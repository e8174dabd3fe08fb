"""The demo's evidence: the psychologist's share and report, notes on pupils' timelines, documents for families.

Part of ``manage.py demo``, through the evidence services (``evidence.shares``,
``evidence.notes``, ``evidence.documents``), each by the person who did it, signed in on
the day, with the services' "now" then moved onto that day. Stories:

- the SENCO shares a Year 4 pupil with the educational psychologist by email (the share
  waits with no specialist until accepted), and the psychologist accepts it the next day:
  a share of the plan and documents that lets her add a report (``share_with_specialist``,
  called early in the build, since the plans tell the same story);
- after half-term the psychologist adds her report through the share: a one-page PDF made
  here with WeasyPrint, with her recommendations, seen by staff until the SENCO decides;
- the SENCO uploads a letter home for the demo parent's child and a page of speech and
  language targets for the shared pupil, both marked for everyone: the parent and the
  psychologist can download them;
- notes on timelines by the TA, the class teacher and the SENCOs, some about an outcome in
  the pupil's plan; one for each demo parent's child is marked for everyone, so the parent
  reads it on "Support this term".
"""

import datetime
import logging
from contextlib import contextmanager

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.html import escape
from django_scopes import scope

from waymark.core.actor import Actor
from waymark.core.models import Visibility
from waymark.evidence.documents import document_upload
from waymark.evidence.models import Document, Note, Share
from waymark.evidence.notes import note_add
from waymark.evidence.selectors import outcome_choices
from waymark.evidence.shares import share_accept, share_create, share_report_add
from waymark.provision.models import GroupMember
from waymark.pupils.models import ParentLink

D = datetime.date
EVERYONE, STAFF = Visibility.EVERYONE, Visibility.STAFF
SHARED_ON, ACCEPTED_ON, SHARE_ENDS = D(2026, 9, 28), D(2026, 9, 29), D(2027, 7, 21)
SERVICE = "Riverside Educational Psychology Service (Experts at Hand)"
CONSENT = "Parental consent given in writing on 21 September 2026 for an educational psychology assessment."
REPORT_WRITTEN_ON, REPORT_ADDED_ON = D(2026, 11, 2), D(2026, 11, 4)
RECOMMENDATIONS = (
    "Pre-teach the key words for each new topic with pictures, and check {name} can use them in a sentence.\n"
    "Give instructions one step at a time, with a picture or written prompt to refer back to.\n"
    "Keep the vocabulary group twice a week and review progress at the spring review.\n"
    "Ask the speech and language therapy service to review {name}'s expressive language before then."
)
REPORT = (
    "{name} was seen in class, in a small vocabulary group and one to one on 14 and 21 October 2026, "
    "at the request of the school and with the written consent of {name}'s parents.",
    "{name} is a friendly, hard-working pupil who joins in readily when an adult is close by. Verbal "
    "comprehension and expressive vocabulary were below what is typical for {name}'s age; non-verbal "
    "reasoning and visual memory were secure strengths.",
    "In class, {name} lost track of longer spoken instructions and waited for other pupils to start. "
    "With a visual prompt and the key words taught beforehand, {name} started promptly and answered "
    "questions in full sentences.",
)
# (pupil label, author's cast role, visibility, about an outcome, day, words)
NOTES = {
    "primary": (
        ("child", "ta", EVERYONE, True, D(2026, 11, 10),
         "{name} read every word on this week's phonics card without help, then asked to read a page of the "
         "group's book aloud. A lovely moment."),
        ("child", "teacher", STAFF, True, D(2026, 11, 4),
         "Used the word mat without a reminder in history and wrote three sentences independently."),
        ("phonics", "ta", STAFF, False, D(2026, 11, 5),
         "{name} was tired and unsettled in phonics all week and mentioned late nights. Passed on to the class "
         "teacher."),
        ("costly", "senco", STAFF, True, D(2026, 10, 14),
         "Met {name}'s parents with the speech and language therapist: sessions are now fortnightly in school, "
         "and the strategies have been shared with the nurture group staff."),
        ("shared", "senco", STAFF, False, D(2026, 10, 21),
         "The educational psychologist observed {name} in class and in the vocabulary group. Her report will "
         "follow after half-term."),
    ),
    "secondary": (
        ("child", "other-school-senco", EVERYONE, True, D(2026, 11, 6),
         "{name} is using the spelling strategies from the group in English: 14 out of 20 in this week's test, "
         "up from 8 at the start of term."),
        ("worries", "other-school-senco", STAFF, False, D(2026, 10, 22),
         "{name} said the breathing steps helped before the maths test. Agreed a Thursday check-in now the "
         "group has finished."),
    ),
}  # fmt: skip
LETTER_HOME = (
    "Dear parent or carer,",
    "{name} has been part of our phonics catch-up group every morning this half term. {name} now reads most "
    "of the sounds taught in Year 2 and is blending longer words with more confidence.",
    "At home, please keep reading the book sent home each week together, and ask {name} to point to the "
    "sounds in the words that are tricky. The group carries on after half term.",
    "With best wishes, the Kingfisher Primary SEN team",
)
TARGETS = (
    "These targets were agreed with {name}'s speech and language therapist for school and home.",
    "1. Use the new topic words in a sentence each week.  2. Follow two-step instructions without a reminder. "
    "3. Tell a short story with a beginning, middle and end using picture prompts.",
)


def _at(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@contextmanager
def _quiet_weasyprint():
    """WeasyPrint reports every step at INFO, which would fill the output of ``manage.py demo``."""
    loggers = [logging.getLogger(name) for name in ("weasyprint", "weasyprint.progress")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def pdf(title, paragraphs):
    """A one-page PDF: a heading and paragraphs, made in memory (nothing is fetched)."""
    body = "".join(f"<p>{escape(text)}</p>" for text in paragraphs)
    title = escape(title)
    html = (
        f'<html lang="en"><head><meta charset="utf-8"><title>{title}</title><style>'
        "body { font-family: sans-serif; font-size: 11pt; margin: 2cm; } h1 { font-size: 18pt; }"
        f"</style></head><body><h1>{title}</h1>{body}</body></html>"
    )
    with _quiet_weasyprint():
        from weasyprint import HTML  # its import reads its own stylesheets, reporting each

        return HTML(string=html).write_pdf()


def _upload(name, title, paragraphs):
    return SimpleUploadedFile(name, pdf(title, paragraphs), content_type="application/pdf")


def share_with_specialist(pupil, users):
    """The psychologist's live share of ``pupil``, made by the SENCO and accepted the next day."""
    specialist = users["specialist"]
    senco = Actor.for_user(users["senco"], today=SHARED_ON)
    issued = share_create(
        actor=senco,
        pupil=pupil,
        email=specialist.email,
        full_name=specialist.full_name,
        service=SERVICE,
        expires_on=SHARE_ENDS,
        lawful_basis_kind=Share.LawfulBasis.CONSENT,
        lawful_basis=CONSENT,
        can_see_plan=True,
        can_see_documents=True,
        can_add_report=True,
    )
    share = share_accept(share=issued.share, user=specialist, today=ACCEPTED_ON)
    Share.objects.filter(pk=share.pk).update(created_at=_at(SHARED_ON, 15), accepted_at=_at(ACCEPTED_ON, 9))
    return share


def build_evidence(schools, users, groups, *, today):
    """Notes and documents in both schools (``groups`` are each school's intervention groups, by key)."""
    for key, school in schools.items():
        with scope(school=[school.pk]):
            pupils = _pupils(school, groups[key])
            for label, role, visibility, about_outcome, day, words in NOTES[key]:
                if label in pupils:
                    _note(users[role], pupils[label], visibility, about_outcome, day, words)
            if key == "primary":
                _documents(school, users, pupils)


def _pupils(school, groups):
    """The pupils the stories are about, by label."""
    found = {}
    link = (
        ParentLink.objects.filter(pupil__school=school, status=ParentLink.Status.ACTIVE, user__isnull=False)
        .order_by("pk")
        .first()
    )
    if link is not None:
        found["child"] = link.pupil
    share = Share.objects.filter(pupil__school=school).select_related("pupil").first()
    if share is not None:
        found["shared"] = share.pupil
    costly = (
        GroupMember.objects.filter(group__in=groups, group__name="Maths tuition pair", pupil__costs__isnull=False)
        .select_related("pupil")
        .first()
    )
    if costly is not None:
        found["costly"] = costly.pupil
    for label, name in (("phonics", "Beech phonics catch-up"), ("worries", "Managing worries (Years 9 to 11)")):
        member = (
            GroupMember.objects.filter(group__in=groups, group__name=name)
            .exclude(pupil_id__in=[pupil.pk for pupil in found.values()])
            .select_related("pupil")
            .order_by("pupil_id")
            .first()
        )
        if member is not None:
            found[label] = member.pupil
    return found


def _note(user, pupil, visibility, about_outcome, day, words):
    actor = Actor.for_user(user, today=day)
    outcome = None
    if about_outcome:
        choices = outcome_choices(actor, pupil)
        outcome = choices[0][0] if choices else None
    note = note_add(
        actor=actor,
        pupil=pupil,
        text=words.format(name=pupil.forename),
        happened_on=day,
        outcome=outcome,
        visibility=visibility,
    )
    Note.objects.filter(pk=note.pk).update(written_at=_at(day, 16))
    return note


def _documents(school, users, pupils):
    """The psychologist's report through her share, and two documents for families from the SENCO."""
    shared, child = pupils.get("shared"), pupils.get("child")
    added = []  # (document, the day it was added)
    if shared is not None:
        share = Share.objects.live(REPORT_ADDED_ON).get(pupil=shared, specialist=users["specialist"])
        name = shared.forename
        report = share_report_add(
            actor=Actor.for_user(users["specialist"], today=REPORT_ADDED_ON),
            share=share,
            upload=_upload(
                "educational-psychology-report.pdf",
                "Educational psychology report",
                [text.format(name=name) for text in REPORT],
            ),
            title="Educational psychology report",
            written_on=REPORT_WRITTEN_ON,
            recommendations=RECOMMENDATIONS.format(name=name),
        )
        added.append((report, REPORT_ADDED_ON))
        title = "Speech and language targets for school and home"
        added.append((_senco_upload(users, shared, title, Document.Kind.OTHER, D(2026, 10, 19), TARGETS), None))
    if child is not None:
        title = "Phonics catch-up: letter home at half-term"
        added.append((_senco_upload(users, child, title, Document.Kind.LETTER, D(2026, 10, 23), LETTER_HOME), None))
    for document, day in added:
        Document.objects.filter(pk=document.pk).update(uploaded_at=_at(day or document.written_on, 10))


def _senco_upload(users, pupil, title, kind, written_on, paragraphs):
    senco = users["senco"]
    file_name = "-".join(title.lower().replace(":", "").split()) + ".pdf"
    return document_upload(
        actor=Actor.for_user(senco, today=written_on),
        pupil=pupil,
        upload=_upload(file_name, title, [text.format(name=pupil.forename) for text in paragraphs]),
        title=title,
        kind=kind,
        written_on=written_on,
        visibility=EVERYONE,
        author=f"{senco.full_name}, SENCO",
    )
