"""The demo's parents and carers as a school's MIS would hold them, and the demo parents' logins.

Part of ``manage.py demo`` (see ``core.demo``), run before the plans are written so that
reviews can name the parents who came and record what they said. Everything goes through
the services, as the school's SENCO: contact records with ``parent_contact_create``, the
two demo parents with accounts by invitation (``parent_invite`` and ``invitation_accept``,
with the code the letter would carry), and the restricted links with ``parent_link_update``.

Families, chosen with the demo's seeded random generator for most pupils on the register:
two parents at home, a single parent, parents who live apart (two addresses, both with
parental responsibility), a step-parent, a grandparent or a foster carer. Names follow the
child's surname's heritage, so a family called Kowalski may be Agnieszka Kowalska and Marek
Kowalski, and some of them ask for Polish and an interpreter. Some have no email (the
school phones or writes), some want large print, paper, phone calls or easy read, and a
few have access needs. Email addresses are at example.com/.org/.net and phone numbers in
Ofcom's drama range, so none of them can reach a real person.
"""

import dataclasses
import datetime
import unicodedata

from django_scopes import scope

from waymark.core.actor import Actor
from waymark.pupils import invitations
from waymark.pupils.models import ParentInvitation, ParentLink, Pupil
from waymark.pupils.services import parent_contact_create, parent_link_create, parent_link_update

from .demo_reviews import at

Relationship, Format = ParentLink.Relationship, ParentLink.Format
DAY = datetime.timedelta(days=1)

