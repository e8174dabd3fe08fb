"""What the demo's parents and pupils said about the plans, and what each school did about it.

Part of ``manage.py demo`` (see ``core.demo``), run after the plans (``demo_plans``), in both
schools, through the services, each as of the day it happened (``dataclasses.replace(actor,
today=day)``, or the parent's own actor for that day), with the timestamps the services
wrote as "now" then moved onto that day. Stories, chosen with the demo's seeded generator:

- the demo parent with a login in each school: views for the coming review (new to the
  SENCO), a request dealt with last month and one still open, and a response to the version
  shared for agreement: Laura Bennett disagrees and the SENCO replies; the secondary parent
  agrees, and her former partner's views, given by phone, are shared with her;
- responses recorded on parents' behalf for other versions shared for agreement (at a
  meeting, on paper or by phone, as suits the parent), mostly agreeing, with one
  disagreement answered and one still waiting for a reply;
- planning meetings with the parents of pupils whose first plan is being written, and a few
  other meetings, counted for this school year;
- reviews held this term for some plans whose review was overdue (the next draft opened
  with the unmet outcomes carried forward), and reviews still being written;
- pupils' own views on drafts (``demo_voices``): older pupils in their own words (one kept
  from their parents by the SENCO) and a younger pupil on the picture scale;
- invitations sent last week and not yet accepted, and one that ran out unused.

The SENCO's home page on the demo's today so has something in every list. Nothing is
ever written for a restricted link: the services refuse it, and nothing here asks.
"""

import dataclasses
import datetime

from django.utils import timezone
from django_scopes import scope

from waymark.core.actor import Actor
from waymark.plans import family, meetings
from waymark.plans.models import (
    AgreementResponse,
    ContributionChannel,
    ParentContribution,
    ParentMeeting,
    ParentRequest,
    PlanVersion,
    SupportPlan,
)
from waymark.pupils import invitations
from waymark.pupils.models import ParentInvitation, ParentLink

from . import demo_voices
from .demo_plans import FAMILY, _pronouns, _weekday
from .demo_reviews import ReviewWriter, at

DAY = datetime.timedelta(days=1)
# A plan with a version in one of these has had a plan in force: no longer its first plan.
LATER_STATUSES = [PlanVersion.Status.ACTIVE, PlanVersion.Status.SUPERSEDED, PlanVersion.Status.CLOSED]
Kind, Mode, Format = ParentRequest.Kind, ParentMeeting.Mode, ParentLink.Format

# ----- the demo parents' own words -----

LOGIN_STORIES = {
    "primary": {
        "views": {
            "going_well": "{name} has started reading to {their} little brother at bedtime, which never happened "
            "last year.",
            "worries": "{name} is very tired on reading group days and gets upset about the spelling test every "
            "Friday.",
            "would_like": "Keep the reading group every day, and send the spelling words home on Monday so we "
            "can practise.",
        },
        "agrees": False,
        "comment": "I do not agree with cutting the reading group from every day to three times a week. {name} "
        "is only just starting to enjoy reading at home and still needs it every day.",
        "reply": "Thank you for telling us. You are right that {name} has made a good start at home. We will keep "
        "the reading group every day until February half term and look at it again at the next review. Mrs "
        "Fenwick will phone you this week to arrange a meeting.",
        "earlier_request": (Kind.PAPER_COPY, "Could I have a printed copy of the plan to go through at home?"),
        "request": (Kind.MEETING, "Could we meet before the plan is agreed? After 3pm is best for me."),
    },
    "secondary": {
        "views": {
            "going_well": "{name} is getting to school on time and likes the lunch club.",
            "worries": "Some teachers do not give {name} the printed notes, and then {they} cannot keep up.",
            "would_like": "Every teacher to read the plan, and a laptop in science as well as English.",
        },
        "agrees": True,
        "comment": "Happy with this plan. Thank you for adding the laptop for English.",
        "earlier_request": (Kind.MEETING, "Could we meet about how {name} is settling into the Year 8 sets?"),
        "request": (Kind.PAPER_COPY, "Please could I have a paper copy for {name}'s grandmother, who helps with "
                    "homework."),
    },
}  # fmt: skip
OTHER_PARENT_VIEWS = {
    "going_well": "{name} talks about football club all the time when {they} {has} been with me at the weekend.",
    "would_like": "Please send me the plan by email too; I see {name} every other weekend.",
}

# ----- what other parents said, recorded by staff -----

