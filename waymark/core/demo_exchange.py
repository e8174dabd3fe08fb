"""The demo's data in and out: a pupil who moved school with their record, archived leavers, a legal hold
and a subject access request.

Part of ``manage.py demo`` (see ``core.demo``), run last, once everything else exists.
Everything goes through the services, each called by the person who did it as of the day
it happened; the timestamps the services wrote as "now" are then moved onto those days
with a plain ``update``, as in the other demo modules (the audit trail keeps the time the
demo was built, which is true). Stories, the same in every build:

- Theo Marsh was in Year 6 at Kingfisher Primary until July 2026, on SEN support with a
  specific learning difficulty. There he had a plan on the "SEN support plan" template,
  reviewed in March and replaced by a second version (the first superseded), a spring-term
  paired reading group with its sessions and entry and exit reading ages, and a
  specialist teacher's assessment. Before he left, the SENCO exported his record as a
  transfer package (``transfer_export``, with ``PASSPHRASE``); on the first day of the
  autumn term Riverside High's SENCO received it (``transfer_receive``), which created him
  there with the same UPN, his SEN history and needs, the measures and the document marked
  as from the previous school. His page at Riverside shows "Record from Kingfisher Primary
  Academy"; the year group the package carried (Year 6) is moved on to Year 7, he is put in
  a Year 7 form and sets, and his first Individual Support Plan there was published in
  October. Kingfisher's SENCO archived his record there after the summer (``pupil_archive``);
- Callum Doyle left Riverside High at the end of Year 11 in July 2026: archived in
  September, with a legal hold since October because of an insurance claim. The secondary
  has no headteacher among the demo logins, so its SENCO, who also administers the
  school's records, placed the hold;
- Laura Bennett (the demo parent) asked Kingfisher for everything held about her child a
  week before the demo's today: the SENCO logged it as from a parent the school knows
  (``sar_log``), so the subject access list shows it due in a little over three weeks.
"""

import dataclasses
import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scope

from waymark.core.actor import Actor
from waymark.core.models import Visibility
from waymark.evidence.documents import document_upload
from waymark.evidence.models import Document
from waymark.exchange.models import LegalHold, ReceivedTransfer, SubjectAccessRequest
from waymark.exchange.retention import legal_hold_place, pupil_archive
from waymark.exchange.subject_access.requests import sar_log
from waymark.exchange.transfer.package import transfer_export
from waymark.exchange.transfer.receive import transfer_receive
from waymark.plans.models import Provision as PlanProvision
from waymark.provision import groups, members
from waymark.provision.models import Intervention, Measure, StaffRole
from waymark.pupils import services as pupil_services
from waymark.pupils.models import NeedType, ParentLink, Pupil, SenStatus
from waymark.schools.models import ClassGroup

from . import demo_delivery, demo_evidence
from .demo_plans import PupilWords, SchoolPlans
from .demo_pupils import make_upn

D = datetime.date
# Given to the receiving school by phone, never with the file (exchange/transfer/passphrase.py).
PASSPHRASE = "heron-lantern-orchard-kayak"  # noqa: S105 (demo data: the package is received in the build)


@dataclasses.dataclass(frozen=True)
class Leaver:
    forename: str
    surname: str
    preferred: str
    sex: str
    born: datetime.date
    year_group: int
    joined: datetime.date
    left: datetime.date
    upn_year: int
    upn_serial: int


MOVER = Leaver("Theodore", "Marsh", "Theo", "M", D(2015, 2, 11), 6, D(2019, 9, 4), D(2026, 7, 22), 2019, 19)
YEAR_11_LEAVER = Leaver("Callum", "Doyle", "", "M", D(2009, 11, 3), 11, D(2021, 9, 1), D(2026, 7, 22), 2014, 7)