# Adult first names (women, men) by the heritage a surname suggests; "british" is the default.
ADULT_NAMES = {
    "british": (
        ["Sarah", "Emma", "Claire", "Rebecca", "Laura", "Gemma", "Kelly", "Natalie", "Vicky", "Joanne", "Lisa",
         "Hayley", "Charlotte", "Amy", "Kirsty", "Stacey", "Louise", "Jenny", "Karen", "Donna"],
        ["James", "David", "Mark", "Paul", "Richard", "Chris", "Steven", "Lee", "Craig", "Gareth", "Matthew",
         "Andrew", "Darren", "Ryan", "Wayne", "Neil", "Stuart", "Carl", "Jason", "Simon"],
    ),
    "irish": (["Siobhan", "Aoife", "Niamh", "Ciara", "Orla", "Mairead"], ["Ciaran", "Declan", "Sean", "Padraig",
                                                                          "Conor", "Eoin"]),
    "welsh": (["Ffion", "Bethan", "Catrin", "Sian", "Rhiannon"], ["Gethin", "Dafydd", "Rhys", "Owain", "Huw"]),
    "pakistani": (["Nasreen", "Shazia", "Farzana", "Saima", "Rubina", "Samina", "Ayesha"],
                  ["Imran", "Tariq", "Asif", "Khalid", "Shahid", "Nadeem", "Zahid"]),
    "bangladeshi": (["Rokeya", "Shamima", "Nazma", "Taslima"], ["Abdul", "Shahidul", "Mizanur", "Anwar"]),
    "indian": (["Priti", "Meena", "Kavita", "Hema", "Nisha", "Anjali"], ["Rajesh", "Sanjay", "Vikram", "Nilesh",
                                                                        "Amit", "Hitesh"]),
    "sikh": (["Harpreet", "Gurpreet", "Manjit", "Jaspreet"], ["Harjinder", "Kulwinder", "Jaswinder", "Balwinder"]),
    "polish": (["Agnieszka", "Katarzyna", "Magdalena", "Joanna", "Monika", "Ewa"],
               ["Marek", "Tomasz", "Piotr", "Krzysztof", "Pawel", "Lukasz"]),
    "romanian": (["Ioana", "Elena", "Andreea", "Mihaela"], ["Andrei", "Ionut", "Florin", "Mihai"]),
    "nigerian": (["Chioma", "Ngozi", "Adaeze", "Folake", "Funmilayo", "Bukola"],
                 ["Emeka", "Chukwudi", "Olumide", "Babatunde", "Tunde", "Obinna"]),
    "ghanaian": (["Akosua", "Abena", "Efua", "Ama"], ["Kwabena", "Kofi", "Yaw", "Kwame"]),
    "somali": (["Hodan", "Faadumo", "Amina", "Sahra", "Ifrah"], ["Abdirahman", "Mohamed", "Abdi", "Hassan",
                                                                 "Yusuf"]),
    "arabic": (["Amal", "Rania", "Huda", "Noor"], ["Omar", "Khaled", "Samir", "Tarek"]),
    "vietnamese": (["Thi Lan", "Thu Trang", "Ngoc Anh"], ["Van Minh", "Duc Anh", "Quang Huy"]),
    "chinese": (["Mei Ling", "Xiu Ying", "Li Na", "Wing Yee"], ["Wei", "Jian", "Ka Ming", "Hao"]),
    "portuguese": (["Ana", "Mariana", "Sofia", "Beatriz"], ["Joao", "Tiago", "Rui", "Miguel"]),
    "turkish": (["Ayse", "Elif", "Zeynep", "Fatma"], ["Mehmet", "Mustafa", "Emre", "Murat"]),
}  # fmt: skip
SURNAME_HERITAGE = {
    "irish": ["Murphy", "Kelly", "Gallagher", "O'Connor", "Doyle", "Walsh", "Quinn", "Byrne"],
    "welsh": ["Davies", "Evans", "Lloyd", "Parry", "Price", "Morgan", "Hughes"],
    "pakistani": ["Khan", "Hussain", "Iqbal", "Akhtar", "Mahmood"],
    "bangladeshi": ["Ahmed", "Rahman", "Ali"],
    "indian": ["Patel", "Mistry", "Shah", "Sharma", "Bhatt"],
    "sikh": ["Singh"],
    "polish": ["Kowalski", "Nowak"],
    "romanian": ["Popescu"],
    "nigerian": ["Okafor", "Adeyemi", "Nwosu"],
    "ghanaian": ["Mensah", "Osei"],
    "somali": ["Hassan"],
    "vietnamese": ["Nguyen", "Tran"],
    "chinese": ["Chen", "Wong"],
    "portuguese": ["Costa", "Silva", "Santos", "Ferreira"],
    "turkish": ["Yilmaz", "Kaya"],
}
HERITAGE = {surname: heritage for heritage, surnames in SURNAME_HERITAGE.items() for surname in surnames}
# A child's first name may come from a parent whose heritage the surname does not show.
FORENAME_HERITAGE = {
    "Zofia": "polish", "Oliwia": "polish", "Kacper": "polish", "Jakub": "polish", "Luca": "romanian",
    "Aisha": "arabic", "Maryam": "arabic", "Ibrahim": "arabic", "Ali": "arabic", "Zainab": "somali",
    "Hafsa": "somali", "Yusuf": "somali", "Idris": "somali", "Fatima": "pakistani", "Ayesha": "pakistani",
    "Muhammad": "pakistani", "Hamza": "pakistani", "Zain": "pakistani", "Bilal": "bangladeshi",
    "Priya": "indian", "Anaya": "indian", "Arjun": "indian", "Rohan": "indian", "Simran": "sikh",
    "Chidi": "nigerian", "Tobi": "nigerian", "Precious": "nigerian", "Amara": "nigerian", "Kwame": "ghanaian",
    "Mei": "chinese", "Mateo": "portuguese",
}  # fmt: skip
# Languages a family of this heritage may prefer (the first is the likeliest).
LANGUAGES = {
    "pakistani": ["Urdu", "Punjabi"],
    "bangladeshi": ["Bengali", "Sylheti"],
    "indian": ["Gujarati", "Hindi"],
    "sikh": ["Punjabi"],
    "polish": ["Polish"],
    "romanian": ["Romanian"],
    "somali": ["Somali", "Arabic"],
    "arabic": ["Arabic"],
    "vietnamese": ["Vietnamese"],
    "chinese": ["Mandarin", "Cantonese"],
    "portuguese": ["Portuguese"],
    "turkish": ["Turkish", "Kurdish"],
}
# Surnames a family of this heritage may have when a parent's surname differs from the child's.
OTHER_SURNAMES = {heritage: surnames for heritage, surnames in SURNAME_HERITAGE.items()}
OTHER_SURNAMES["british"] = ["Harrison", "Marshall", "Fisher", "Bradley", "Gibson", "Stevens", "Webb", "Spencer"]
OTHER_SURNAMES["arabic"] = ["Haddad", "Mansour", "Saleh"]
# Some Polish surnames change with the person's sex.
FEMININE_SURNAMES = {"Kowalski": "Kowalska"}

