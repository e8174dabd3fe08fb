"""The demo's provision: what staff time costs, each school's intervention list, groups and their places, costs.

Part of ``manage.py demo`` (see ``core.demo``), run once after the families (``demo_family``).
Like the plans, everything is written through the services (``provision.costs``,
``provision.interventions``, ``provision.groups``, ``provision.members``) as the school's
SENCO, signed in as of the day it happened, so the demo passes the same checks as a school
would: term dates, staff with a role, pupils on the register, a commitment from the pupil's
own plan in force. The
timestamps the services wrote as "now" are then moved onto those days; the audit trail keeps
the time the demo was built.

Stories, the same in every build (fixed dates, the demo's seeded generator):

- both schools cost an hour of a TA at £17.50, an HLTA at £21, a teacher at £42 and the
  SENCO at £48, and keep the default 38 school weeks and £6,000 notional threshold;
- each school's list holds 10 to 12 interventions started from the built-in types (a few
  renamed or adapted), with the usual measure: reading or spelling age, a standardised
  score, the SDQ for emotional support and the Boxall Profile for the primary's nurture group;
- 8 groups at the primary and 6 at the secondary, from the start of the autumn term. The
  demo TA runs three (phonics every morning, so one on the demo's Monday), two groups in
  each school finished at October half-term, and two at the primary run all year. A place
  names the commitment in the pupil's plan in force it delivers, where the plan has one;
- a licence and resources for groups, and an outside speech and language therapist for one
  pupil with an EHC plan, which takes that pupil over the threshold on the provision map.

Sessions and measures: ``demo_delivery``; notes, documents, the share and its report: ``demo_evidence``.
"""

import dataclasses
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django_scopes import scope

from waymark.core.actor import Actor
from waymark.evidence.models import Share
from waymark.plans.models import PlanVersion, Provision
from waymark.provision import costs, groups, interventions, members
from waymark.provision.group_selectors import on_register
from waymark.provision.models import (
    Intervention,
    InterventionGroup,
    InterventionType,
    MeasureType,
    OtherCost,
)
from waymark.pupils.models import ParentLink, Pupil, SenStatus

from . import demo_delivery, demo_evidence
from .demo_plans import _when

D = datetime.date
SET_UP_ON = D(2026, 9, 3)  # the INSET day before the groups start: the SENCO sets them up
HALF_TERM_END = D(2026, 10, 23)  # the last day before the October half-term
TERM_END = D(2026, 12, 18)
TA, HLTA, TEACHER, SENCO = "Teaching assistant", "Higher level teaching assistant", "Teacher", "SENCO"
ROLES = ((TA, "17.50"), (HLTA, "21.00"), (TEACHER, "42.00"), (SENCO, "48.00"))
MOST_GROUPS = 3  # places a pupil has at most, except the pupil whose provision costs the most
Funding = Provision.Funding
MON_TO_FRI = range(5)


@dataclass(frozen=True)
class Offer:
    """An intervention on the school's list: a built-in type, perhaps renamed or adapted."""

    code: str
    name: str = ""
    per_week: int | None = None
    minutes: int | None = None
    size: int | None = None
    shared: bool = False


INTERVENTIONS = {
    "primary": (
        Offer("phonics-catch-up"),
        Offer("fluency-paired-reading"),
        Offer("structured-literacy-dyslexia"),
        Offer("precision-teaching", shared=True),
        Offer("spelling-multisensory"),
        Offer("maths-number-sense"),
        Offer("maths-one-to-one", name="Maths tuition in pairs", per_week=3, minutes=45, size=2),
        Offer("vocabulary-enrichment"),
        Offer("attention-listening"),
        Offer("emotional-literacy", name="ELSA sessions (emotional literacy)"),
        Offer("nurture-group", per_week=4, minutes=45, size=6),
        Offer("fine-motor-group"),
    ),
    "secondary": (
        Offer("fluency-paired-reading", name="Reading fluency (repeated and paired reading)", per_week=2),
        Offer("structured-literacy-dyslexia"),
        Offer("spelling-multisensory", per_week=2),
        Offer("maths-number-sense", name="Numeracy catch-up", minutes=25),
        Offer("vocabulary-enrichment"),
        Offer("social-skills-group", name="Social communication group"),
        Offer("anxiety-cbt-informed"),
        Offer("mentoring"),
        Offer("touch-typing", per_week=1, minutes=40),
        Offer("lunchtime-club"),
    ),
}


