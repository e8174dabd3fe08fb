"""The demo's pupils: names, UPNs, SEN status histories, needs and class places.

Part of ``manage.py demo`` (see ``core.demo``). Every name is drawn from the short lists
below and combined at random, so no pupil is a real child. Everything is built in memory
and written with ``bulk_create``: going through the services for 800 pupils would take
minutes and write an audit trail for events that never happened.
"""

import datetime

from waymark.pupils.models import Enrolment, Need, NeedType, Pupil, SenStatus
from waymark.pupils.upn import check_letter

DAY = datetime.timedelta(days=1)

GIRLS = [
    "Amelia", "Olivia", "Isla", "Ava", "Freya", "Lily", "Ivy", "Florence", "Mia", "Sophia", "Grace", "Poppy",
    "Evie", "Matilda", "Ruby", "Rosie", "Hannah", "Ellie", "Niamh", "Aisha", "Zainab", "Fatima", "Maryam",
    "Aaliyah", "Ayesha", "Priya", "Anaya", "Zofia", "Oliwia", "Amara", "Chloe", "Erin", "Seren", "Imogen",
    "Harriet", "Esme", "Layla", "Nia", "Precious", "Leah", "Daisy", "Elsie", "Maisie", "Jasmine", "Hafsa",
    "Simran", "Mei", "Bethany", "Elizabeth", "Katherine", "Isabella", "Alexandra", "Hana", "Ada", "Tia",
]  # fmt: skip
BOYS = [
    "Oliver", "George", "Noah", "Arthur", "Leo", "Harry", "Oscar", "Archie", "Jack", "Muhammad", "Theo",
    "Freddie", "Alfie", "Jacob", "Charlie", "Thomas", "William", "Samuel", "Joseph", "Benjamin", "Alexander",
    "Daniel", "Ethan", "Dylan", "Rhys", "Callum", "Reuben", "Finley", "Hugo", "Kai", "Yusuf", "Ibrahim",
    "Hamza", "Arjun", "Rohan", "Kacper", "Jakub", "Chidi", "Kwame", "Tobi", "Jayden", "Ryan", "Luca", "Mateo",
    "Ali", "Zain", "Harvey", "Louis", "Max", "Toby", "Elliot", "Idris", "Mason", "Ezra", "Bilal",
]  # fmt: skip
SURNAMES = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Khan", "Ahmed",
    "Hussain", "Ali", "Singh", "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green",
    "Hall", "Wood", "Jackson", "Clarke", "Okafor", "Mensah", "Adeyemi", "Kowalski", "Nowak", "Nguyen", "Chen",
    "Murphy", "Kelly", "Hughes", "Edwards", "Price", "Lewis", "Mitchell", "Turner", "Campbell", "Ward", "Shah",
    "Mahmood", "Rahman", "Mistry", "Osei", "Costa", "Silva", "Popescu", "Baker", "Harris", "Martin", "Cooper",
    "King", "Morgan", "Bell", "Cox", "Richardson", "Fletcher", "Gallagher", "O'Connor", "Doyle", "Lloyd",
    "Parry", "Hassan", "Iqbal", "Akhtar", "Nwosu", "Yilmaz", "Santos", "Ferreira", "Kaya", "Sharma", "Bhatt",
    "Wong", "Tran", "Walsh", "Quinn", "Byrne", "Barker", "Holmes", "Pearson", "Dawson", "Marsh", "Fox", "Shaw",
]  # fmt: skip
NICKNAMES = {
    "Elizabeth": "Libby", "Katherine": "Kate", "Isabella": "Bella", "Alexandra": "Alex", "Matilda": "Tilly",
    "Alexander": "Alex", "Thomas": "Tom", "William": "Will", "Samuel": "Sam", "Benjamin": "Ben",
    "Joseph": "Joe", "Oliver": "Ollie", "Jacob": "Jake",
}  # fmt: skip