# Theo's story at the primary.
ON_SEN_SUPPORT, MORE_HELP, SPEECH_RESOLVED = D(2022, 1, 10), D(2024, 2, 26), D(2024, 7, 19)
FIRST_PLAN, FIRST_PUBLISHED = D(2025, 9, 22), D(2025, 10, 6)
REVIEWED, SECOND_PUBLISHED = D(2026, 3, 16), D(2026, 3, 25)
GROUP_SET_UP, GROUP_STARTS, GROUP_ENDS = D(2026, 1, 8), D(2026, 1, 12), D(2026, 3, 13)
GROUP_NAME = "Years 5 and 6 paired reading (spring 2026)"
# Theo's place delivers the first of these his plan names; reading ages gained over the ten weeks
# (a ratio gain that is substantial for him and useful for his classmate).
COMMITMENT_WORDS = ("paired reading", "dyslexia", "reading", "phonics")
MONTHS_GAINED = {"mover": 6, "classmate": 4}
ASSESSED_ON, ASSESSMENT_ADDED = D(2026, 5, 14), D(2026, 5, 20)
EXPORTED_ON, ARCHIVED_AT_PRIMARY = D(2026, 7, 17), D(2026, 9, 4)
# ...and at the secondary.
RECEIVED_ON, SECONDARY_PLAN, SECONDARY_PUBLISHED = D(2026, 9, 1), D(2026, 9, 21), D(2026, 10, 5)
MOVER_CLASSES = ("7B", "7En3", "7Ma3", "7Sc2")  # never 7Ma4: the demo maths teacher's pupils all have a plan in force
# The Year 11 leaver and the hold.
ARCHIVED_AT_SECONDARY, HOLD_PLACED = D(2026, 9, 8), D(2026, 10, 12)
HOLD_REASON = (
    "Insurance claim notified on 9 October 2026 by the family's solicitors: a hand injury in a design and "
    "technology lesson on 4 March 2026. Keep the whole record until the claim is settled."
)
# The subject access request.
SAR_RECEIVED = D(2026, 11, 9)
SAR_DETAILS = "Asked in person at the school office; known to the office staff and the SENCO."

ASSESSMENT_TITLE = "Specialist teacher's literacy assessment"
ASSESSMENT = (
    "{name} was assessed in school on 14 May 2026 at the request of the SENCO, with his parents' agreement.",
    "Single-word reading and spelling were well below what is typical for his age; phonological processing "
    "and rapid naming were weak. Verbal reasoning and listening comprehension were secure strengths.",
    "The profile is consistent with dyslexia. {name} works hard, and tires quickly when reading and writing.",
)
ASSESSMENT_RECOMMENDATIONS = (
    "Continue structured, cumulative literacy teaching three times a week at secondary school.\n"
    "Give printed copies of what is on the board, and key vocabulary before each topic.\n"
    "Allow a laptop for extended writing and assess for access arrangements in Year 9."
)
ASSESSOR = "Hannah Reid, specialist teacher (SpLD), Riverside Learning Support Service"


def build_exchange(rng, schools, users, *, today):
    """The stories above, in the demo schools (``schools`` by key) with the demo cast (``users`` by role)."""
    primary, secondary = schools["primary"], schools["secondary"]
    senco, other_senco = users["senco"], users["other-school-senco"]
    with scope(school=[primary.pk]):
        mover = _primary_history(rng, primary, users)
        with demo_evidence._quiet_weasyprint():  # the plan PDFs in the package
            package = transfer_export(actor=_as(senco, EXPORTED_ON), pupil=mover, passphrase=PASSPHRASE)
        mover = _leave(senco, mover, MOVER.left)
    with scope(school=[secondary.pk]):
        _receive(rng, secondary, users, package, today)
        leaver = _create(other_senco, secondary, YEAR_11_LEAVER)
        _leave(other_senco, leaver, YEAR_11_LEAVER.left)
        _archive(other_senco, leaver, ARCHIVED_AT_SECONDARY)
        hold = legal_hold_place(actor=_as(other_senco, HOLD_PLACED), pupil=leaver, reason=HOLD_REASON)
        LegalHold.objects.filter(pk=hold.pk).update(placed_at=_at(HOLD_PLACED, 11))
    with scope(school=[primary.pk]):
        _archive(senco, mover, ARCHIVED_AT_PRIMARY)
        _subject_access_request(senco, users["parent"])


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _as(user, day):
    return Actor.for_user(user, today=day)


# ----- pupils -----


def _create(user, school, leaver):
    """A pupil with no SEN when they joined (``pupil_create`` opens status N from that day)."""
    return pupil_services.pupil_create(
        actor=_as(user, leaver.joined),
        school=school,
        upn=make_upn(school.la_number, school.establishment_number, leaver.upn_year, leaver.upn_serial),
        legal_forename=leaver.forename,
        legal_surname=leaver.surname,
        preferred_name=leaver.preferred,
        date_of_birth=leaver.born,
        year_group=leaver.year_group,
        sex=leaver.sex,
        date_joined=leaver.joined,
    )


def _leave(user, pupil, left_on):
    pupil.refresh_from_db()
    return pupil_services.pupil_update(
        actor=_as(user, left_on), pupil=pupil, expected_version=pupil.lock_version, date_left=left_on
    )