STREETS = [
    "Mill Lane", "Station Road", "Church Street", "Kingfisher Way", "Riverside Drive", "Orchard Close",
    "Victoria Road", "Heron Court", "Meadow View", "Weavers Row", "Canal Street", "Alder Grove", "Park Terrace",
    "Willow Crescent", "Brook Street", "Ferry Road",
]  # fmt: skip
TOWN = "Riverside"  # fictional, like its borough council and the LA number 999; "RV" is no real postcode area
EMAIL_DOMAINS = ["example.com", "example.org", "example.net"]  # reserved for examples (RFC 2606)
ACCESS_NEEDS = [
    "Uses a wheelchair: hold meetings in the ground-floor room.",
    "Has dyslexia: talk letters through on the phone as well as sending them.",
    "Hearing loss: uses the hearing loop; face them when speaking.",
    "Works nights: phone after 2pm, never in the morning.",
    "Anxious about meetings in school: offer a phone or video call first.",
    "Visual impairment: sends and reads email with a screen reader; no scanned letters.",
]
# Family shapes and how often they appear; see ``Contacts.family``.
SHAPES = {"two_parents": 40, "single_mother": 20, "single_father": 4, "apart": 14, "step": 8, "grandparent": 6,
          "foster": 4, "none": 4}  # fmt: skip
ON_REGISTER_WITH_CONTACTS = 0.88  # "most" pupils on the register: a few the MIS has not sent yet

# The demo's logins who are parents: (role, relationship, phone, how they joined Waymark).
LAURA_INVITED_ON = datetime.date(2025, 10, 1)
PARENT3_INVITED_ON = datetime.date(2026, 3, 2)
COURT_ORDER = (
    "Prohibited steps order made by the family court on 2 October 2026: no information about the child's "
    "education to be shared with this parent until further order. Copy held by the DSL."
)
NON_MOLESTATION_ORDER = (
    "Non-molestation order made on 9 September 2026: the school must not share the child's records or "
    "whereabouts with this parent. Letter from the family's solicitor held by the DSL."
)