# How often each need is the primary need, by school phase and provision (rough national shape).
NEED_WEIGHTS = {
    ("primary", "K"): {"SLCN": 30, "SEMH": 15, "MLD": 14, "ASD": 12, "SPLD": 8, "NSA": 6, "OTH": 4, "HI": 3,
                       "PD": 3, "VI": 2, "DS": 1},
    ("primary", "E"): {"ASD": 30, "SLCN": 15, "SEMH": 10, "SLD": 10, "PD": 8, "DS": 6, "MLD": 6, "HI": 4},
    ("secondary", "K"): {"SEMH": 25, "SPLD": 20, "ASD": 15, "MLD": 15, "SLCN": 10, "NSA": 4, "HI": 3, "VI": 3,
                         "PD": 3, "OTH": 3},
    ("secondary", "E"): {"ASD": 35, "SEMH": 20, "SLCN": 10, "MLD": 8, "SLD": 5, "PD": 6, "HI": 5, "VI": 4},
}  # fmt: skip
# The first pupils with an EHC plan in each school get these, so every code appears somewhere.
GUARANTEED_E_NEEDS = {
    "primary": ["ASD", "SLD", "DS", "PD", "PMLD", "HI", "SLCN", "SEMH", "MLD"],
    "secondary": ["ASD", "SEMH", "VI", "MSI", "PD", "SPLD", "SLD", "HI"],
}
SECOND_NEEDS = ["SLCN", "SEMH", "SPLD", "MLD", "ASD", "OTH", "HI", "VI", "PD"]

EVERYONE, STAFF, RESTRICTED = "everyone", "staff", "restricted"
DESCRIPTIONS = {
    "SPLD": [("Dyslexic profile: slow reading and spelling; reads well with a reading ruler and extra time.", EVERYONE),
             ("Difficulties with working memory and handwriting; uses a laptop for longer writing.", EVERYONE)],
    "MLD": [("Working well below age-related expectations in most subjects; needs small steps and repetition.",
             EVERYONE),
            ("Slow processing; benefits from pre-teaching vocabulary and concrete apparatus in maths.", EVERYONE)],
    "SLD": [("Significant learning difficulty; follows a personalised curriculum with daily life skills work.",
             EVERYONE)],
    "PMLD": [("Profound and multiple learning difficulties; communicates through gesture and objects of reference.",
              EVERYONE)],
    "SLCN": [("Delayed expressive language; speaks in short phrases and needs time to answer.", EVERYONE),
             ("Difficulty understanding longer instructions; give one step at a time with visual prompts.", EVERYONE),
             ("Speech sound difficulties; on the NHS speech and language therapy caseload.", EVERYONE)],
    "ASD": [("Autistic; finds unstructured times hard and needs warning of changes to routine.", EVERYONE),
            ("Autistic; sensory sensitivity to noise. Ear defenders and a quiet space help.", EVERYONE),
            ("Autism diagnosis awaited; social communication difficulties noted by school and home.", STAFF)],
    "SEMH": [("Anxiety about school; a soft start and a named adult each morning help.", EVERYONE),
             ("Difficulty managing strong feelings at break times; uses a calm plan agreed with home.", EVERYONE),
             ("Low mood since a family bereavement; weekly check-in with the learning mentor.", STAFF),
             ("Early help plan in place; emotional needs linked to circumstances at home. See the DSL.", RESTRICTED),
             ("Attachment difficulties; previously looked after. Speak to the SENCO before contacting home.",
              RESTRICTED)],
    "HI": [("Moderate hearing loss in both ears; wears hearing aids and sits near the front.", EVERYONE)],
    "VI": [("Visual impairment; needs enlarged print (N18) and a copy of what is on the board.", EVERYONE)],
    "MSI": [("Combined hearing and vision loss; supported by the sensory support service each week.", EVERYONE)],
    "PD": [("Cerebral palsy affecting movement; uses a walking frame and needs extra time between lessons.",
            EVERYONE),
           ("Hypermobility; tires quickly when writing and needs movement breaks.", EVERYONE)],
    "DS": [("Down syndrome; learns well from visual supports and signing (Makaton).", EVERYONE)],
    "OTH": [("Medical condition (epilepsy) affecting attendance and concentration; care plan held by the office.",
             STAFF),
            ("Tourette syndrome; tics increase with stress. Allow movement breaks without comment.", EVERYONE)],
    "NSA": [("Falling behind in reading and writing; school assessment under way, no specialist assessment yet.",
             EVERYONE)],
}  # fmt: skip
# Most descriptions are for everyone who sees the plan; a few are staff-only or restricted.
VISIBILITY_WEIGHTS = {EVERYONE: 6, STAFF: 2, RESTRICTED: 1}