def _archive(user, pupil, day):
    archived = pupil_archive(actor=_as(user, day), pupil=pupil)
    Pupil.objects.filter(pk=archived.pk).update(archived_at=_at(day, 9, 30))


def _with_needs(pupil):
    """The pupil again, with what the plan writer reads (statuses, needs and their types)."""
    return Pupil.objects.prefetch_related("sen_statuses", "needs__need_type").get(pk=pupil.pk)


# ----- Theo at the primary -----


def _primary_history(rng, school, users):
    """Theo's record at Kingfisher: SEN history and needs, two plan versions and a review, a group, a document."""
    senco = users["senco"]
    mover = _create(senco, school, MOVER)
    mover = _status(senco, mover, "targeted", ON_SEN_SUPPORT)
    needs = {code: NeedType.objects.get(code=code) for code in ("SPLD", "SLCN")}
    as_of = _as(senco, ON_SEN_SUPPORT)
    pupil_services.need_add(
        actor=as_of,
        pupil=mover,
        need_type=needs["SPLD"],
        rank=1,
        description="Dyslexic profile: slow reading and spelling; reads well with a reading ruler and extra time.",
        starts_on=ON_SEN_SUPPORT,
    )
    speech = pupil_services.need_add(
        actor=as_of,
        pupil=mover,
        need_type=needs["SLCN"],
        rank=2,
        description="Speech sound difficulties; on the NHS speech and language therapy caseload.",
        starts_on=ON_SEN_SUPPORT,
    )
    mover = _status(senco, mover, "targeted_plus", MORE_HELP)
    pupil_services.need_end(
        actor=_as(senco, SPEECH_RESOLVED), need=speech, ends_on=SPEECH_RESOLVED, expected_version=speech.lock_version
    )
    # The plan writer of demo_plans, as of the week Theo left: nothing it writes is dated later.
    writer = SchoolPlans(rng, school, senco, users, EXPORTED_ON)
    words = PupilWords(writer, _with_needs(mover), set())
    first = writer.version(words, FIRST_PLAN, publish=True, published_on=FIRST_PUBLISHED)
    group = _reading_group(school, users, mover, first)
    _SpringTermDelivery(rng, school, [group], users, EXPORTED_ON, mover=mover).build()
    writer.revise(words, first, REVIEWED, publish=True, published_on=SECOND_PUBLISHED, reviewed=True)
    _assessment(senco, mover)
    return Pupil.objects.get(pk=mover.pk)


def _status(user, pupil, tier, starts_on):
    pupil.refresh_from_db()
    pupil_services.sen_status_change(
        actor=_as(user, starts_on),
        pupil=pupil,
        provision="K",
        tier=tier,
        starts_on=starts_on,
        expected_version=pupil.lock_version,
    )
    pupil.refresh_from_db()
    return pupil


def _reading_group(school, users, mover, plan_version):
    """A spring-term group run by last year's teacher: Theo, delivering his plan's commitment, and a classmate."""
    actor = _as(users["senco"], GROUP_SET_UP)
    group = groups.group_create(
        actor=actor,
        intervention=Intervention.objects.get(school=school, intervention_type__code="fluency-paired-reading"),
        name=GROUP_NAME,
        starts_on=GROUP_STARTS,
        ends_on=GROUP_ENDS,
        slots={1: datetime.time(10, 50), 3: datetime.time(10, 50)},
        leaders=[(users["last-years-teacher"], StaffRole.objects.get(school=school, name="Teacher"))],
        room="Library",
    )
    commitments = list(PlanProvision.objects.filter(version=plan_version).order_by("order", "pk"))
    commitment = next(
        (item for words in COMMITMENT_WORDS for item in commitments if words in item.what.lower()),
        commitments[0] if commitments else None,
    )
    members.member_add(
        actor=actor,
        group=group,
        pupil=mover,
        joined_on=GROUP_STARTS,
        commitment=commitment.lineage if commitment else None,
    )
    classmate = _classmate(school, mover)
    if classmate is not None:
        members.member_add(actor=actor, group=group, pupil=classmate, joined_on=GROUP_STARTS)
    return group


class _SpringTermDelivery(demo_delivery.Delivery):
    """The group's sessions as every demo group has them; reading ages that show Theo's progress plainly."""

    def __init__(self, *args, mover, **kwargs):
        super().__init__(*args, **kwargs)
        self.mover = mover

    def measures(self, group, leader, members):
        scale = group.intervention.measure_type
        exit_on = group.ends_on + demo_delivery.RETEST_AFTER
        recorded = []
        for member in members:
            entry = self.entry_value(scale, member.pupil, group.starts_on)
            gained = MONTHS_GAINED["mover" if member.pupil_id == self.mover.pk else "classmate"]
            for point, value, day in (
                (Measure.Point.ENTRY, entry, group.starts_on),
                (Measure.Point.EXIT, entry + gained, exit_on),
            ):
                measure = self.record(leader, group, member.pupil, scale, point, value, day)
                measure.recorded_at = _at(day, 15, 50)
                recorded.append(measure)
        Measure.objects.bulk_update(recorded, ["recorded_at"])


