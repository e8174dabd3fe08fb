"""The pupil's own voice: the questions a child is asked, and the services behind the locked mode.

A member of staff who may edit the plan opens a child-friendly form for one pupil and one
draft (``pupil_voice_start``) and hands the device over. The browser session then stays
locked on that form (``pupil_voice_lock``) until the form is sent (``pupil_voice_save``)
or left (``pupil_voice_end``); either way the whole session is flushed, so the adult is
signed out.

Each answer is kept with the words of its question as the child saw them, so a later
change of wording here never changes what the child said.

If the draft stops being a draft while the child is answering (someone else shared or
published it), the answers are not saved anywhere: the shared or published version is
frozen, and putting a child's words into the next draft unseen would be worse than asking
again. The child is told to tell the adult, and the end is audited with the reason.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waymark.core.access import Action, Reach
from waymark.core.audit import audit_record
from waymark.core.models import Visibility
from waymark.core.services import require, require_pupil, save_versioned
from waymark.pupils.models import Pupil

from .models import PupilVoice
from .services import _require_draft, _visibility_allowed

Style = PupilVoice.Style
FACES = "faces"
TEXT = "text"
# Long enough for anything a child wants to say, short enough to read out at a review.
MAX_ANSWER_LENGTH = 2000

# The picture scale, from very sad to very happy. The words are what is kept and shown.
FACE_CHOICES = (
    ("1", gettext_lazy("Very sad")),
    ("2", gettext_lazy("Sad")),
    ("3", gettext_lazy("OK")),
    ("4", gettext_lazy("Happy")),
    ("5", gettext_lazy("Very happy")),
)


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    kind: str = TEXT
    hint: str = ""


QUESTIONS = {
    Style.YOUNGER: (
        Question("school", gettext_lazy("How do you feel about school?"), FACES),
        Question("reading", gettext_lazy("How do you feel about reading?"), FACES),
        Question("playtime", gettext_lazy("How do you feel about playtime?"), FACES),
        Question("helps", gettext_lazy("What helps you?")),
        Question("anything_else", gettext_lazy("Is there anything else you want to tell us?")),
    ),
    Style.OLDER: (
        Question("going_well", gettext_lazy("What is going well at school?")),
        Question(
            "hard",
            gettext_lazy("What is hard?"),
            hint=gettext_lazy("It could be a lesson, a time of day, or something else."),
        ),
        Question("helps", gettext_lazy("What helps you learn?")),
        Question("change", gettext_lazy("What would you like to change?")),
        Question("adults_know", gettext_lazy("What do you want adults to know about you?")),
    ),
}
STYLE_CHOICES = (
    (Style.YOUNGER, gettext_lazy("Younger pupils: pictures and a few words")),
    (Style.OLDER, gettext_lazy("Older pupils: questions to answer in their own words")),
)


def questions_for(style):
    return QUESTIONS[Style(style)]


def face_label(value):
    return next((str(label) for key, label in FACE_CHOICES if key == str(value)), "")


def answers_from(style, cleaned_data):
    """The form's answers as they are kept: every question in order, with its words as shown."""
    answers = []
    for question in questions_for(style):
        value = cleaned_data.get(question.key) or ""
        answer = face_label(value) if question.kind == FACES else value.strip()
        answers.append({"question": str(question.text), "answer": answer})
    return answers


def default_style(pupil):
    """A starting suggestion only: the adult who knows the child chooses."""
    return Style.YOUNGER if pupil.year_group <= 4 else Style.OLDER


def _check_style(style):
    if style not in Style.values:
        raise ValidationError({"style": _("Choose the version of the form for younger or older pupils.")})