def weekday(day):
    """The day itself, or the Monday after a weekend: schools record things on school days."""
    return day + DAY * max(0, 7 - day.weekday()) if day.weekday() >= 5 else day


def random_date(rng, first, last):
    if last <= first:
        return first
    return weekday(first + DAY * rng.randint(0, (last - first).days))


def weighted_pick(rng, weights, exclude=()):
    choices = [code for code in weights if code not in exclude]
    return rng.choices(choices, weights=[weights[code] for code in choices])[0]


def make_upn(la_number, establishment_number, year, serial):
    body = f"{la_number}{establishment_number}{year % 100:02d}{serial:03d}"
    return check_letter(body) + body


def build_pupils(rng, *, school, sizes, first_year, this_year, latest, without_upn=0):
    """Unsaved pupils for ``sizes`` ({year group: how many}), with UPNs from the school's numbers."""
    pupils = []
    for year_group, size in sizes.items():
        entry_year = this_year - (year_group - first_year)  # the September they joined this school
        serial = 0
        no_upn = set(rng.sample(range(size), without_upn)) if year_group == 0 else set()
        for index in range(size):
            sex = rng.choice("FM")
            forename = rng.choice(GIRLS if sex == "F" else BOYS)
            nickname = NICKNAMES.get(forename, "") if rng.random() < 0.5 else ""
            born = random_date(
                rng, datetime.date(this_year - year_group - 5, 9, 1), datetime.date(this_year - year_group - 4, 8, 31)
            )
            joined = datetime.date(entry_year, 9, 1)
            if rng.random() < 0.07:  # a few join part-way through, never later than the demo's today
                joined = random_date(rng, joined + DAY * 20, latest)
                if joined.month == 8:  # nobody starts in the summer holiday
                    joined = datetime.date(joined.year, 9, 1)
            upn = ""
            if index not in no_upn:
                serial += 1
                upn = make_upn(school.la_number, school.establishment_number, this_year - year_group, serial)
            pupils.append(
                Pupil(
                    school=school,
                    upn=upn,
                    legal_forename=forename,
                    legal_surname=rng.choice(SURNAMES),
                    preferred_name=nickname,
                    pronouns="they/them" if year_group >= 9 and rng.random() < 0.01 else "",
                    date_of_birth=born,
                    year_group=year_group,
                    sex=sex,
                    date_joined=joined,
                )
            )
    return pupils


def choose_register(rng, pupils, *, counts, forced=(), weight=lambda pupil: 1.0):
    """{pupil index: (provision, tier)} for the register, ``counts`` = (targeted, targeted plus, EHC plan).

    ``forced`` pairs (index, (provision, tier)) are placed first; the rest are a weighted
    sample without replacement (Efraimidis and Spirakis: the largest of random ** (1 / w)).
    """
    chosen = dict(forced)
    wanted = {("K", "targeted"): counts[0], ("K", "targeted_plus"): counts[1], ("E", "specialist"): counts[2]}
    for status in chosen.values():
        wanted[status] -= 1
    keys = sorted(
        ((rng.random() ** (1 / weight(pupil)), index) for index, pupil in enumerate(pupils) if index not in chosen),
        reverse=True,
    )
    picked = [index for _, index in keys[: sum(wanted.values())]]
    rng.shuffle(picked)
    statuses = [status for status, count in wanted.items() for _ in range(count)]
    chosen.update(zip(picked, statuses, strict=True))
    return chosen