@dataclass(frozen=True)
class GroupPlan:
    """A group: who runs it (cast role, staff role), when, for which year groups, and which plan commitments
    (a provision's "what" in a pupil's plan) it delivers. ``forced`` pupils: "child" (the demo parent's),
    "shared" (the psychologist's pupil), "costly" (the pupil whose provision costs the most)."""

    intervention: str
    name: str
    leaders: tuple
    slots: dict
    starts_on: datetime.date
    ends_on: datetime.date
    years: range
    serves: tuple
    size: tuple = (3, 5)
    room: str = ""
    funding: str = Funding.SEN_BUDGET
    forced: tuple = ()


READING = ("Phonics catch-up group", "Precision teaching: common exception words")
PAIRED = "Paired reading with a trained reading volunteer"
SEMH = ("ELSA sessions", "Morning soft start and check-in", "Daily check-in with a key adult")
GROUPS = {
    "primary": (
        GroupPlan(
            "phonics-catch-up", "Beech phonics catch-up", (("ta", TA),), dict.fromkeys(MON_TO_FRI, "09:10"),
            D(2026, 9, 7), TERM_END, range(3, 6), (*READING, PAIRED), (4, 5), "Beech Class reading corner",
            forced=("child",),
        ),
        GroupPlan(
            "fluency-paired-reading", "Year 3 and 4 paired reading", (("ta", TA),), {1: "14:00", 3: "14:00"},
            D(2026, 9, 8), HALF_TERM_END, range(3, 5), (PAIRED, *READING), (4, 4), "Library",
        ),
        GroupPlan(
            "fine-motor-group", "Fine motor club", (("ta", TA),), {2: "14:40", 4: "14:40"}, D(2026, 9, 9), TERM_END,
            range(1, 5), ("Fine motor skills group", "Handwriting programme"), (3, 5), "Beech Class",
        ),
        GroupPlan(
            "structured-literacy-dyslexia", "Structured literacy (Years 5 and 6)",
            (("last-years-teacher", TEACHER),), {0: "10:50", 2: "10:50"}, D(2026, 9, 7), TERM_END, range(5, 7),
            ("Specialist dyslexia teaching", *READING), (2, 3), "Small group room",
        ),
        GroupPlan(
            "maths-one-to-one", "Maths tuition pair", (("last-years-teacher", TEACHER),),
            {1: "11:00", 3: "11:00", 4: "11:00"}, D(2026, 9, 8), D(2027, 7, 20), range(1, 7),
            ("One-to-one support in core lessons", "Small-group maths with concrete apparatus"), (2, 2),
            "Small group room", Funding.EHC_PLAN, forced=("costly",),
        ),
        GroupPlan(
            "nurture-group", "The Nest (nurture group)", (("deputy-senco", TEACHER),), dict.fromkeys(range(4), "13:15"),
            D(2026, 9, 7), D(2027, 7, 15), range(1, 7), ("Nurture group", *SEMH, "Social communication group"),
            (5, 6), "The Nest", forced=("costly",),
        ),
        GroupPlan(
            "emotional-literacy", "Feelings group (ELSA)", (("senco", SENCO),), {4: "10:30"}, D(2026, 9, 11),
            HALF_TERM_END, range(2, 7), SEMH, (3, 3), "SENCO's office",
        ),
        GroupPlan(
            "vocabulary-enrichment", "Word wizards (Years 3 to 5)", (("dsl", TEACHER),), {1: "15:00", 3: "15:00"},
            D(2026, 9, 8), TERM_END, range(3, 6),
            ("Vocabulary intervention (word-learning routine)", "Pre-teaching of topic vocabulary",
             "Speech and language group", "Speech and language therapy block"),
            (3, 5), "Cedar Class", forced=("shared",),
        ),
    ),
    "secondary": (
        GroupPlan(
            "fluency-paired-reading", "Year 7 and 8 reading fluency", (("head-of-year", TEACHER),),
            {1: "08:40", 3: "08:40"}, D(2026, 9, 8), HALF_TERM_END, range(7, 9),
            ("Reading fluency group (repeated reading)", PAIRED, "Specialist dyslexia teaching"), (5, 6), "Library",
        ),
        GroupPlan(
            "spelling-multisensory", "Year 8 spelling", (("head-of-year", TEACHER),), {0: "08:40", 2: "08:40"},
            D(2026, 9, 7), TERM_END, range(8, 9),
            ("Specialist dyslexia teaching", "Reading fluency group (repeated reading)", PAIRED), (3, 5), "E3",
            forced=("child",),
        ),
        GroupPlan(
            "maths-number-sense", "Key Stage 3 numeracy catch-up", (("teacher2", TEACHER),),
            {0: "08:40", 2: "08:40", 4: "08:40"}, D(2026, 9, 7), TERM_END, range(7, 10),
            ("Numeracy catch-up group", "Life-skills group (money, time, travel)"), (4, 6), "M4",
        ),
        GroupPlan(
            "social-skills-group", "Social communication group", (("other-school-senco", SENCO),), {2: "13:05"},
            D(2026, 9, 9), TERM_END, range(7, 12),
            ("Social communication group", "Lunch club in a quiet room", "Specialist autism outreach advice"),
            (4, 6), "Learning support base",
        ),
        GroupPlan(
            "anxiety-cbt-informed", "Managing worries (Years 9 to 11)", (("other-school-senco", SENCO),),
            {3: "13:05"}, D(2026, 9, 10), HALF_TERM_END, range(9, 12), ("Counselling", "Mentoring", *SEMH[1:]),
            (3, 5), "Learning support base",
        ),
        GroupPlan(
            "touch-typing", "Touch typing club", (("teacher2", TEACHER),), {1: "15:10"}, D(2026, 9, 8),
            D(2026, 12, 15), range(7, 12),
            ("Touch-typing programme", "Keyboard skills and laptop set-up", "Touch-typing and tablet skills"),
            (4, 6), "IT2",
        ),
    ),
}  # fmt: skip