def _classmate(school, mover):
    """A pupil then in Year 5 (Year 6 now), on SEN support for reading, who shared Theo's group."""
    literacy = SenStatus.objects.filter(ends_on__isnull=True, provision="K").values("pupil")
    return (
        Pupil.objects.filter(school=school, year_group=6, pk__in=literacy)
        .filter(needs__ends_on__isnull=True, needs__need_type__code__in=["SPLD", "NSA"])
        .exclude(pk=mover.pk)
        .order_by("pk")
        .first()
    )


def _assessment(senco, mover):
    """The specialist teacher's report, uploaded by the SENCO; it travels in the package."""
    upload = demo_evidence.pdf(ASSESSMENT_TITLE, [text.format(name=mover.forename) for text in ASSESSMENT])
    document = document_upload(
        actor=_as(senco, ASSESSMENT_ADDED),
        pupil=mover,
        upload=SimpleUploadedFile("literacy-assessment.pdf", upload, content_type="application/pdf"),
        title=ASSESSMENT_TITLE,
        kind=Document.Kind.ASSESSMENT,
        written_on=ASSESSED_ON,
        visibility=Visibility.STAFF,
        author=ASSESSOR,
        recommendations=ASSESSMENT_RECOMMENDATIONS,
    )
    Document.objects.filter(pk=document.pk).update(uploaded_at=_at(ASSESSMENT_ADDED, 10))


# ----- Theo at the secondary -----


def _receive(rng, school, users, package, today):
    """Riverside's SENCO receives the package; Theo is then put in Year 7, his classes, and given a plan."""
    other_senco = users["other-school-senco"]
    transfer = transfer_receive(
        actor=_as(other_senco, RECEIVED_ON), school=school, package_bytes=package, passphrase=PASSPHRASE
    )
    # The story's days, not the build's: sent the week he left, received on the first day of term.
    exported = _at(EXPORTED_ON, 15, 10)
    document = {**transfer.document, "exported_at": exported.astimezone(datetime.UTC).isoformat()}
    ReceivedTransfer.objects.filter(pk=transfer.pk).update(
        exported_at=exported, received_at=_at(RECEIVED_ON, 8, 40), document=document
    )
    Measure.objects.filter(received_in=transfer).update(recorded_at=_at(RECEIVED_ON, 8, 40))
    Document.objects.filter(received_in=transfer).update(uploaded_at=_at(RECEIVED_ON, 8, 40))
    pupil = transfer.pupil
    pupil.refresh_from_db()
    # A package carries the year group the sending school had; he moved up over the summer.
    pupil = pupil_services.pupil_update(
        actor=_as(other_senco, RECEIVED_ON), pupil=pupil, expected_version=pupil.lock_version, year_group=7
    )
    actor = _as(other_senco, RECEIVED_ON)
    this_year = ClassGroup.objects.filter(
        school=school, academic_year__starts_on__lte=RECEIVED_ON, academic_year__ends_on__gte=RECEIVED_ON
    )
    for name in MOVER_CLASSES:
        pupil_services.enrolment_add(actor=actor, pupil=pupil, group=this_year.get(name=name), starts_on=RECEIVED_ON)
    writer = SchoolPlans(rng, school, other_senco, users, today)
    writer.version(
        PupilWords(writer, _with_needs(pupil), set()), SECONDARY_PLAN, publish=True, published_on=SECONDARY_PUBLISHED
    )


# ----- the subject access request -----


def _subject_access_request(senco, parent):
    link = ParentLink.objects.select_related("pupil").get(user=parent, status=ParentLink.Status.ACTIVE)
    request = sar_log(
        actor=_as(senco, SAR_RECEIVED),
        pupil=link.pupil,
        requester_kind=SubjectAccessRequest.Requester.PARENT,
        parent_link=link,
        identity_check=SubjectAccessRequest.IdentityCheck.KNOWN_PARENT,
        identity_details=SAR_DETAILS,
        received_on=SAR_RECEIVED,
    )
    SubjectAccessRequest.objects.filter(pk=request.pk).update(logged_at=_at(SAR_RECEIVED, 10, 15))