def ascii_name(text):
    """For email addresses: no accents, spaces or apostrophes."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


@dataclasses.dataclass
class Adult:
    """One parent or carer as the MIS holds them, before the record is written."""

    full_name: str
    relationship: str
    parental_responsibility: bool = True
    email: str = ""
    phone: str = ""
    address: str = ""
    language: str = ""
    needs_interpreter: bool = False
    preferred_format: str = Format.STANDARD
    access_needs: str = ""

    def fields(self):
        fields = dataclasses.asdict(self)
        fields.update(
            contact_by_email=bool(self.email),
            contact_by_phone=bool(self.phone) and (not self.email or self.preferred_format == Format.PHONE),
            contact_by_post=not self.email and bool(self.address),
        )
        return fields


class Contacts:
    """Writes the contact records of one school's register pupils, inside its scope, as its SENCO."""

    def __init__(self, rng, school, senco, today):
        self.rng, self.school, self.today = rng, school, today
        self.actor = Actor.system(school, user=senco, today=today)
        self.phones = 0
        self.created = 0

    def build(self, skip=()):
        pupils = (
            Pupil.objects.filter(school=self.school)
            .filter(sen_statuses__ends_on__isnull=True, sen_statuses__provision__in=["K", "E"])
            .exclude(pk__in=list(skip))
            .order_by("pk")
        )
        restricted = False
        for pupil in pupils:
            if self.rng.random() > ON_REGISTER_WITH_CONTACTS:
                continue
            adults = self.family(pupil)
            links = [self.write(pupil, adult) for adult in adults]
            if (
                not restricted
                and self.school.phase == "secondary"
                and len(links) == 2
                and adults[0].address != (adults[1].address)
            ):
                # Parents living apart, one of them barred by a court from the child's records.
                self.restrict(links[1], NON_MOLESTATION_ORDER)
                restricted = True
        return self.created

    # ----- one family -----

    def family(self, pupil):
        rng = self.rng
        surname = pupil.legal_surname
        heritage = HERITAGE.get(surname, "british")
        # When the surname says nothing, the child's first name may say where their mother's family is from.
        mothers = heritage if heritage != "british" else FORENAME_HERITAGE.get(pupil.legal_forename, heritage)
        shape = rng.choices(list(SHAPES), weights=list(SHAPES.values()))[0]
        home = self.address()
        # A family that prefers another language mostly shares it; some need an interpreter.
        language = ""
        if mothers in LANGUAGES and rng.random() < 0.45:
            language = rng.choice(LANGUAGES[mothers][:1] * 3 + LANGUAGES[mothers])
        if shape == "none":
            return []
        if mothers != heritage:
            # Her own surname half the time; the child's (her married name, say) otherwise.
            mother_surname = rng.choice(OTHER_SURNAMES[mothers]) if rng.random() < 0.5 else surname
            mother = self.adult("F", mother_surname, mothers, Relationship.MOTHER, home, language, main=True)
            if shape in ("single_mother", "grandparent", "foster", "single_father"):
                return [mother]
            father_home = self.address() if shape == "apart" else home
            return [mother, self.adult("M", surname, heritage, Relationship.FATHER, father_home, "")]
        if shape in ("two_parents", "apart", "step"):
            mother = self.adult("F", surname, heritage, Relationship.MOTHER, home, language, main=True)
            if shape == "step":
                partner = self.adult(
                    "M", rng.choice(OTHER_SURNAMES["british"]), "british", Relationship.STEP_PARENT, home, ""
                )
                partner.parental_responsibility = False
                return [mother, partner]
            father_home = self.address() if shape == "apart" else home
            father = self.adult("M", surname, heritage, Relationship.FATHER, father_home, language if
                                shape != "apart" else "")  # fmt: skip
            return [mother, father] if rng.random() < 0.8 else [father, mother]
        if shape == "single_mother":
            return [self.adult("F", surname, heritage, Relationship.MOTHER, home, language, main=True)]
        if shape == "single_father":
            return [self.adult("M", surname, heritage, Relationship.FATHER, home, language, main=True)]
        if shape == "grandparent":
            carer = self.adult("F", surname, heritage, Relationship.GRANDPARENT, home, language, main=True)
            # Kinship carers with a special guardianship order hold parental responsibility.
            carer.preferred_format = rng.choice([Format.LARGE_PRINT, Format.PHONE, Format.STANDARD])
            return [carer]
        carer_surname = rng.choice(OTHER_SURNAMES["british"])
        carer = self.adult("F", carer_surname, "british", Relationship.FOSTER_CARER, home, "", main=True)
        carer.parental_responsibility = False  # the local authority holds it for a looked-after child
        return [carer]

    def adult(self, sex, surname, heritage, relationship, address, language, *, main=False):
        rng = self.rng
        if rng.random() < 0.15 and relationship in (Relationship.MOTHER, Relationship.FATHER):
            surname = rng.choice(OTHER_SURNAMES[heritage])  # not every parent has the child's surname
        if sex == "F":
            surname = FEMININE_SURNAMES.get(surname, surname)
        forename = rng.choice(ADULT_NAMES.get(heritage, ADULT_NAMES["british"])[0 if sex == "F" else 1])
        adult = Adult(full_name=f"{forename} {surname}", relationship=relationship, address=address)
        adult.phone = self.phone()
        if rng.random() < (0.85 if main else 0.7):
            adult.email = self.email(forename, surname)
        if language:
            adult.language = language
            adult.needs_interpreter = rng.random() < 0.55
        elif rng.random() < 0.01:
            adult.language, adult.needs_interpreter = "British Sign Language", True
        if not adult.email:
            adult.preferred_format = rng.choice([Format.PHONE, Format.PHONE, Format.PAPER])
        elif rng.random() < 0.12:
            adult.preferred_format = rng.choice([Format.LARGE_PRINT, Format.PAPER, Format.PHONE, Format.EASY_READ])
        if rng.random() < 0.05:
            adult.access_needs = rng.choice(ACCESS_NEEDS)
        return adult

    def address(self):
        rng = self.rng
        postcode = f"RV{rng.randint(1, 9)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}" + rng.choice(
            "ABDEFGHJLNPQRSTUWXYZ"
        )
        return f"{rng.randint(1, 140)} {rng.choice(STREETS)}\n{TOWN}\n{postcode}"

    def phone(self):
        # Ofcom's range for drama (07700 900000 to 900999): never a real number.
        self.phones += 1
        return f"07700 900{(self.phones * 37 + (7 if self.school.phase == 'primary' else 503)) % 1000:03d}"

    def email(self, forename, surname):
        first, last = ascii_name(forename), ascii_name(surname)
        local = self.rng.choice([f"{first}.{last}", f"{first}{last}{self.rng.randint(1, 99)}", f"{first[0]}{last}"])
        return f"{local}@{self.rng.choice(EMAIL_DOMAINS)}"

    # ----- writing -----

    def write(self, pupil, adult):
        self.created += 1
        return parent_contact_create(actor=self.actor, pupil=pupil, **adult.fields())

    def restrict(self, link, reason):
        return parent_link_update(
            actor=self.actor,
            link=link,
            expected_version=link.lock_version,
            status=ParentLink.Status.RESTRICTED,
            status_reason=reason,
        )


