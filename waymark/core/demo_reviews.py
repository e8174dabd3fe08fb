"""The demo's reviews: the plan in force rated, discussed with the family, and the next draft opened.

Used by ``demo_plans`` whenever a pupil's plan moves on to its next version (the review
comes first, as in school: the draft it opens is the next version, with the unmet outcomes
carried forward) and by ``demo_family`` for reviews held this term and reviews still being
written. Everything goes through ``plans.reviews`` and ``plans.family`` as of the day the
review was held (``dataclasses.replace(actor, today=day)``); afterwards the timestamps the
services wrote as "now" are moved onto that day with a plain ``update``.

Before a review the parents' views come in: online from a parent who has an account, and
otherwise recorded by the SENCO as given at the meeting, by phone or on paper, whichever
suits that parent (their preferred format). The parents who came are ticked on the review,
so completing it records a meeting with them for the school year.
"""

import dataclasses
import datetime

from django.utils import timezone

from waymark.core.actor import Actor
from waymark.plans import family, reviews
from waymark.plans.models import ContributionChannel, ParentContribution, ParentMeeting, PlanVersion, Review
from waymark.pupils.models import ParentLink

DAY = datetime.timedelta(days=1)


def at(day, hour=16, minute=0):
    """A moment on ``day``, for the timestamps the services wrote as "now"."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


# ----- what people said -----

PARTICIPANTS = {
    "primary": [
        "{senco} (SENCO); {name}'s class teacher",
        "{senco} (SENCO); {name}'s class teacher; the teaching assistant who runs {their} group",
        "{senco} (SENCO); {name}'s class teacher; the ELSA",
    ],
    "secondary": [
        "{senco} (SENCO); {name}'s form tutor; the learning support assistant",
        "{senco} (SENCO); head of year; {name}'s English teacher",
        "{senco} (SENCO); {name}'s form tutor; the learning mentor",
    ],
}
EVIDENCE = {
    2: "{measure}: target passed well before the date; {name} now does this without prompts.",
    1: "{measure}: target met, and kept up over the last three weeks.",
    0: "{measure}: target met by the date.",
    -1: "{measure}: clear progress from the baseline, but not yet at the target.",
    -2: "{measure}: little change from the baseline.",
}
MET_COMMENTS = [
    "Secure now; keep the strategy going in class.",
    "Home see the same progress.",
    "Ready for the next step.",
]
UNMET_COMMENTS = [
    "Carry forward with more frequent practice.",
    "Sessions were missed in October, which slowed progress. Carry forward.",
    "Keep the target and teach it in smaller steps.",
]
PUPIL_VIEWS = {
    "primary": [
        "I like my reading group because it is quiet. Spellings are still hard.",
        "I like it when my teacher checks I know what to do. Playtime is better now.",
        "The number cards help me. I don't like it when it is noisy.",
        "I feel happy in class. I want to get better at writing stories.",
    ],
    "secondary": [
        "The exit card helps. Some teachers don't let me use it, and then I get stressed.",
        "Typing is faster than writing now. I want to use the laptop in more lessons.",
        "Mentoring helps me sort things out before they get too big.",
        "Maths is still hard but the worked examples help. I don't want to miss PE for interventions.",
    ],
}
# An older pupil's words the SENCO judges should not go to their parents.
PRIVATE_PUPIL_VIEWS = [
    "Things at home are hard at the moment and I don't want my mum to worry. Talking to Miss on Tuesdays helps.",
    "I don't want my dad to know I get upset in lessons. I want to keep the check-ins.",
]
WHAT_WORKED = {
    "literacy": "Daily precision teaching: {name} now reads most of the target words on sight.",
    "learning": "Concrete apparatus before written work, and short, frequent practice.",
    "language": "Visual prompts with every instruction, and pre-teaching the topic words.",
    "autism": "Warning of changes on the visual timetable, and the quiet space at lunchtime.",
    "semh": "The morning check-in with a named adult, and the calm plan shared with home.",
    "hearing": "The radio aid in every lesson, and pre-teaching vocabulary.",
    "vision": "Enlarged resources prepared in advance, and the tablet for board work.",
    "physical": "Movement breaks, and the laptop for longer writing.",
}
WHAT_DID_NOT = [
    "Group sessions were missed in the weeks of the school play; they need protected time.",
    "Homework support did not happen regularly.",
    "Supply teachers did not know about the help card.",
    "The lunchtime club clashed with football, so {name} stopped going.",
]
DECISION_NOTES = {
    Review.Decision.CONTINUE: "Keep the plan as it is for another term.",
    Review.Decision.ADJUST: "Carry the outcomes not yet met forward, with more frequent sessions.",
    Review.Decision.NEW_OUTCOMES: "New outcomes for next term, building on what {name} can now do.",
    Review.Decision.SPECIALIST: "Ask the educational psychology service for a consultation (Experts at Hand).",
    Review.Decision.EHC_REQUEST: (
        "Progress is much less than expected despite specialist advice: the school and family will request an "
        "EHC needs assessment from the local authority."
    ),
}
PARENT_VIEWS = {
    "going_well": {
        "primary": [
            "{name} is reading to us at bedtime now and enjoys it.",
            "{name} is happier going into school in the mornings.",
            "{name} talks about {their} friends at playtime, which {they} never used to.",
            "Homework is less of a battle since we started using the checklist.",
        ],
        "secondary": [
            "{name} is calmer after school and talks to us more about {their} day.",
            "{name} is getting to school on time most days.",
            "{name} likes the lunch club and has made a friend there.",
            "Typing homework has made a big difference; {they} finish it now.",
        ],
    },
    "worries": {
        "primary": [
            "{name} still gets upset about spelling tests.",
            "We worry about the move to secondary school.",
            "{name} comes home exhausted and melts down after school.",
            "We are not sure the group sessions happen every week.",
        ],
        "secondary": [
            "{name} says some lessons are too noisy and {they} cannot think.",
            "{name} is falling behind in science and will not ask for help.",
            "We worry about GCSE options and whether {they} will get extra time.",
            "Some teachers do not seem to know about the plan.",
        ],
    },
    "would_like": {
        "primary": [
            "More practice words sent home so we can help.",
            "A visit to the secondary school before the summer.",
            "A quiet place {name} can go at lunchtime.",
            "To hear from the class teacher every half term.",
        ],
        "secondary": [
            "A named person {name} can go to when things go wrong.",
            "Every teacher to read the plan, not just the form tutor.",
            "Extra time in exams to be looked at now, not in Year 11.",
            "An email when homework is missing, so we can help at home.",
        ],
    },
}


class ReviewWriter:
    """Holds reviews for one school as its SENCO (``actor``), with the demo's generator."""

    def __init__(self, *, rng, actor, phase, latest):
        self.rng, self.actor, self.phase, self.latest = rng, actor, phase, latest

    def hold(self, words, *, held_on, next_review, complete=True, specialist=False, private_views=False):
        """A review of ``words.pupil``'s plan in force on ``held_on``: completed, or left half written.

        Completing it opens the next draft (or uses the one already open) through
        ``review_complete``. Returns the review.
        """
        rng, pupil = self.rng, words.pupil
        as_of = dataclasses.replace(self.actor, today=held_on)
        links = list(ParentLink.objects.filter(pupil=pupil, status=ParentLink.Status.ACTIVE).order_by("pk"))
        came = [link for position, link in enumerate(links) if rng.random() < (0.85 if position == 0 else 0.45)]
        self.views_before(words, links, came, held_on)
        review = reviews.review_start(actor=as_of, pupil=pupil)
        ratings, unmet = self.ratings(words, review, complete=complete)
        fields = {"participants": self.participants(words, came)}
        if complete:
            fields.update(self.conclusions(words, review, unmet, next_review, specialist, private_views))
        review = reviews.review_save(
            actor=as_of,
            review=review,
            fields=fields,
            ratings=ratings,
            parents_present=came,
            expected_version=review.lock_version,
        )
        Review.objects.filter(pk=review.pk).update(created_at=at(held_on, 9))
        if not complete:
            return review
        family.contribution_mark_seen(actor=as_of, pupil=pupil)
        ParentContribution.objects.filter(
            plan__pupil=pupil, given_via=ContributionChannel.ONLINE, review__isnull=True
        ).update(seen_at=at(held_on, 8, 40))
        opens_draft = not PlanVersion.objects.filter(plan=review.plan, status=PlanVersion.Status.DRAFT).exists()
        review = reviews.review_complete(actor=as_of, review=review, expected_version=review.lock_version)
        completed = at(held_on, 16, 30)
        Review.objects.filter(pk=review.pk).update(completed_at=completed)
        ParentMeeting.objects.filter(review=review).update(recorded_at=completed)
        if opens_draft:
            PlanVersion.objects.filter(pk=review.next_version_id).update(created_at=completed)
        return review

    # ----- parts -----

    def views_before(self, words, links, came, held_on):
        """What each parent said before the review: online if they have an account, else recorded by staff."""
        rng = self.rng
        for link in links:
            if not (link.user_id or link in came or rng.random() < 0.3):
                continue
            texts = self.parent_views(words)
            if link.user_id:
                parent = Actor.for_user(link.user, today=held_on)
                contribution = family.contribution_add(actor=parent, link=link, **texts)
                when = at(held_on - rng.randint(2, 9) * DAY, 20, 15)
            else:
                via = self.channel(link, came=link in came)
                given_on = held_on if via == ContributionChannel.MEETING else held_on - rng.randint(1, 8) * DAY
                contribution = family.contribution_record(
                    actor=dataclasses.replace(self.actor, today=given_on), link=link, given_via=via, **texts
                )
                when = at(given_on, 15, 40) if via == ContributionChannel.MEETING else at(given_on, 12, 30)
            ParentContribution.objects.filter(pk=contribution.pk).update(
                created_at=when, **({"seen_at": when} if not link.user_id else {})
            )

    def channel(self, link, *, came):
        if came:
            return ContributionChannel.MEETING
        if link.preferred_format == ParentLink.Format.PHONE or not (link.address or link.email):
            return ContributionChannel.PHONE
        return self.rng.choice([ContributionChannel.PAPER, ContributionChannel.PHONE])

    def parent_views(self, words):
        """One to three of the questions answered, in the family's words."""
        rng = self.rng
        answers = {key: words.say(rng.choice(pools[self.phase])) for key, pools in PARENT_VIEWS.items()}
        keep = rng.sample(list(answers), rng.randint(1, 3))
        return {key: (answers[key] if key in keep else "") for key in answers}

    def ratings(self, words, review, *, complete):
        """A rating, evidence and comment for each outcome; the first is met, about 40% of the others."""
        rng = self.rng
        ratings, unmet = {}, 0
        outcomes = reviews.snapshot_outcomes(review.version)
        rated = len(outcomes) if complete else max(1, len(outcomes) // 2)
        for index, item in enumerate(outcomes):
            if index >= rated:
                ratings[item["id"]] = {"rating": None, "evidence": "", "comment": ""}
                continue
            met = index == 0 or rng.random() < 0.4
            value = rng.choice([0, 1, 1, 2]) if met else rng.choice([-1, -1, -2])
            unmet += not met
            measure = item.get("measure") or "Class assessment"
            ratings[item["id"]] = {
                "rating": value,
                "evidence": words.say(EVIDENCE[value].replace("{measure}", measure)),
                "comment": rng.choice(MET_COMMENTS if met else UNMET_COMMENTS),
            }
        return ratings, unmet

    def participants(self, words, came):
        text = self.rng.choice(PARTICIPANTS[self.phase]).format(senco=self.actor.user.full_name, **words.words)
        interpreted = sorted({link.language for link in came if link.needs_interpreter and link.language})
        if interpreted:
            text += "; " + " and ".join(f"an interpreter ({language})" for language in interpreted)
        return text

    def conclusions(self, words, review, unmet, next_review, specialist, private_views):
        rng, tier = self.rng, review.version.tier
        decisions = [Review.Decision.ADJUST] if unmet else [Review.Decision.NEW_OUTCOMES]
        if unmet and rng.random() < 0.5:
            decisions.append(Review.Decision.NEW_OUTCOMES)
        if specialist:
            decisions.append(Review.Decision.SPECIALIST)
        elif tier == "targeted_plus" and unmet >= 2 and rng.random() < 0.3:
            decisions.append(Review.Decision.EHC_REQUEST)
        older = self.phase == "secondary" or words.pupil.year_group >= 3
        pupil_views = words.say(rng.choice(PUPIL_VIEWS[self.phase])) if older else ""
        if private_views:
            pupil_views = rng.choice(PRIVATE_PUPIL_VIEWS)
        return {
            "pupil_took_part": older,
            "pupil_views": pupil_views,
            "pupil_views_hidden_from_parents": private_views,
            "what_worked": words.say(WHAT_WORKED[words.family]),
            "what_did_not": words.say(rng.choice(WHAT_DID_NOT)) if unmet else "",
            "decisions": [str(decision) for decision in decisions],
            "decision_notes": " ".join(words.say(DECISION_NOTES[decision]) for decision in decisions),
            "next_review_on": next_review,
        }