DISAGREEMENTS = [
    "I don't want the one-to-one help at lunchtime to stop. {name} is only just settling.",
    "The plan says {name} will be in the group three times a week, but last term it hardly happened. Who will "
    "make sure it does?",
]
REPLY_TO_RECORDED = (
    "We have kept the lunchtime support in the plan until the next review. The SENCO will phone you on Friday "
    "to talk it through."
)
AGREEMENTS = ["", "", "Agreed at the meeting.", "Happy with the plan.", "Yes, thank you."]
PLANNING_NOTES = [
    "Talked through the first draft of {name}'s plan and how things are at home. The family agreed the outcomes "
    "in principle.",
    "Went through the draft plan together; the family asked for the reading target to be shared with home each week.",
]
OTHER_NOTES = [
    "Talked about attendance since half term; agreed a soft start for two weeks.",
    "Meeting about {name}'s worries at lunchtime; agreed {they} can use the library instead of the yard.",
]


class Words:
    """What the review writer needs of a pupil: name and pronouns for the text, and their main need's family."""

    def __init__(self, pupil):
        self.pupil = pupil
        self.phase = pupil.school.phase
        self.words = {"name": pupil.forename, **_pronouns(pupil)}
        needs = sorted((need for need in pupil.needs.all() if need.ends_on is None), key=lambda need: need.rank)
        self.family = FAMILY.get(needs[0].need_type.code, "learning") if needs else "learning"

    def say(self, text):
        text = text.format(**self.words)
        return text[:1].upper() + text[1:]


def _local_day(moment):
    return timezone.localdate(moment)


def _stamp(model, pk, **fields):
    model.objects.filter(pk=pk).update(**fields)