# ----- the demo parents who sign in -----


def _invite_and_accept(actor, link, user, *, invited_on, accepted_on):
    """The real journey: the SENCO invites, the parent opens the link and types the letter's code."""
    issued = invitations.parent_invite(actor=dataclasses.replace(actor, today=invited_on), link=link)
    accepted = invitations.invitation_accept(invitation=issued.invitation, code=issued.code, user=user)
    ParentInvitation.objects.filter(pk=issued.invitation.pk).update(
        created_at=at(invited_on, 15, 30),
        expires_at=at(invited_on + invitations.INVITATION_DAYS * DAY, 15, 30),
        accepted_at=at(accepted_on, 20, 10),
    )
    return accepted


def login_parents(schools, users, children, *, today):
    """Laura Bennett (primary, active) and Craig Bennett (restricted); the secondary's parent3 (active).

    Laura and parent3 joined by invitation, the way every parent does. Craig's account was
    linked before the court order, with no invitation on record, and the SENCO then
    restricted his link: he signs in and sees nothing of his child.
    """
    primary = Actor.system(schools["primary"], user=users["senco"], today=today)
    with scope(school=[schools["primary"].pk]):
        child = children["primary"]
        laura = parent_contact_create(
            actor=primary,
            pupil=child,
            full_name=users["parent"].full_name,
            email=users["parent"].email,
            relationship=Relationship.MOTHER,
            phone="07700 900418",  # Ofcom's range for drama: never a real number
            contact_by_phone=True,
        )
        _invite_and_accept(primary, laura, users["parent"], invited_on=LAURA_INVITED_ON, accepted_on=LAURA_INVITED_ON)
        craig = parent_link_create(actor=primary, pupil=child, user=users["parent2"], relationship=Relationship.FATHER)
        parent_link_update(
            actor=primary,
            link=craig,
            expected_version=craig.lock_version,
            status=ParentLink.Status.RESTRICTED,
            status_reason=COURT_ORDER,
        )
    secondary = Actor.system(schools["secondary"], user=users["other-school-senco"], today=today)
    with scope(school=[schools["secondary"].pk]):
        child = children["secondary"]
        link = parent_contact_create(
            actor=secondary,
            pupil=child,
            full_name=users["parent3"].full_name,
            email=users["parent3"].email,
            relationship=Relationship.MOTHER,
            phone="07700 900771",
            language="Yoruba",  # bilingual; reads English, so no interpreter
        )
        _invite_and_accept(
            secondary, link, users["parent3"], invited_on=PARENT3_INVITED_ON, accepted_on=PARENT3_INVITED_ON + 2 * DAY
        )
        # Her former partner lives elsewhere: a contact record with no account.
        parent_contact_create(
            actor=secondary,
            pupil=child,
            full_name=f"Femi {child.legal_surname}",
            relationship=Relationship.FATHER,
            email=f"femi.{ascii_name(child.legal_surname)}@example.net",
            phone="07700 900772",
            address=f"4 Heron Court\n{TOWN}\nRV7 2QD",
            contact_by_email=True,
        )


def build_contacts(rng, schools, users, children, *, today):
    """Every school's contact records, then the demo parents' logins; returns how many records were made."""
    senco_roles = {"primary": "senco", "secondary": "other-school-senco"}
    login_parents(schools, users, children, today=today)
    made = 0
    for key, school in schools.items():
        with scope(school=[school.pk]):
            made += Contacts(rng, school, users[senco_roles[key]], today).build(skip=[children[key].pk])
    return made
