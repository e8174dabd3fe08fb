"""The demo's pupils' own voices: answers given in the locked pupil-voice mode, on drafts.

Part of ``manage.py demo``, after the plans (see ``demo_family``). Through the pupil-voice
services (``pupil_voice_start`` and ``pupil_voice_save``) as of a school day after the draft
was started, with the adult who sat with the pupil: in the primary a younger pupil answers
on the picture scale with the deputy SENCO and an older pupil in words; in the secondary
three older pupils answer in their own words, and the SENCO keeps one of them from their
parents (``pupil_voice_visibility_set``), as the issue asks the SENCO to be able to do.
"""

import dataclasses

from django.utils import timezone

from waymark.core.actor import Actor
from waymark.plans import pupil_voice
from waymark.plans.models import PlanVersion, PupilVoice

from .demo_reviews import DAY, at

YOUNGER_HELPS = ["When the teacher sits next to me.", "My number line and my word mat.", "The quiet table."]
YOUNGER_ELSE = ["I like Biscuit the class dog.", "I can do the monkey bars now.", ""]
OLDER_ANSWERS = {
    "going_well": ["Art and being with my friends at lunch.", "I can type faster now.", "PE and drama."],
    "hard": ["Long writing in English and history.", "When the room is noisy I can't think.",
             "Homework, because I forget what it was."],
    "helps": ["Having the instructions written down.", "Going to the mentor room when I need to.",
              "When teachers check I know what to do without making a big deal of it."],
    "change": ["Sit me nearer the front in science.", "Let me use my laptop in every lesson.",
               "Fewer interventions in PE."],
    "adults_know": ["I'm trying, even when it doesn't look like it.", "I don't like being asked to read out loud.",
                    "I'm good at fixing things."],
}  # fmt: skip
PRIVATE_ANSWERS = {
    "going_well": "Art, and my friends at lunch.",
    "hard": "Home is hard at the moment, and I get angry in lessons when I'm tired.",
    "helps": "Going to the mentor room when I need to.",
    "change": "I don't want my mum to find out I get upset at school.",
    "adults_know": "I'm trying, even when it doesn't look like it.",
}


def add_pupil_voices(builder):
    """The pupils' views on a few of one school's drafts (``builder``: its ``demo_family.SchoolFamilies``)."""
    drafts = list(
        PlanVersion.objects.filter(plan__pupil__school=builder.school, status=PlanVersion.Status.DRAFT)
        .select_related("plan__pupil")
        .order_by("pk")
    )
    Style = PupilVoice.Style
    if builder.phase == "primary":
        younger = [draft for draft in drafts if 1 <= draft.plan.pupil.year_group <= 3]
        older = [draft for draft in drafts if draft.plan.pupil.year_group >= 5]
        with_adult = Actor.for_user(builder.users["deputy-senco"], today=builder.latest)
        chosen = [(draft, Style.YOUNGER, with_adult) for draft in younger[:1]]
        chosen += [(draft, Style.OLDER, builder.actor) for draft in older[:1]]
    else:
        older = [draft for draft in drafts if draft.plan.pupil.year_group >= 8]
        chosen = [(draft, Style.OLDER, builder.actor) for draft in older[:3]]
    for position, (draft, style, adult) in enumerate(chosen):
        private = builder.phase == "secondary" and position == 0
        _voice(builder, draft, style, adult, private=private)


def _voice(builder, draft, style, adult, *, private=False):
    rng = builder.rng
    day = builder.date(timezone.localdate(draft.created_at) + DAY, builder.latest)
    adult = dataclasses.replace(adult, today=day)
    if style == PupilVoice.Style.YOUNGER:
        given = {"school": str(rng.randint(3, 5)), "reading": str(rng.randint(1, 3)),
                 "playtime": str(rng.randint(2, 5)), "helps": rng.choice(YOUNGER_HELPS),
                 "anything_else": rng.choice(YOUNGER_ELSE)}  # fmt: skip
    elif private:
        given = dict(PRIVATE_ANSWERS)
    else:
        given = {key: rng.choice(options) for key, options in OLDER_ANSWERS.items()}
    pupil_voice.pupil_voice_start(actor=adult, version=draft, style=style)
    voice = pupil_voice.pupil_voice_save(
        actor=adult, version=draft, style=style, answers=pupil_voice.answers_from(style, given)
    )
    PupilVoice.objects.filter(pk=voice.pk).update(given_at=at(day, 10, 30))
    if private:
        voice.refresh_from_db()
        pupil_voice.pupil_voice_visibility_set(
            actor=builder.as_of(day), voice=voice, hidden_from_parents=True, expected_version=voice.lock_version
        )