class SchoolFamilies:
    """Writes one school's family stories, inside its scope, as its SENCO or as the parent."""

    def __init__(self, rng, school, users, senco, today):
        self.rng, self.school, self.users, self.today = rng, school, users, today
        self.phase = school.phase
        self.actor = Actor.system(school, user=senco, today=today)
        self.latest = today - DAY  # the last school day before the demo's today
        while self.latest.weekday() >= 5:
            self.latest -= DAY
        self.reviews = ReviewWriter(rng=rng, actor=self.actor, phase=self.phase, latest=self.latest)

    def build(self):
        self.login_parent()
        self.recorded_responses()
        self.meetings()
        self.reviews_this_term()
        demo_voices.add_pupil_voices(self)
        self.invitations()

    # ----- helpers -----

    def date(self, first, last):
        """A school day from ``first`` to ``last``, never on or after the demo's today."""
        last = min(last, self.latest)
        if last <= first:
            return min(_weekday(first), self.latest)
        return min(_weekday(first + DAY * self.rng.randint(0, (last - first).days)), self.latest)

    def as_of(self, day):
        return dataclasses.replace(self.actor, today=day)

    def active_links(self, pupil):
        return list(ParentLink.objects.filter(pupil=pupil, status=ParentLink.Status.ACTIVE).order_by("pk"))

    def channel(self, link):
        """How a parent without an account answers: the way they asked to be contacted."""
        if link.preferred_format == Format.PHONE or not link.email:
            return ContributionChannel.PHONE
        if link.preferred_format in (Format.PAPER, Format.LARGE_PRINT, Format.EASY_READ):
            return ContributionChannel.PAPER
        return ContributionChannel.MEETING

    def pupils_with_login_parents(self):
        return ParentLink.objects.filter(pupil__school=self.school, user__isnull=False).values("pupil_id")

    # ----- the demo parent with a login -----

    def login_parent(self):
        link = (
            ParentLink.objects.filter(pupil__school=self.school, user__isnull=False, status=ParentLink.Status.ACTIVE)
            .select_related("pupil__school", "user")
            .prefetch_related("pupil__needs__need_type")
            .order_by("pk")
            .first()
        )
        pupil, story = link.pupil, LOGIN_STORIES[self.phase]
        words = Words(pupil)
        shared = PlanVersion.objects.get(plan__pupil=pupil, status=PlanVersion.Status.SHARED)
        in_force = PlanVersion.objects.get(plan__pupil=pupil, status=PlanVersion.Status.ACTIVE)
        shared_on, published_on = _local_day(shared.frozen_at), _local_day(in_force.published_at)

        def parent(day):
            return Actor.for_user(link.user, today=day)

        # Last month: a request the school dealt with.
        asked = self.date(published_on + 2 * DAY, published_on + 12 * DAY)
        kind, message = story["earlier_request"]
        request = family.request_make(actor=parent(asked), link=link, kind=kind, message=words.say(message))
        resolved = self.date(asked + DAY, asked + 4 * DAY)
        family.request_resolve(actor=self.as_of(resolved), request=request)
        _stamp(ParentRequest, request.pk, created_at=at(asked, 19, 45), resolved_at=at(resolved, 11, 10))
        # This month: the version shared for agreement, views for the next review, and a request.
        responded = self.date(shared_on + DAY, self.latest - DAY)
        response = family.response_give(
            actor=parent(responded),
            link=link,
            version=shared,
            agrees=story["agrees"],
            comment=words.say(story["comment"]),
        )
        _stamp(AgreementResponse, response.pk, responded_at=at(responded, 21, 5))
        if "reply" in story:
            replied = self.date(responded + DAY, self.latest)
            family.response_reply(actor=self.as_of(replied), response=response, reply=words.say(story["reply"]))
            _stamp(AgreementResponse, response.pk, replied_at=at(replied, 12, 20))
        kind, message = story["request"]
        request = family.request_make(actor=parent(responded), link=link, kind=kind, message=words.say(message))
        _stamp(ParentRequest, request.pk, created_at=at(responded, 21, 12))
        viewed = self.date(responded + DAY, self.latest)
        views = {key: words.say(text) for key, text in story["views"].items()}
        contribution = family.contribution_add(actor=parent(viewed), link=link, **views)
        _stamp(ParentContribution, contribution.pk, created_at=at(viewed, 20, 40))
        for other in self.active_links(pupil):
            if other.user_id is None:
                self.other_parent(words, other, shared, responded)

    def other_parent(self, words, link, shared, day):
        """The child's other parent, with no account: views and agreement by phone, views shared with the family."""
        as_of = self.as_of(day)
        views = {key: words.say(text) for key, text in OTHER_PARENT_VIEWS.items()}
        contribution = family.contribution_record(
            actor=as_of, link=link, given_via=ContributionChannel.PHONE, worries="", **views
        )
        family.contribution_sharing_change(actor=as_of, contribution=contribution, shared=True)
        response = family.response_record(
            actor=as_of,
            link=link,
            version=shared,
            given_via=ContributionChannel.PHONE,
            agrees=True,
            comment="Yes, I agree. Please email me a copy.",
        )
        _stamp(ParentContribution, contribution.pk, created_at=at(day, 10, 15), seen_at=at(day, 10, 15))
        _stamp(AgreementResponse, response.pk, responded_at=at(day, 10, 20))

    # ----- responses recorded on parents' behalf -----

    def recorded_responses(self):
        shared = (
            PlanVersion.objects.filter(plan__pupil__school=self.school, status=PlanVersion.Status.SHARED)
            .exclude(plan__pupil__in=self.pupils_with_login_parents())
            .select_related("plan__pupil__school")
            .prefetch_related("plan__pupil__needs__need_type")
            .order_by("pk")
        )
        disagreements = 0
        for version in shared:
            pupil = version.plan.pupil
            links = self.active_links(pupil)
            if not links:
                continue
            shared_on = _local_day(version.frozen_at)
            if shared_on >= self.latest:
                continue  # shared on the last day: nobody has answered yet
            words = Words(pupil)
            day = self.date(shared_on + DAY, self.latest)
            if disagreements < 2:
                # The first waits for a reply on the SENCO's home page; the second has had one.
                comment = words.say(DISAGREEMENTS[disagreements])
                response = self.respond(links[0], version, day, agrees=False, comment=comment)
                if disagreements == 1:
                    replied = self.date(day + DAY, self.latest)
                    family.response_reply(actor=self.as_of(replied), response=response, reply=REPLY_TO_RECORDED)
                    _stamp(AgreementResponse, response.pk, replied_at=at(replied, 16, 45))
                disagreements += 1
                continue
            for position, link in enumerate(links):
                if self.rng.random() < (0.6 if position == 0 else 0.4):
                    self.respond(link, version, day, agrees=True, comment=self.rng.choice(AGREEMENTS))

    def respond(self, link, version, day, *, agrees, comment):
        response = family.response_record(
            actor=self.as_of(day),
            link=link,
            version=version,
            given_via=self.channel(link),
            agrees=agrees,
            comment=comment,
        )
        _stamp(AgreementResponse, response.pk, responded_at=at(day, 13, 20))
        return response

    # ----- meetings outside reviews -----

    def meetings(self):
        """Planning meetings for first plans being written; a few other meetings about plans in force."""
        first_plans = (
            SupportPlan.objects.filter(pupil__school=self.school)
            .exclude(versions__status__in=LATER_STATUSES)
            .select_related("pupil__school")
            .prefetch_related("pupil__needs__need_type", "versions")
            .order_by("pk")
        )
        held = 0
        for plan in first_plans:
            links = self.active_links(plan.pupil)
            if not links or held >= 4:
                continue
            version = max(plan.versions.all(), key=lambda version: version.number)
            started = _local_day(version.created_at)
            until = _local_day(version.frozen_at) if version.frozen_at else self.latest
            self.meet(plan.pupil, links, self.date(started + DAY, until), ParentMeeting.Kind.PLANNING, PLANNING_NOTES)
            held += 1
        in_force = (
            PlanVersion.objects.filter(plan__pupil__school=self.school, status=PlanVersion.Status.ACTIVE)
            .exclude(plan__pupil__in=self.pupils_with_login_parents())
            .select_related("plan__pupil__school")
            .prefetch_related("plan__pupil__needs__need_type")
            .order_by("-pk")
        )
        others = 0
        for version in in_force:
            links = self.active_links(version.plan.pupil)
            if links and others < 2:
                day = self.date(datetime.date(2026, 11, 2), self.latest)
                self.meet(version.plan.pupil, links[:1], day, ParentMeeting.Kind.OTHER, OTHER_NOTES[others:])
                others += 1

    def meet(self, pupil, links, day, kind, notes):
        came = [link for position, link in enumerate(links) if position == 0 or self.rng.random() < 0.5]
        words = Words(pupil)
        mode = self.rng.choice([Mode.IN_PERSON, Mode.IN_PERSON, Mode.VIDEO])
        if came[0].preferred_format == Format.PHONE:
            mode = Mode.PHONE
        note = words.say(self.rng.choice(notes) if kind == ParentMeeting.Kind.PLANNING else notes[0])
        interpreted = sorted({link.language for link in came if link.needs_interpreter and link.language})
        if interpreted:
            note += " " + " ".join(f"A {language} interpreter was booked." for language in interpreted)
        meeting = meetings.meeting_record(
            actor=self.as_of(day), pupil=pupil, held_on=day, kind=kind, mode=mode, parents=came, notes=note
        )
        _stamp(ParentMeeting, meeting.pk, recorded_at=at(day, 17, 5))
        return meeting

    # ----- reviews this term -----

    def reviews_this_term(self):
        """Some overdue reviews held (the next draft opened), and reviews being written for others."""
        in_force = list(
            PlanVersion.objects.filter(plan__pupil__school=self.school, status=PlanVersion.Status.ACTIVE)
            .exclude(plan__versions__status__in=[PlanVersion.Status.DRAFT, PlanVersion.Status.SHARED])
            .select_related("plan__pupil__school")
            .prefetch_related("plan__pupil__needs__need_type")
            .order_by("pk")
        )
        overdue = [version for version in in_force if version.next_review_on < self.today]
        due_soon = [version for version in in_force if self.today <= version.next_review_on <= self.today + 14 * DAY]
        # Keep at least two overdue for the SENCO's home page; hold up to two of the rest.
        for version in overdue[: max(0, len(overdue) - 2)][:2]:
            published = _local_day(version.published_at)
            held = self.date(max(version.next_review_on, published + DAY), self.latest)
            next_review = _weekday(held + self.rng.randint(84, 119) * DAY)
            self.reviews.hold(Words(version.plan.pupil), held_on=held, next_review=next_review)
        for version in (overdue[-1:] + due_soon[:1])[:2]:
            held = self.date(self.today - 6 * DAY, self.latest)
            self.reviews.hold(Words(version.plan.pupil), held_on=held, next_review=None, complete=False)

    # ----- invitations -----

    def invitations(self):
        """Three parents invited last week, not yet accepted; one invitation in October that ran out."""
        invitable = (
            ParentLink.objects.filter(pupil__school=self.school, status=ParentLink.Status.ACTIVE, user__isnull=True)
            .exclude(email="")
            .exclude(pupil__in=self.pupils_with_login_parents())
            .filter(pupil__support_plan__versions__status=PlanVersion.Status.ACTIVE)
            .select_related("pupil__school")
            .order_by("pk")
        )
        chosen = self.rng.sample(list(invitable[:60]), 4)
        sent = self.date(self.today - 6 * DAY, self.latest)
        issued = invitations.parent_invite_many(actor=self.as_of(sent), links=chosen[:3])
        for minute, invitation in enumerate(item.invitation for item in issued):
            created = at(sent, 15, 5 + minute)
            _stamp(
                ParentInvitation,
                invitation.pk,
                created_at=created,
                expires_at=created + invitations.INVITATION_DAYS * DAY,
            )
        old = self.date(datetime.date(2026, 10, 5), datetime.date(2026, 10, 9))
        expired = invitations.parent_invite(actor=self.as_of(old), link=chosen[3]).invitation
        created = at(old, 9, 50)
        _stamp(ParentInvitation, expired.pk, created_at=created, expires_at=created + invitations.INVITATION_DAYS * DAY)


def build_family(rng, schools, users, *, today):
    """The family stories of every demo school (``schools`` by key)."""
    senco_roles = {"primary": "senco", "secondary": "other-school-senco"}
    for key, school in schools.items():
        with scope(school=[school.pk]):
            SchoolFamilies(rng, school, users, users[senco_roles[key]], today).build()