# (group name, kind, what, a year, funding) for groups; the outside service is for the costly pupil.
GROUP_COSTS = {
    "primary": (
        ("Beech phonics catch-up", OtherCost.Kind.LICENCE, "Online phonics practice programme: school licence",
         "295.00", Funding.SEN_BUDGET),
        ("The Nest (nurture group)", OtherCost.Kind.RESOURCES, "Nurture room breakfast, games and art materials",
         "360.00", Funding.SEN_BUDGET),
    ),
    "secondary": (
        ("Touch typing club", OtherCost.Kind.LICENCE, "Typing tutor software: licences for the group", "120.00",
         Funding.SEN_BUDGET),
    ),
}  # fmt: skip
SPEECH_THERAPY = (
    "Independent speech and language therapist: assessment, report and 20 sessions in school",
    "3600.00",
    Funding.EHC_PLAN,
)
SENCO_ROLES = {"primary": "senco", "secondary": "other-school-senco"}
PREFERRED_COSTLY = ("One-to-one support in core lessons", "Nurture group", "Speech and language therapy block")


def build_provision(rng, schools, users, *, today):
    """Provision in both demo schools (``schools`` by key), then the notes and documents about pupils.

    Returns ``{key: [groups]}``.
    """
    made = {}
    for key, school in schools.items():
        with scope(school=[school.pk]):
            writer = SchoolProvision(rng, key, school, users, today)
            made[key] = writer.build()
            demo_delivery.deliver(rng, school, made[key], users, today=today)
    demo_evidence.build_evidence(schools, users, made, today=today)
    return made