def status_history(rng, pupil, provision, tier, *, latest):
    """[(provision, tier, starts_on)] oldest first; the last one is the open status."""
    joined = pupil.date_joined
    spotted = joined + DAY * 70  # needs are usually identified after the first half term
    history = [("N", "universal", joined)]
    if provision == "N":
        if rng.random() < 0.03 and spotted < latest - DAY * 400:
            on = random_date(rng, spotted, latest - DAY * 400)
            off = random_date(rng, on + DAY * 180, latest - DAY * 30)
            history += [("K", "targeted", on), ("N", "universal", off)]
        return history
    if provision == "E":
        if rng.random() < 0.3 or spotted > latest - DAY * 400:
            return [("E", "specialist", joined)]  # arrived with an EHC plan
        on = random_date(rng, spotted, latest - DAY * 400)
        plan = random_date(rng, on + DAY * 240, latest - DAY * 14)
        return [*history, ("K", "targeted_plus", on), ("E", "specialist", plan)]
    if spotted > latest - DAY * 14:
        return [("K", tier, joined)]  # joined recently, already on SEN support
    on = random_date(rng, spotted, latest - DAY * 14)
    if tier == "targeted_plus" and rng.random() < 0.5 and on < latest - DAY * 120:
        return [*history, ("K", "targeted", on), ("K", tier, random_date(rng, on + DAY * 90, latest - DAY * 14))]
    return [*history, ("K", tier, on)]


def build_statuses(histories, *, recorded_by):
    statuses = []
    for pupil, history in histories:
        for position, (provision, tier, starts_on) in enumerate(history):
            following = history[position + 1][2] if position + 1 < len(history) else None
            statuses.append(
                SenStatus(
                    pupil=pupil,
                    provision=provision,
                    tier=tier,
                    starts_on=starts_on,
                    ends_on=following - DAY if following else None,
                    recorded_by=recorded_by,
                )
            )
    return statuses


def build_needs(rng, histories, *, phase, latest):
    """Rank 1 for everyone on the register, rank 2 for about a third; ended needs for those who left it."""
    need_types = NeedType.objects.in_bulk(field_name="code")
    guaranteed = list(GUARANTEED_E_NEEDS[phase])
    needs = []

    def need(pupil, code, rank, starts_on, ends_on=None):
        options = DESCRIPTIONS[code]
        description, visibility = rng.choices(options, weights=[VISIBILITY_WEIGHTS[v] for _, v in options])[0]
        needs.append(
            Need(
                pupil=pupil,
                need_type=need_types[code],
                rank=rank,
                description=description,
                visibility=visibility,
                starts_on=starts_on,
                ends_on=ends_on,
            )
        )

    for pupil, history in histories:
        provision = history[-1][0]
        first_on = next((starts_on for code, _, starts_on in history if code != "N"), None)
        if provision == "N":
            if first_on:  # came off the register: the need they had is kept as history
                need(pupil, "NSA", 1, first_on, history[-1][2])
            continue
        code = (
            guaranteed.pop(0) if provision == "E" and guaranteed else weighted_pick(rng, NEED_WEIGHTS[phase, provision])
        )
        need(pupil, code, 1, first_on)
        if code != "NSA" and rng.random() < 0.35:
            second = weighted_pick(rng, dict.fromkeys(SECOND_NEEDS, 1), exclude={code})
            need(pupil, second, 2, random_date(rng, first_on, latest))
    return needs


def enrol(enrolments, pupil, group, year):
    """Add a place in ``group`` for the school year, unless the pupil had not joined by its end."""
    if pupil.date_joined <= year.ends_on:
        starts_on = max(year.starts_on, pupil.date_joined)
        enrolments.append(Enrolment(pupil=pupil, group=group, starts_on=starts_on, ends_on=year.ends_on))


def save_pupils(rng, pupils, register, *, phase, recorded_by, latest):
    """Write the pupils, their status histories and needs; returns {pupil: open (provision, tier)}.

    ``register`` maps a pupil's index to its open (provision, tier); everyone else has N.
    """
    Pupil.objects.bulk_create(pupils)
    histories = [
        (pupil, status_history(rng, pupil, *register.get(index, ("N", "universal")), latest=latest))
        for index, pupil in enumerate(pupils)
    ]
    SenStatus.objects.bulk_create(build_statuses(histories, recorded_by=recorded_by))
    Need.objects.bulk_create(build_needs(rng, histories, phase=phase, latest=latest))
    return {pupil: history[-1][:2] for pupil, history in histories}