def _check_answers(answers):
    if not isinstance(answers, list) or not all(
        isinstance(row, dict) and isinstance(row.get("question"), str) and isinstance(row.get("answer"), str)
        for row in answers
    ):
        raise ValidationError(_("The answers could not be read. Please try again."))
    if any(len(row["answer"]) > MAX_ANSWER_LENGTH for row in answers):
        raise ValidationError(
            _("Each answer must be %(limit)d characters or fewer.") % {"limit": MAX_ANSWER_LENGTH}, code="too_long"
        )
    if not any(row["answer"].strip() for row in answers):
        raise ValidationError(
            _("Answer at least one question, or press ‘Stop without sending’ if you do not want to answer."),
            code="empty",
        )


@transaction.atomic
def pupil_voice_start(*, actor, version, style):
    """Open the pupil's views form for ``version``'s pupil.

    Guarantees the actor may edit the pupil's plan, the version is still a draft and the
    style is known; records who opened it. Locking the browser session is the caller's job
    (``pupil_voice_lock.lock_session``): a service never touches a request.
    """
    pupil = version.plan.pupil
    require_pupil(actor, pupil, Action.EDIT)
    _require_draft(version)
    _check_style(style)
    audit_record(actor=actor, action="plans.pupil_voice.started", target=version, pupil=pupil, data={"style": style})
    return version


@transaction.atomic
def pupil_voice_save(*, actor, version, style, answers):
    """Keep the pupil's answers on the draft's about-me section, given now, with ``actor``.

    Refuses (nothing saved) unless the actor may still edit the plan and the version is
    still a draft at this moment; refuses an empty or over-long answer set.
    """
    pupil = version.plan.pupil
    require_pupil(actor, pupil, Action.EDIT)
    _require_draft(version)
    _check_style(style)
    _check_answers(answers)
    voice = PupilVoice(
        version=version,
        style=style,
        answers=[{"question": row["question"], "answer": row["answer"].strip()} for row in answers],
        given_at=timezone.now(),
        given_with=actor.user,
        visibility=Visibility.EVERYONE,
    )
    save_versioned(voice)
    audit_record(
        actor=actor,
        action="plans.pupil_voice.given",
        target=version,
        pupil=pupil,
        data={"voice": str(voice.public_id), "style": style},
    )
    return voice


@transaction.atomic
def pupil_voice_end(*, actor, version, reason):
    """Record that the form ended with nothing saved (left idle, stopped, or the draft was gone)."""
    pupil = version.plan.pupil
    require_pupil(actor, pupil, Action.EDIT)
    audit_record(actor=actor, action="plans.pupil_voice.ended", target=version, pupil=pupil, data={"reason": reason})


def may_judge_visibility(actor, pupil):
    """The SENCO's judgement: those who review or publish plans for every pupil of the school."""
    for action in (Action.REVIEW, Action.PUBLISH):
        if actor.reach(action) == Reach.ALL:
            if Pupil.objects.restrict(actor, action, audience="staff").filter(pk=pupil.pk).exists():
                return True
    return False


@transaction.atomic
def pupil_voice_visibility_set(*, actor, voice, hidden_from_parents, expected_version=None):
    """Keep an older pupil's views from their parents (staff still see them), or show them again.

    Only on a draft, like every other change to a plan; only an older pupil's views can be
    kept from parents; restricted content stays with those who may see it.
    """
    version = voice.version
    pupil = version.plan.pupil
    require(may_judge_visibility(actor, pupil))
    _visibility_allowed(actor, voice.visibility)
    _require_draft(version)
    hidden_from_parents = bool(hidden_from_parents)
    if hidden_from_parents and voice.style != Style.OLDER:
        raise ValidationError(_("Only an older pupil’s views can be kept from their parents."))
    if voice.visibility == Visibility.RESTRICTED:
        raise ValidationError(_("These views are restricted. Change who can see them in the plan instead."))
    voice.visibility = Visibility.STAFF if hidden_from_parents else Visibility.EVERYONE
    save_versioned(voice, expected_version=expected_version)
    audit_record(
        actor=actor,
        action="plans.pupil_voice.visibility_changed",
        target=version,
        pupil=pupil,
        data={"voice": str(voice.public_id), "hidden_from_parents": hidden_from_parents},
    )
    return voice