class SchoolProvision:
    """Writes one school's provision, inside its scope, as its SENCO on the day the groups were set up."""

    def __init__(self, rng, key, school, users, today):
        self.rng, self.key, self.school, self.users, self.today = rng, key, school, users, today
        self.actor = Actor.for_user(users[SENCO_ROLES[key]], today=SET_UP_ON)
        self.register = list(
            Pupil.objects.filter(school=school).filter(on_register()).on_roll(today).order_by("year_group", "pk")
        )
        self.serves = {}  # pupil id -> {what: lineage} from the plan in force
        for pupil_id, what, lineage in (
            Provision.objects.filter(version__status=PlanVersion.Status.ACTIVE, version__plan__pupil__school=school)
            .order_by("order", "pk")
            .values_list("version__plan__pupil_id", "what", "lineage")
        ):
            self.serves.setdefault(pupil_id, {}).setdefault(what, lineage)
        self.places = {}  # pupil id -> places so far
        self.special = self.special_pupils()

    def special_pupils(self):
        by_id = {pupil.pk: pupil for pupil in self.register}
        found = {}
        active = ParentLink.Status.ACTIVE
        links = ParentLink.objects.filter(pupil__school=self.school, status=active, user__isnull=False)
        for label, pupil_id in (
            ("child", links.order_by("pk").values_list("pupil_id", flat=True).first()),
            ("shared", Share.objects.filter(pupil__school=self.school).values_list("pupil_id", flat=True).first()),
        ):
            found[label] = by_id.get(pupil_id)
        with_ehc_plan = set(
            SenStatus.objects.filter(pupil__school=self.school, ends_on__isnull=True, provision="E").values_list(
                "pupil_id", flat=True
            )
        )
        ehc = [pupil for pupil in self.register if pupil.pk in with_ehc_plan]
        preferred = [pupil for pupil in ehc if set(self.serves.get(pupil.pk, {})) & set(PREFERRED_COSTLY)]
        found["costly"] = (preferred or [pupil for pupil in ehc if pupil.pk in self.serves] or ehc or [None])[0]
        return {label: pupil for label, pupil in found.items() if pupil is not None}

    def build(self):
        for name, cost in ROLES:
            costs.staff_role_save(actor=self.actor, school=self.school, name=name, hourly_cost=cost)
        self.roles = {role.name: role for role in self.school.staff_roles.all()}
        self.interventions = {offer.code: self.offer(offer) for offer in INTERVENTIONS[self.key]}
        Intervention.objects.filter(school=self.school).update(created_at=_when(SET_UP_ON - datetime.timedelta(1)))
        made = [self.group(plan) for plan in GROUPS[self.key]]
        InterventionGroup.objects.filter(school=self.school).update(created_at=_when(SET_UP_ON))
        self.add_costs(made)
        return made

    def offer(self, offer):
        kind = InterventionType.objects.select_related("area").get(code=offer.code)
        measure = MeasureType.objects.filter(school__isnull=True, kind=kind.measure_kind).first()
        return interventions.intervention_create(
            actor=self.actor,
            name=offer.name or kind.name,
            area=kind.area,
            sessions_per_week=Decimal(offer.per_week or kind.sessions_per_week),
            minutes_per_session=offer.minutes or kind.minutes_per_session,
            group_size=offer.size or kind.group_size,
            description=kind.description,
            measure_type=measure,
            shared_with_trust=offer.shared,
            intervention_type=kind,
        )

    def group(self, plan):
        group = groups.group_create(
            actor=self.actor,
            intervention=self.interventions[plan.intervention],
            name=plan.name,
            starts_on=plan.starts_on,
            ends_on=plan.ends_on,
            slots={day: datetime.time.fromisoformat(at) for day, at in plan.slots.items()},
            leaders=[(self.users[role], self.roles[staff_role]) for role, staff_role in plan.leaders],
            room=plan.room,
            funding=plan.funding,
        )
        for pupil, commitment in self.choose(plan):
            members.member_add(
                actor=self.actor, group=group, pupil=pupil, joined_on=plan.starts_on, commitment=commitment
            )
            self.places[pupil.pk] = self.places.get(pupil.pk, 0) + 1
        return group

    def commitment(self, pupil, plan):
        serves = self.serves.get(pupil.pk, {})
        return next((serves[what] for what in plan.serves if what in serves), None)

    def choose(self, plan):
        """The pupils for ``plan``: those it must have, then pupils whose plan names what it delivers, then others
        of the right age to make up the numbers (their place delivers no commitment)."""
        chosen = [self.special[label] for label in plan.forced if label in self.special]
        wanted = max(self.rng.randint(*plan.size), len(chosen))
        costly = self.special.get("costly")

        def free(pupil):
            return (
                pupil not in chosen
                and pupil.year_group in plan.years
                and pupil != costly
                and (self.places.get(pupil.pk, 0) < MOST_GROUPS)
            )

        matching = [pupil for pupil in self.register if free(pupil) and self.commitment(pupil, plan)]
        self.rng.shuffle(matching)
        chosen += matching[: max(0, wanted - len(chosen))]
        others = [pupil for pupil in self.register if free(pupil) and pupil.pk in self.serves]
        self.rng.shuffle(others)
        chosen += others[: max(0, plan.size[0] - len(chosen))]
        return [(pupil, self.commitment(pupil, plan)) for pupil in chosen]

    def add_costs(self, made):
        by_name = {group.name: group for group in made}
        actor = dataclasses.replace(self.actor, today=SET_UP_ON + datetime.timedelta(days=7))
        for name, kind, what, amount, funding in GROUP_COSTS[self.key]:
            costs.cost_add(
                actor=actor,
                school=self.school,
                kind=kind,
                description=what,
                annual_amount=amount,
                funding=funding,
                group=by_name[name],
            )
        costly = self.special.get("costly")
        if self.key == "primary" and costly is not None:
            what, amount, funding = SPEECH_THERAPY
            costs.cost_add(
                actor=actor,
                school=self.school,
                kind=OtherCost.Kind.OUTSIDE_SERVICE,
                description=what,
                annual_amount=amount,
                funding=funding,
                pupil=costly,
            )
        OtherCost.objects.filter(school=self.school).update(created_at=_when(actor.today))
