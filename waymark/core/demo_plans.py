"""The demo's support plans: every register pupil has one, in every state a plan can be in.

Part of ``manage.py demo`` (see ``core.demo``), run once, when the schools are first built.
Unlike the pupils, plans are written through the plan services (``plans.services``) with
the school's SENCO as a system actor, so every shared or published version is frozen by
the same ``build_snapshot`` as in production and passes the same checks (complete
outcomes, a review date, one draft at a time). The services stamp "now"; afterwards the
version's own dates (started, shared, published, ended) are moved back onto the demo's
story, in the autumn term of 2026, with a plain ``update`` that never touches a snapshot.
The audit trail is append-only and keeps the time the demo was built, which is true.

Stories, chosen with the demo's seeded random generator:

- most pupils have an ACTIVE plan, many with an earlier SUPERSEDED version (last year's
  plans were on the "SEN support plan" template, this year's on the "Individual Support
  Plan"); some have a new DRAFT in progress or a version SHARED for agreement beside it;
- an earlier version was reviewed on the day its successor was started (``demo_reviews``):
  outcomes rated, the parents' views, the parents who came, and completing the review took
  the met outcomes out of the new draft and carried the unmet ones forward;
- pupils new to the register have only a draft, or a first version shared for agreement;
- a few pupils who came off the register have a CLOSED plan;
- some reviews are overdue and some due within the fortnight, a few items are staff-only
  or restricted, the specialist tier has the EHC plan's key facts, and drafts show what
  still stops them being published.

Every pupil in the classes of the demo teacher, TA and maths teacher has an active plan
with key adjustments (maths ones first for the maths teacher's pupils), and a few of
them have confirmed they read them.
"""

import dataclasses
import datetime

from django.utils import timezone
from django_scopes import scope

from waymark.core.actor import Actor
from waymark.core.models import Visibility
from waymark.evidence.models import Share
from waymark.plans import services
from waymark.plans.models import (
    Adjustment,
    BankEntry,
    Outcome,
    PlanTemplate,
    PlanVersion,
    Provision,
    ReadReceipt,
    SupportPlan,
)
from waymark.pupils.models import Enrolment, ParentLink, Pupil
from waymark.schools.models import GroupStaff

from .demo_reviews import ReviewWriter

DAY = datetime.timedelta(days=1)
EVERYONE, STAFF, RESTRICTED = Visibility.EVERYONE, Visibility.STAFF, Visibility.RESTRICTED
ISP = "Individual Support Plan"
SEN_SUPPORT_PLAN = "SEN support plan (SEND Code of Practice 2015)"
NEW_TEMPLATE_FROM = datetime.date(2026, 9, 1)  # this school year's plans are written on the ISP template
THIS_TERM = datetime.date(2026, 9, 7)
TERM_END_DAYS = ((3, 27), (7, 21), (12, 18))  # roughly where each term ends, in any year
LOCAL_AUTHORITY = "Riverside Borough Council"  # fictional, like LA number 999

# Which content each need code draws on.
FAMILY = {
    "SPLD": "literacy", "NSA": "literacy", "MLD": "learning", "SLD": "learning", "PMLD": "learning",
    "DS": "learning", "SLCN": "language", "ASD": "autism", "SEMH": "semh", "HI": "hearing", "VI": "vision",
    "MSI": "vision", "PD": "physical", "OTH": "physical",
}  # fmt: skip

# ----- what the pupil says (in their own voice) -----

LIKED = {
    "primary": [
        "People say I am kind and I always share my snack.", "My friends say I am funny and good at jokes.",
        "My teacher says I try really hard even when things are tricky.", "People like that I look after the "
        "little ones at playtime.", "My mum says I give the best hugs.", "People say I am brilliant at building "
        "things.", "I am a good friend and I notice when someone is sad.", "My class says I am the fastest "
        "runner in the class.",
    ],
    "secondary": [
        "People say I am loyal to my friends and easy to talk to.", "My tutor says I have a good sense of "
        "humour.", "Teachers say I am polite and helpful when I feel settled.", "My friends say I know "
        "everything about football.", "People like that I am honest, even when it is hard.", "I am good "
        "at fixing things and people ask me for help with their phones.", "My coach says I never give up.",
        "People say I am creative and have good ideas in DT.",
    ],
}  # fmt: skip
IMPORTANT = {
    "primary": [
        "My dog Biscuit, my nan and going to the park on Saturdays.", "Minecraft, dinosaurs and my big "
        "brother.", "Swimming on Fridays and my cat called Pickle.", "Drawing, and having my special pencil "
        "case.", "Football with my dad and knowing what is happening next.", "My baby sister and my "
        "Lego.", "Going to Brownies and seeing my cousins at the weekend.", "Being with my best friend at "
        "lunch.",
    ],
    "secondary": [
        "My family, my friends and playing FIFA at the weekend.", "Music: I play guitar and want to be in a "
        "band.", "Boxing club three times a week.", "Looking after my younger brothers after school.",
        "Art, and having somewhere quiet to go at lunch.", "Getting a job with cars when I leave school.",
        "My rabbit and my part in the school play.", "Being treated like everyone else.",
    ],
}  # fmt: skip
SUPPORT_ME = {
    "literacy": [
        "Let me show what I know by talking or drawing, not only writing.",
        "Give me the key words before we start and don't make me read out loud in front of everyone.",
    ],
    "learning": [
        "Show me with real things first, then let me try on my own.",
        "Go over things again the next day. Check I understand by asking me to show you.",
    ],
    "language": [
        "Say my name first, then tell me one thing at a time. Give me time to answer.",
        "Show me a picture or write it down so I can remember what to do.",
    ],
    "autism": [
        "Tell me before things change. Let me use my quiet space when it gets too loud.",
        "Tell me exactly what to do. Don't make me look at you when I'm listening.",
    ],
    "semh": [
        "Say hello to me in the morning. If I get cross, give me time and space, then talk to me later.",
        "Let me have a job to do. Talk to me quietly, not in front of everyone.",
    ],
    "hearing": [
        "Face me when you talk and make sure my radio aid is switched on.",
        "Let me sit near the front and check I have heard the homework.",
    ],
    "vision": [
        "Give me my own copy of what is on the board, in big print.",
        "Tell me where things are and don't move my things without saying.",
    ],
    "physical": [
        "Let me have a break when my hands get tired. Help me get to places early before the corridor is busy.",
        "Ask me what I need before you help me. I can do more than people think.",
    ],
}
STRENGTHS = {
    "primary": [
        "Brilliant at practical tasks and building models; remembers stories told aloud.",
        "Kind and caring; a good friend; enjoys PE and music.",
        "Good spoken vocabulary and lots of ideas; loves science investigations.",
        "Confident with numbers when using apparatus; enjoys art and drawing.",
        "Works hard and keeps trying; helpful in the classroom.",
        "Good memory for facts about animals; enjoys being given responsibility.",
    ],
    "secondary": [
        "Strong practical skills in DT and food technology; reliable with responsibilities.",
        "Good verbal reasoning in discussion; thoughtful answers when given time.",
        "Talented in art; enjoys music and performs with the school band.",
        "Strong in PE and a good team member; helps younger pupils at clubs.",
        "Good at maths when the language is clear; accurate and careful.",
        "Curious in science; remembers a lot from practical lessons.",
    ],
}
RESPONSIBILITIES = {
    "school": (
        "Deliver the support set out in this plan and tell home how it is going each half term. "
        "{name}'s class teacher stays responsible for {their} progress and uses the adjustments in every lesson."
    ),
    "parents": [
        "Read with {name} for ten minutes most evenings and sign the reading record.",
        "Let the class teacher know about changes at home that might affect {name}'s day.",
        "Practise the weekly words at home and come to the review meetings.",
        "Help {name} pack {their} bag the night before, using the checklist.",
    ],
    "pupil": [
        "Use my help card when I am stuck, and try the first step on my own.",
        "Go to my check-in each morning and tell an adult if something is worrying me.",
        "Bring my reading book every day and practise my words.",
        "Use my timetable and tick off each lesson.",
    ],
}
REVIEW_ARRANGEMENTS = (
    "Reviewed each term with {name} and {their} family at a meeting with the class teacher and SENCO. "
    "{name}'s views are gathered beforehand with {their} key adult."
)

# ----- what each need means in school -----

BARRIERS = {
    "literacy": [
        "Reads slowly and guesses unfamiliar words, so written instructions and texts take much longer.",
        "Spelling and handwriting take so much effort that written work is short and ideas are lost.",
    ],
    "learning": [
        "Needs new learning broken into small steps and repeated often before it is secure.",
        "Finds abstract ideas hard without practical apparatus; forgets steps in longer tasks.",
    ],
    "language": [
        "Understands short instructions but loses track of longer ones, so starts tasks late or not at all.",
        "Limited vocabulary and short sentences make it hard to explain answers or join in discussion.",
    ],
    "autism": [
        "Unexpected changes and noisy, unstructured times cause high anxiety that can end in shutdown.",
        "Takes language literally and finds group work and social times confusing and tiring.",
    ],
    "semh": [
        "Anxiety in the morning makes it hard to settle; misses the start of lessons.",
        "Strong feelings can build quickly when a task feels too hard, leading to leaving the room.",
    ],
    "hearing": [
        "Misses spoken information in noisy rooms and during group work; tires by the afternoon.",
    ],
    "vision": [
        "Cannot read standard print or the board from a distance; needs enlarged or digital copies.",
    ],
    "physical": [
        "Handwriting is slow and tiring; moving around the building takes longer than for peers.",
        "Fatigue and medical appointments affect attendance and concentration.",
    ],
}
# (what, baseline, target, how measured, who checks) by family and phase.
OUTCOMES = {
    ("literacy", "primary"): [
        ("{name} will read and spell more of the common exception words for {their} year.",
         "Reads 22 of the Year 2 common exception words.", "Reads 40 of them, and spells 20.",
         "Precision-teaching probe, one minute, weekly", "Class teacher"),
        ("{name} will read a book at {their} phonics level with fluency and understanding.",
         "Reads phase 5 books at 38 words a minute with support.", "Reads them at 60 words a minute on "
         "{their} own and answers 3 of 4 questions.", "Timed reading and questions each half term", "SENCO"),
        ("{name} will write three sentences independently using a word mat.",
         "Writes one sentence with adult support.", "Writes three sentences with capital letters and full "
         "stops.", "Independent writing sample each half term", "Class teacher"),
    ],
    ("literacy", "secondary"): [
        ("{name} will read subject texts more fluently.", "Reading age 9 years 2 months (standardised test).",
         "Reading age 10 years 6 months.", "Standardised reading test", "SENCO"),
        ("{name} will touch-type so that typing is faster than handwriting.",
         "Types 12 words a minute; handwrites 14.", "Types 25 words a minute accurately.",
         "Typing programme speed check", "Learning support assistant"),
        ("{name} will use a planning frame to write a structured paragraph in English.",
         "Writes unstructured paragraphs of 2 to 3 sentences.", "Writes a point, evidence and explanation "
         "paragraph in 3 of 4 attempts.", "English teacher's marking of extended writing", "English teacher"),
    ],
    ("learning", "primary"): [
        ("{name} will know number bonds to 10 and use them to add.", "Recalls 4 of the 11 bonds to 10.",
         "Recalls all bonds to 10 within 3 seconds.", "Flash-card check each fortnight", "Class teacher"),
        ("{name} will follow a visual timetable to move between activities.",
         "Needs an adult prompt at each change.", "Moves between activities with one visual prompt.",
         "Adult tally over a week", "Teaching assistant"),
        ("{name} will count reliably to 20 and match numerals to amounts.", "Counts reliably to 8.",
         "Counts reliably to 20 and matches numerals to 20.", "Observation with apparatus", "Class teacher"),
    ],
    ("learning", "secondary"): [
        ("{name} will use a times-table square and calculator to solve two-step problems.",
         "Solves one-step problems with support.", "Solves two-step problems in 3 of 5 attempts.",
         "Maths teacher's assessment each half term", "Maths teacher"),
        ("{name} will learn key vocabulary before each topic.", "Knows 3 of 10 key words at the start of a "
         "topic.", "Knows 8 of 10 key words by the end of the pre-teaching.", "Vocabulary quiz",
         "Learning support assistant"),
        ("{name} will manage money in a practical life-skills task.", "Recognises coins but cannot give "
         "change.", "Works out change from £10 with a calculator.", "Practical task record", "SENCO"),
    ],
    ("language", "primary"): [
        ("{name} will follow two-part instructions in class.", "Follows 1 of 5 two-part instructions.",
         "Follows 4 of 5 two-part instructions.", "Teaching assistant's tally, weekly", "Class teacher"),
        ("{name} will use new topic words in {their} own sentences.", "Uses 2 of 10 topic words.",
         "Uses 7 of 10 topic words correctly.", "Word-learning check at the end of each topic",
         "Teaching assistant"),
        ("{name} will say when {they} {do_not} understand.", "Rarely asks for help.",
         "Asks for help or repetition at least once each lesson.", "Observation in 3 lessons a week",
         "Class teacher"),
    ],
    ("language", "secondary"): [
        ("{name} will explain {their} answer using a sentence starter.", "Answers in single words.",
         "Gives a full-sentence explanation in 3 of 5 lessons.", "Teacher observation", "Form tutor"),
        ("{name} will learn and use the key words of each science topic.", "Uses 2 of 12 key words.",
         "Uses 8 of 12 key words in written answers.", "End-of-topic vocabulary check", "Science teacher"),
    ],
    ("autism", "primary"): [
        ("{name} will use {their} calm box or quiet space when {they} {feel} overwhelmed.",
         "Leaves the room without telling an adult about twice a week.", "Uses the agreed signal and "
         "quiet space in 4 of 5 times.", "Incident log and teaching assistant's record", "SENCO"),
        ("{name} will join a structured game at lunchtime with an adult nearby.",
         "Plays alone at every lunchtime.", "Joins a structured game on 3 lunchtimes a week.",
         "Lunchtime supervisor's record", "Teaching assistant"),
        ("{name} will use a now-and-next board to manage changes.", "Becomes distressed at most changes.",
         "Manages planned changes calmly with the board on 4 of 5 days.", "Daily record", "Class teacher"),
    ],
    ("autism", "secondary"): [
        ("{name} will use {their} time-out card to leave lessons calmly when needed.",
         "Leaves lessons without the card, about 3 times a week.", "Uses the card every time and returns "
         "within 10 minutes.", "Behaviour log", "Head of year"),
        ("{name} will go to lunch club and eat lunch in school.", "Eats lunch on 1 day a week.",
         "Eats lunch in school on 4 days a week.", "Lunch club register", "Learning mentor"),
        ("{name} will use a homework planner to hand homework in on time.", "Hands in 30% of homework.",
         "Hands in 80% of homework on time.", "Homework record", "Form tutor"),
    ],
    ("semh", "primary"): [
        ("{name} will come into class calmly each morning after a soft start.", "Settles on 2 of 5 mornings.",
         "Settles within 10 minutes on 4 of 5 mornings.", "Daily check-in record", "Class teacher"),
        ("{name} will name {their} feelings using the zones chart.", "Names feelings with an adult's help.",
         "Names {their} feelings and chooses a strategy on {their} own.", "Weekly ELSA session notes", "ELSA"),
        ("{name} will stay in class for whole lessons.", "Leaves class about 4 times a week.",
         "Leaves class no more than once a week.", "Behaviour log", "Class teacher"),
    ],
    ("semh", "secondary"): [
        ("{name} will attend all lessons on {their} timetable.", "Attendance 82% this term; misses period 1.",
         "Attendance 92% with fewer than 2 late marks a week.", "Attendance data", "Head of year"),
        ("{name} will use a calm plan when feelings build.", "Two removals from lessons a week.",
         "No more than one removal a fortnight.", "Behaviour log", "Learning mentor"),
        ("{name} will talk to a trusted adult when worried.", "Keeps worries to {themself} until they "
         "overflow.", "Uses the weekly check-in to raise worries early.", "Mentor's notes", "Learning mentor"),
    ],
    ("hearing", "primary"): [
        ("{name} will check {their} hearing aids and radio aid each morning.", "Needs an adult to check.",
         "Does the check on {their} own and tells an adult if something is wrong.", "Daily checklist",
         "Teaching assistant"),
        ("{name} will ask for repetition when {they} {have_not} heard.", "Rarely asks.",
         "Asks for repetition at least once in each lesson.", "Observation", "Teacher of the deaf"),
    ],
    ("hearing", "secondary"): [
        ("{name} will hand {their} radio aid to each teacher at the start of the lesson.",
         "Gives it out in about half of lessons.", "Gives it out in every lesson.", "Weekly spot check",
         "Teacher of the deaf"),
        ("{name} will learn subject vocabulary before lessons.", "Meets new words for the first time in the "
         "lesson.", "Knows 8 of 10 key words before each topic.", "Vocabulary check",
         "Learning support assistant"),
    ],
    ("vision", "primary"): [
        ("{name} will use {their} magnifier and slope independently.", "Needs reminding to use them.",
         "Uses them without reminders in 4 of 5 lessons.", "Observation", "Teaching assistant"),
        ("{name} will find {their} way around school on {their} own.", "Needs an adult to move between "
         "places.", "Moves between the classroom, hall and toilets on {their} own.", "Mobility record",
         "Qualified teacher of vision impairment"),
    ],
    ("vision", "secondary"): [
        ("{name} will use {their} tablet to zoom in on the board and texts.", "Uses it in 2 of 5 lessons.",
         "Uses it in every lesson without prompting.", "Weekly check", "Learning support assistant"),
        ("{name} will touch-type at speed.", "Types 10 words a minute.", "Types 25 words a minute.",
         "Typing speed check", "Qualified teacher of vision impairment"),
    ],
    ("physical", "primary"): [
        ("{name} will form {their} letters correctly on a writing slope.", "Forms 10 of 26 letters correctly.",
         "Forms 22 of 26 letters correctly.", "Handwriting sample each half term", "Teaching assistant"),
        ("{name} will get changed for PE with less help.", "Needs help with every item.",
         "Changes with help for fastenings only.", "Teaching assistant's record", "Class teacher"),
    ],
    ("physical", "secondary"): [
        ("{name} will use a laptop for extended writing in every subject.", "Uses the laptop in English only.",
         "Uses it for all extended writing.", "Subject teachers' feedback", "SENCO"),
        ("{name} will manage {their} own movement breaks.", "Relies on staff to suggest breaks.",
         "Asks for a break when needed in 4 of 5 days.", "Pass log", "Learning support assistant"),
    ],
}  # fmt: skip
# (what, role, sessions a week, minutes, group size, kind, phases): kind "school" is paid from the
# school's budget, "specialist" is an outside specialist's time (Experts at Hand), "ehc" what an
# EHC plan pays for; phases "p" primary, "s" secondary.
PROVISION = {
    "literacy": [
        ("Precision teaching: common exception words", "Teaching assistant", 3, 10, 1, "school", "p"),
        ("Phonics catch-up group", "Teaching assistant", 4, 20, 4, "school", "p"),
        ("Paired reading with a trained reading volunteer", "Reading volunteer", 2, 15, 1, "school", "ps"),
        ("Reading fluency group (repeated reading)", "Learning support assistant", 3, 20, 4, "school", "s"),
        ("Touch-typing programme", "Learning support assistant", 2, 20, 6, "school", "s"),
        ("Specialist dyslexia teaching", "Specialist teacher", 1, 45, 1, "specialist", "ps"),
    ],
    "learning": [
        ("Small-group maths with concrete apparatus", "Teaching assistant", 3, 20, 4, "school", "p"),
        ("Pre-teaching of topic vocabulary", "Teaching assistant", 2, 15, 3, "school", "ps"),
        ("Numeracy catch-up group", "Learning support assistant", 3, 25, 5, "school", "s"),
        ("Life-skills group (money, time, travel)", "Learning support assistant", 1, 50, 6, "school", "s"),
        ("One-to-one support in core lessons", "Teaching assistant", 10, 60, 1, "ehc", "ps"),
    ],
    "language": [
        ("Speech and language group", "Teaching assistant", 1, 30, 4, "school", "ps"),
        ("Vocabulary intervention (word-learning routine)", "Teaching assistant", 3, 15, 3, "school", "ps"),
        ("Speech and language therapy block", "Speech and language therapist", 1, 45, 1, "specialist", "ps"),
        ("Attention and listening group", "Teaching assistant", 2, 20, 6, "school", "p"),
    ],
    "autism": [
        ("Social communication group", "Teaching assistant", 1, 30, 4, "school", "ps"),
        ("Daily check-in with a key adult", "Key adult", 5, 10, 1, "school", "ps"),
        ("Lunch club in a quiet room", "Learning support assistant", 5, 30, 8, "school", "s"),
        ("Specialist autism outreach advice", "Autism outreach teacher", 0.5, 60, 1, "specialist", "ps"),
        ("One-to-one support at transitions and unstructured times", "Teaching assistant", 10, 30, 1, "ehc", "ps"),
    ],
    "semh": [
        ("ELSA sessions", "ELSA", 1, 30, 1, "school", "p"),
        ("Morning soft start and check-in", "Learning mentor", 5, 10, 1, "school", "ps"),
        ("Mentoring", "Learning mentor", 1, 30, 1, "school", "s"),
        ("Counselling", "School counsellor", 1, 50, 1, "specialist", "s"),
        ("Nurture group", "Teaching assistant", 4, 45, 8, "school", "p"),
    ],
    "hearing": [
        ("Teacher of the deaf visits and advice", "Teacher of the deaf", 0.5, 60, 1, "specialist", "ps"),
        ("Pre-teaching of key vocabulary", "Teaching assistant", 2, 15, 1, "school", "ps"),
        ("Radio aid checks and listening support", "Teaching assistant", 5, 5, 1, "school", "ps"),
    ],
    "vision": [
        ("Qualified teacher of vision impairment visits", "QTVI", 0.5, 60, 1, "specialist", "ps"),
        ("Touch-typing and tablet skills", "Teaching assistant", 2, 20, 1, "school", "ps"),
        ("Resources enlarged and prepared in advance", "Teaching assistant", 5, 20, 1, "school", "ps"),
    ],
    "physical": [
        ("Fine motor skills group", "Teaching assistant", 3, 15, 4, "school", "p"),
        ("Physiotherapy programme", "Teaching assistant", 3, 20, 1, "ehc", "ps"),
        ("Occupational therapy advice and review", "Occupational therapist", 0.5, 45, 1, "specialist", "ps"),
        ("Handwriting programme", "Teaching assistant", 3, 10, 2, "school", "p"),
        ("Keyboard skills and laptop set-up", "Learning support assistant", 2, 20, 1, "school", "s"),
    ],
}
ADJUSTMENTS = {
    "literacy": [
        "Give instructions out loud as well as in writing.", "Provide a word mat with topic spellings.",
        "Do not ask {name} to read aloud unless {they} {has} practised.", "Allow extra time to read texts.",
        "Mark for ideas first; give no more than three spelling corrections.",
        "Give handouts in a clear sans-serif font at size 14 with wide line spacing.",
    ],
    "learning": [
        "Break tasks into small steps on a checklist.", "Use concrete apparatus and pictures before abstract "
        "work.", "Check understanding by asking {name} to show you, not 'do you understand?'.",
        "Give fewer questions at the same level rather than harder ones.", "Pre-teach key words before the "
        "lesson.", "Give a model or worked example to keep on the desk.",
    ],
    "language": [
        "Say {name}'s name before giving an instruction.", "Give one instruction at a time, with a visual "
        "prompt.", "Allow ten seconds of thinking time before expecting an answer.", "Use sentence starters "
        "for spoken and written answers.", "Show new words with a picture and say them in a sentence.",
        "Check {name} knows what to do once the class has started.",
    ],
    "autism": [
        "Warn {name} of changes to the day in advance and show them on {their} timetable.",
        "Let {name} use the exit card and quiet space without discussion.", "Use clear, literal language; "
        "avoid sarcasm and idioms.", "Give {name} a fixed seat at the end of a row.", "Allow ear defenders "
        "in noisy lessons and assemblies.", "Give a clear role in group work.",
    ],
    "semh": [
        "Greet {name} by name at the door.", "Give instructions privately, not in front of the class.",
        "Use the agreed calm plan: offer a break, then talk later.", "Give {name} a classroom job to start "
        "the lesson.", "Praise specific effort quietly.", "Sit {name} near the door with a view of the room.",
    ],
    "hearing": [
        "Face {name} when speaking; do not talk while writing on the board.", "Use the radio aid in every "
        "lesson, including assemblies.", "Repeat other pupils' answers.", "Subtitle all videos.",
        "Seat {name} near the front, away from the projector fan.",
    ],
    "vision": [
        "Give {name} a personal copy of board work in N18 print.", "Describe pictures and diagrams aloud.",
        "Keep the classroom layout the same; tell {name} about changes.", "Allow {their} tablet to photograph "
        "the board.", "Seat {name} facing away from the window glare.",
    ],
    "physical": [
        "Let {name} leave lessons five minutes early to move between rooms.", "Allow a laptop for longer "
        "writing.", "Offer movement breaks every 20 minutes.", "Provide a writing slope and chunky pen.",
        "Keep the route to {their} seat clear.",
    ],
}  # fmt: skip
SUBJECT_ADJUSTMENTS = {
    "Maths": [
        "Allow a multiplication square and number line in every maths lesson.",
        "Give a worked example to keep beside the questions.",
        "Read word problems aloud and underline the key numbers.",
        "Allow a calculator for calculations that are not the focus.",
        "Give fewer questions per page, with more space.",
    ],
    "English": [
        "Give a copy of the text to annotate before the lesson.",
        "Provide a paragraph-planning frame.",
        "Allow typed answers for extended writing.",
        "Give the key quotations on a card.",
    ],
    "Science": [
        "Give a picture-based method sheet for practicals.",
        "Pair {name} with a calm partner for practicals.",
        "Provide a glossary of key words for the topic.",
        "Give printed diagrams to label instead of drawing.",
    ],
}
STAFF_ONLY_ADJUSTMENTS = [
    "If {name} is late, welcome {them} in without comment; the office will follow up with home.",
    "Check in quietly with {name} after weekend contact visits (Mondays).",
    "Use the agreed phrase 'time to reset' rather than naming behaviour in front of others.",
]
RESTRICTED_ITEMS = [
    "Speak to the DSL before discussing home circumstances with anyone outside school.",
    "Only the adults named on the collection list may collect {name}: see the DSL.",
]
# (who, service, recommendations)
SPECIALISTS = {
    "literacy": [("Dr Miriam Hale, educational psychologist", "Riverside Educational Psychology Service "
                  "(Experts at Hand)", "Daily overlearning of high-frequency words; assistive technology "
                  "for longer writing; access arrangements to be considered.")],
    "learning": [("Dr Miriam Hale, educational psychologist", "Riverside Educational Psychology Service "
                  "(Experts at Hand)", "Teach in small steps with frequent review; use concrete materials; "
                  "keep tasks short and build independence with checklists.")],
    "language": [("Ellen Brody, speech and language therapist", "Riverside Children's Speech and Language "
                  "Therapy (NHS)", "Word-learning routine for topic vocabulary; visual supports for "
                  "instructions; weekly small-group work following the therapy programme.")],
    "autism": [("Kofi Asamoah, autism outreach teacher", "Riverside Autism Outreach Team (Experts at Hand)",
                "Visual timetable and now-and-next board; a quiet base at unstructured times; prepare for "
                "changes; reduce sensory load in busy spaces.")],
    "semh": [("Priya Lal, mental health practitioner", "Mental Health Support Team in Schools",
              "Six sessions of guided self-help for anxiety; a consistent key adult; a calm plan shared with "
              "home.")],
    "hearing": [("Gwen Parry, teacher of the deaf", "Riverside Sensory Support Service",
                 "Radio aid in every lesson; subtitles on video; seating near the teacher; pre-teach "
                 "vocabulary.")],
    "vision": [("Mark Oduya, qualified teacher of vision impairment", "Riverside Sensory Support Service",
                "Enlarged print at N18; tablet with camera for board work; mobility training around the "
                "site.")],
    "physical": [("Jo Tennant, occupational therapist", "Riverside Children's Therapy Service (NHS)",
                  "Writing slope and grips; laptop for extended writing; movement breaks; early exit from "
                  "lessons to avoid crowded corridors.")],
}  # fmt: skip
CAMHS = (
    "Dr Sunil Rao, clinical psychologist",
    "Child and Adolescent Mental Health Services (CAMHS)",
    "Continue weekly sessions outside school. School to keep a consistent key adult and share concerns with the "
    "DSL the same day.",
)
EHC_OUTCOMES = {
    "literacy": "Reads and writes well enough to access the curriculum with assistive technology.",
    "learning": "Develops functional literacy, numeracy and independence skills for adult life.",
    "language": "Understands and uses language to take part in learning and friendships.",
    "autism": "Manages change and anxiety with agreed strategies; takes part in learning in class.",
    "semh": "Attends school regularly, manages strong feelings and keeps safe relationships.",
    "hearing": "Accesses spoken teaching with technology and develops age-appropriate language.",
    "vision": "Accesses learning with adapted materials and moves around independently.",
    "physical": "Takes part in all of school life with equipment and support; manages fatigue.",
}
EP_INPUT = (
    "Nadia Farrow, educational psychologist",
    "Riverside Educational Psychology Service (Experts at Hand)",
    "Consultation with class teacher and parents: teach new vocabulary explicitly; give processing time; use "
    "a visual checklist for independent tasks. Full report to follow after the second visit.",
)


def _pronouns(pupil):
    """Words for the pupil in third-person text: recorded pronouns first, else from their sex."""
    words = pupil.pronouns.lower()
    if "they" in words:
        return {"they": "they", "them": "them", "their": "their", "themself": "themself", "do_not": "do not",
                "feel": "feel", "has": "have", "have_not": "have not"}  # fmt: skip
    if "she" in words or (not words and pupil.sex == "F"):
        return {"they": "she", "them": "her", "their": "her", "themself": "herself", "do_not": "does not",
                "feel": "feels", "has": "has", "have_not": "has not"}  # fmt: skip
    return {"they": "he", "them": "him", "their": "his", "themself": "himself", "do_not": "does not",
            "feel": "feels", "has": "has", "have_not": "has not"}  # fmt: skip


def _when(day, hour=16):
    """A school day at ``hour`` o'clock, for the timestamps the services wrote as "now"."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _weekday(day):
    """``day``, or the next school day when it falls at a weekend or in the Christmas or summer holiday."""
    if (day.month, day.day) >= (12, 20):
        day = datetime.date(day.year + 1, 1, 5)
    elif (day.month, day.day) <= (1, 4):
        day = datetime.date(day.year, 1, 5)
    elif (7, 23) <= (day.month, day.day) <= (8, 31):
        day = datetime.date(day.year, 9, 2)
    return day + DAY * (7 - day.weekday()) if day.weekday() >= 5 else day


def _school_day_before(day):
    """``day``, or the last school day before it (for the day a version was started)."""
    if (day.month, day.day) >= (12, 20) or (day.month, day.day) <= (1, 4):
        day = datetime.date(day.year if day.month == 12 else day.year - 1, 12, 19)
    elif (7, 23) <= (day.month, day.day) <= (8, 31):
        day = datetime.date(day.year, 7, 22)
    while day.weekday() >= 5:
        day -= DAY
    return day


def _term_end_after(day):
    """The first end of term at least eight weeks after ``day``: when an outcome is due."""
    soon = day + 56 * DAY
    ends = [datetime.date(year, month, dom) for year in (soon.year, soon.year + 1) for month, dom in TERM_END_DAYS]
    return min(end for end in ends if end >= soon)


class SchoolPlans:
    """Writes the plans of one school, inside its scope, as its SENCO."""

    def __init__(self, rng, school, senco, users, today):
        self.rng, self.school, self.users, self.today = rng, school, users, today
        self.phase = school.phase
        self.latest = today - DAY  # the last school day before the demo's today
        while self.latest.weekday() >= 5:
            self.latest -= DAY
        self.actor = Actor.system(school, user=senco, today=today)
        self.templates = {template.name: template for template in PlanTemplate.objects.filter(is_builtin=True)}
        self.bank = list(
            BankEntry.objects.filter(school=None, kind=BankEntry.Kind.ADJUSTMENT, is_active=True).order_by("pk")
        )
        self.by_role = {role: self.group_pupils(role) for role in ("teacher", "ta", "teacher2")}
        self.counts = {}
        self.reviews = ReviewWriter(rng=rng, actor=self.actor, phase=self.phase, latest=self.latest)
        # One older pupil's views at a review are kept from their parents (the SENCO's judgement).
        self.private_views_left = 1 if self.phase == "secondary" else 0
        self.timings = ["overdue", "due_soon", "overdue"]

    # ----- choosing -----

    def date(self, first, last):
        """A school day from ``first`` to ``last``, never on or after the demo's today."""
        last = min(last, self.latest)
        if last <= first:
            return min(_weekday(first), self.latest)
        return min(_weekday(first + DAY * self.rng.randint(0, (last - first).days)), self.latest)

    def group_pupils(self, role):
        """{pupil id: subjects} for the groups a demo member of staff works with today, in this school."""
        groups = GroupStaff.objects.filter(
            user=self.users[role], starts_on__lte=self.today, ends_on__gte=self.today, group__school=self.school
        ).values_list("group_id", "group__subject")
        found = {}
        for group_id, subject in groups:
            enrolled = Enrolment.objects.filter(group_id=group_id, starts_on__lte=self.today, ends_on__gte=self.today)
            for pupil_id in enrolled.values_list("pupil_id", flat=True):
                found.setdefault(pupil_id, set()).update({subject} if subject else set())
        return found

    def build(self):
        pupils = list(
            Pupil.objects.filter(school=self.school)
            .filter(sen_statuses__ends_on__isnull=True, sen_statuses__provision__in=["K", "E"])
            .prefetch_related("sen_statuses", "needs__need_type")
            .order_by("pk")
        )
        came_off = list(
            Pupil.objects.filter(school=self.school, sen_statuses__ends_on__isnull=True, sen_statuses__provision="N")
            .filter(sen_statuses__provision="K", sen_statuses__ends_on__isnull=False)
            .prefetch_related("sen_statuses", "needs__need_type")
            .distinct()
            .order_by("pk")
        )
        taught = {}
        for found in self.by_role.values():
            for pupil_id, subjects in found.items():
                taught.setdefault(pupil_id, set()).update(subjects)
        forced = self.forced_stories()
        for pupil in pupils:
            story = forced.get(pupil.pk) or self.story(pupil)
            if pupil.pk in taught and story in ("draft_only", "shared_only"):
                story = "active"  # the demo teachers' pupils all have a plan in force
            self.tell(pupil, story, subjects=taught.get(pupil.pk, set()), sensitive=pupil.pk in forced)
        for pupil in came_off[:3]:
            self.tell(pupil, "closed")
        self.read_receipts()
        return self.counts

    def forced_stories(self):
        """The demo parents' children have a version shared for agreement; the psychologist's pupil has her advice."""
        forced = {}
        for link in ParentLink.objects.filter(
            pupil__school=self.school, status=ParentLink.Status.ACTIVE, user__isnull=False
        ):
            forced[link.pupil_id] = "history_shared"
        for share in Share.objects.filter(pupil__school=self.school):
            forced[share.pupil_id] = "history_ep"
        return forced

    def story(self, pupil):
        since = self.since(pupil)
        if since > self.today - 28 * DAY:
            return "draft_only"
        if since > datetime.date(2026, 6, 1):
            return self.rng.choices(["active", "shared_only"], weights=[3, 1])[0]
        return self.rng.choices(
            ["active", "history", "active_draft", "active_shared", "history_draft"], weights=[30, 35, 15, 12, 8]
        )[0]

    @staticmethod
    def statuses(pupil):
        return sorted(pupil.sen_statuses.all(), key=lambda status: status.starts_on)

    def since(self, pupil):
        """The day the pupil first went on the register."""
        return next(status.starts_on for status in self.statuses(pupil) if status.provision != "N")

    def tier_on(self, pupil, day):
        on_register = [status for status in self.statuses(pupil) if status.provision != "N"]
        current = [status for status in on_register if status.starts_on <= day]
        return (current[-1] if current else on_register[0]).tier

    # ----- stories -----

    def tell(self, pupil, story, *, subjects=frozenset(), sensitive=False):
        rng, since = self.rng, self.since(pupil)
        words = PupilWords(self, pupil, subjects, sensitive=sensitive)
        self.counts[story] = self.counts.get(story, 0) + 1
        if story == "closed":
            ended = next(status for status in self.statuses(pupil) if status.provision == "K" and status.ends_on)
            created = since + rng.randint(14, 35) * DAY
            version = self.version(
                words, created, publish=True, published_on=_weekday(created + rng.randint(7, 14) * DAY)
            )
            closed = services.plan_close(actor=self.actor, version=version)
            self.stamp(closed, ended_at=_when(min(_weekday(ended.ends_on + rng.randint(0, 3) * DAY), self.latest)))
            return
        if story == "draft_only":
            self.version(words, self.date(since + DAY, self.today), complete=False)
            return
        if story == "shared_only":
            created = self.date(max(since + 7 * DAY, self.today - 40 * DAY), self.today - 6 * DAY)
            self.version(words, created, share=self.date(created + 3 * DAY, self.today))
            return
        followed = story.endswith(("_draft", "_shared"))  # a next version is on its way
        latest = self.today - (21 if followed else 3) * DAY
        if story.startswith("history"):
            first = self.date(max(since + 21 * DAY, datetime.date(2025, 11, 3)), datetime.date(2026, 4, 24))
            previous = self.version(words, first - rng.randint(7, 21) * DAY, publish=True, published_on=first)
            after = datetime.date(2026, 10, 19) if story == "history_ep" else THIS_TERM  # after her visit
            published = self.date(max(first + 70 * DAY, after), latest)
            active = self.revise(
                words,
                previous,
                published - rng.randint(5, 14) * DAY,
                publish=True,
                published_on=published,
                ep=story == "history_ep",
                reviewed=True,
            )
        else:
            # Published before the summer: the review date passed this term, or falls in the next fortnight.
            timing = ""
            if story == "active" and since <= datetime.date(2026, 6, 1):
                # The first few are certain, so the SENCO's home page has both lists in each school.
                timing = (
                    self.timings.pop(0) if self.timings else rng.choices(["", "overdue", "due_soon"], [72, 20, 8])[0]
                )
            if timing:
                published = self.date(max(since + 21 * DAY, datetime.date(2026, 5, 4)), datetime.date(2026, 7, 10))
            else:
                published = self.date(max(since + 21 * DAY, THIS_TERM), latest)
            created = published - rng.randint(7, 21) * DAY
            active = self.version(words, created, publish=True, published_on=published, timing=timing)
        if story.endswith("_draft"):
            started = self.date(max(published + 14 * DAY, datetime.date(2026, 10, 26)), self.today)
            self.revise(words, active, started, complete=False)
        elif story.endswith("_shared"):
            # Shared by the middle of the week before, so parents have had time to answer.
            started = self.date(max(published + 14 * DAY, datetime.date(2026, 10, 19)), self.today - 10 * DAY)
            self.revise(words, active, started, share=self.date(started + 3 * DAY, self.today - 5 * DAY))

    def version(self, words, created, *, publish=False, share=None, published_on=None, complete=True, timing=""):
        """A first version, written from scratch."""
        version = self.start(words, created)
        words.write_all(version, created, published_on or share or created, complete=complete, timing=timing)
        return self.finish(version, publish=publish, share=share, published_on=published_on or created)

    def revise(
        self, words, source, created, *, publish=False, share=None, published_on=None, complete=True, ep=False,
        reviewed=False,
    ):  # fmt: skip
        """The next version, copied forward from ``source`` and brought up to date.

        ``reviewed``: ``source`` is reviewed the day the draft is started, and completing the
        review takes the met outcomes out of the draft (``demo_reviews``).
        """
        version = self.start(words, created, copy_from=source)
        agreed_on = published_on or share or created
        next_review = None
        if reviewed:
            next_review = _weekday(agreed_on + self.rng.randint(84, 119) * DAY)
            private = self.private_views_left > 0 and words.pupil.year_group >= 8
            self.private_views_left -= private
            self.reviews.hold(
                words,
                held_on=timezone.localdate(version.created_at),
                next_review=next_review,
                specialist=ep,
                private_views=private,
            )
            version.refresh_from_db()
        words.revise_all(version, agreed_on, complete=complete, ep=ep, reviewed=reviewed, next_review=next_review)
        return self.finish(version, publish=publish, share=share, published_on=published_on or created)

    def start(self, words, created, copy_from=None):
        created = min(_school_day_before(created), self.latest)
        old = created < NEW_TEMPLATE_FROM and self.phase == "primary"  # the primary moved to the ISP this year
        template = self.templates[SEN_SUPPORT_PLAN if old else ISP]
        version = services.plan_start(actor=self.actor, pupil=words.pupil, template=template, copy_from=copy_from)
        self.stamp(version, created_at=_when(created, 9), tier=self.tier_on(words.pupil, created))
        if version.number == 1:
            SupportPlan.objects.filter(pk=version.plan_id).update(created_at=_when(created, 9))
        return version

    def finish(self, version, *, publish, share, published_on):
        # The plan is shared or published as of that day: its review date was in the future then.
        if share:
            as_of = dataclasses.replace(self.actor, today=share)
            shared = services.plan_share(actor=as_of, version=version)
            self.stamp(shared, frozen_at=_when(share))
            return shared
        if publish:
            previous = PlanVersion.objects.filter(plan=version.plan, status=PlanVersion.Status.ACTIVE).first()
            as_of = dataclasses.replace(self.actor, today=published_on)
            active = services.plan_publish(actor=as_of, version=version)
            self.stamp(active, frozen_at=_when(published_on), published_at=_when(published_on))
            if previous:
                self.stamp(previous, ended_at=_when(published_on))
            return active
        return version

    @staticmethod
    def stamp(version, **fields):
        """Move the dates the services wrote as "now" onto the demo's story (never the snapshot)."""
        PlanVersion.objects.filter(pk=version.pk).update(**fields)
        for name, value in fields.items():
            setattr(version, name, value)

    def read_receipts(self):
        """The class teacher has read most of their pupils' plans; the TA and the maths teacher some."""
        for role, share in (("teacher", 0.7), ("ta", 0.4), ("teacher2", 0.5)):
            pupils = self.by_role[role]
            if not pupils:
                continue
            actor = Actor.for_user(self.users[role], today=self.today)
            active = PlanVersion.objects.filter(status=PlanVersion.Status.ACTIVE, plan__pupil_id__in=list(pupils))
            for version in active.order_by("pk"):
                if self.rng.random() < share:
                    receipt = services.plan_read_confirm(actor=actor, version=version)
                    read_on = self.date(version.published_at.date() + DAY, self.today)
                    ReadReceipt.objects.filter(pk=receipt.pk).update(read_at=_when(read_on, 8))


class PupilWords:
    """One pupil's plan content, chosen once so that later versions carry the same voice forward."""

    def __init__(self, builder, pupil, subjects, *, sensitive=False):
        self.builder, self.rng, self.pupil, self.phase = builder, builder.rng, pupil, builder.phase
        self.actor = builder.actor
        self.subjects, self.sensitive = subjects, sensitive
        self.words = {"name": pupil.forename, **_pronouns(pupil)}
        needs = sorted(pupil.needs.all(), key=lambda need: (need.ends_on is not None, need.rank))
        self.needs = [need for need in needs if need.ends_on is None] or needs[:1]
        self.families = list(dict.fromkeys(FAMILY.get(need.need_type.code, "learning") for need in self.needs))
        self.family = self.families[0] if self.families else "learning"
        self.families = self.families or ["learning"]
        self.used_outcomes = set()
        self.delivered_by_ta = builder.phase == "primary" and pupil.pk in builder.by_role["ta"]

    def say(self, text):
        text = text.format(**self.words)
        return text[:1].upper() + text[1:]

    # ----- writing a version -----

    def write_all(self, version, created, agreed_on, *, complete, timing=""):
        rng, tier = self.rng, version.tier
        by_date = _term_end_after(agreed_on)
        self.section(
            version,
            "about_me",
            {
                "liked_and_admired": self.say(rng.choice(LIKED[self.phase])),
                "important_to_me": rng.choice(IMPORTANT[self.phase]),
                "how_to_support_me": rng.choice(SUPPORT_ME[self.family]),
            },
        )
        self.section(version, "strengths", {"strengths": rng.choice(STRENGTHS[self.phase])})
        for need in self.needs:
            family = FAMILY.get(need.need_type.code, "learning")
            visibility = need.visibility if need.visibility in (STAFF, RESTRICTED) else EVERYONE
            self.item(version, "needs", need=need, text=rng.choice(BARRIERS[family]), visibility=visibility)
        wanted = {"targeted": (2, 3), "targeted_plus": (3, 3), "specialist": (3, 4)}.get(tier, (2, 3))
        for _ in range(rng.randint(*wanted) if complete else 1):
            self.add_outcome(version, by_date, complete=complete)
        if complete or rng.random() < 0.5:
            count = {"targeted": (1, 2), "targeted_plus": (2, 3), "specialist": (2, 4)}.get(tier, (1, 2))
            self.add_provisions(version, tier, rng.randint(*count), agreed_on, by_date)
        self.add_adjustments(version, rng.randint(3, 6) if complete else 2)
        if self.sensitive:
            self.item(version, "adjustments", text=self.say(rng.choice(STAFF_ONLY_ADJUSTMENTS)), visibility=STAFF)
            self.item(version, "adjustments", text=self.say(RESTRICTED_ITEMS[1]), visibility=RESTRICTED)
        if tier in ("targeted_plus", "specialist") and complete:
            self.add_specialist_input(version, created)
        self.section(
            version,
            "responsibilities",
            {
                "school": self.say(RESPONSIBILITIES["school"]),
                "parents": self.say(rng.choice(RESPONSIBILITIES["parents"])),
                "pupil": rng.choice(RESPONSIBILITIES["pupil"]),
            },
        )
        if complete:
            self.review(version, agreed_on, timing=timing)
        if tier == "specialist":
            self.ehc(version, agreed_on)

    def revise_all(self, version, agreed_on, *, complete, ep=False, reviewed=False, next_review=None):
        """Bring a copied-forward version up to date: achieved outcomes out, new ones in, new dates.

        After a review (``reviewed``) the outcomes it found met are gone already; the rest were not met.
        """
        rng = self.rng
        by_date = _term_end_after(agreed_on)
        for index, outcome in enumerate(Outcome.objects.filter(version=version).order_by("order", "id")):
            if not reviewed and (index == 0 or rng.random() < 0.4):  # achieved
                services.item_delete(actor=self.actor, item=outcome, expected_version=outcome.lock_version)
            else:
                baseline = f"Partly achieved at the last review, not yet secure. At the start: {outcome.baseline}"
                self.update(outcome, baseline=baseline[:1000], by_date=by_date)
        kept = Outcome.objects.filter(version=version).count()
        for _ in range(rng.randint(max(1, 2 - kept), max(1, min(2, 4 - kept)))):
            self.add_outcome(version, by_date, complete=complete)
        for provision in Provision.objects.filter(version=version).order_by("order", "id"):
            starts = _weekday(max(provision.starts_on, agreed_on))
            self.update(provision, starts_on=starts, ends_on=max(by_date, starts))
        if rng.random() < 0.5:
            self.add_adjustments(version, 1)
        if ep:
            who, service, recommendations = EP_INPUT
            self.item(
                version,
                "specialist_input",
                who=who,
                service=service,
                recommendations=recommendations,
                given_on=datetime.date(2026, 10, 14),
            )
        if version.tier in ("targeted_plus", "specialist") and not version.specialist_inputs.exists():
            self.add_specialist_input(version, agreed_on)  # moved up a tier since the last version
        if version.tier == "specialist":
            self.ehc(version, agreed_on)
        if not complete and self.builder.bank and rng.random() < 0.6:
            self.add_from_bank(version)
        if complete:
            self.review(version, agreed_on, next_review=next_review)

    # ----- parts -----

    def section(self, version, key, data, visibility=EVERYONE):
        section = version.sections.get(key=key)
        services.section_save(
            actor=self.actor, section=section, data=data, visibility=visibility, expected_version=section.lock_version
        )

    def item(self, version, section_key, **fields):
        return services.item_add(actor=self.actor, version=version, section_key=section_key, fields=fields)

    def update(self, item, **fields):
        services.item_update(actor=self.actor, item=item, fields=fields, expected_version=item.lock_version)

    def add_outcome(self, version, by_date, *, complete=True):
        pool = [outcome for family in self.families for outcome in OUTCOMES[family, self.phase]]
        present = set(Outcome.objects.filter(version=version).values_list("text", flat=True))
        options = [o for o in pool if o[0] not in self.used_outcomes] or [
            o for o in pool if self.say(o[0]) not in present
        ]
        if not options:
            return
        text, baseline, target, measure, who = self.rng.choice(options)
        self.used_outcomes.add(text)
        fields = {
            "text": self.say(text),
            "baseline": self.say(baseline),
            "target": self.say(target),
            "measure": measure,
            "by_date": by_date,
            "who_checks": who,
        }
        if not complete:  # a draft in progress: the SENCO has not yet settled how to measure it
            fields.update(baseline="", measure="")
        self.item(version, "outcomes", **fields)

    def add_provisions(self, version, tier, count, starts, ends):
        phase = self.phase[0]
        options = [entry for family in self.families for entry in PROVISION[family] if phase in entry[6]]
        if tier != "specialist":
            options = [entry for entry in options if entry[5] != "ehc"]
        for what, role, sessions, minutes, size, kind, _phases in self.rng.sample(options, min(count, len(options))):
            funding = {"specialist": Provision.Funding.EXPERTS_AT_HAND, "ehc": Provision.Funding.EHC_PLAN}.get(
                kind, Provision.Funding.SEN_BUDGET
            )
            if kind == "school" and tier == "targeted_plus" and self.rng.random() < 0.35:
                funding = Provision.Funding.INCLUSIVE_MAINSTREAM_FUND
            elif kind == "school" and tier == "specialist" and self.rng.random() < 0.5:
                funding = Provision.Funding.EHC_PLAN
            person = self.builder.users["ta"] if role == "Teaching assistant" and self.delivered_by_ta else None
            self.item(
                version,
                "provision",
                what=what,
                delivered_by_role=role,
                delivered_by=person,
                sessions_per_week=sessions,
                minutes_per_session=minutes,
                group_size=size,
                starts_on=_weekday(starts),
                ends_on=max(ends, _weekday(starts)),
                funding=funding,
            )

    def add_adjustments(self, version, count):
        """``count`` adjustments, the first one or two key; at the secondary some are for one subject."""
        rng = self.rng
        present = set(Adjustment.objects.filter(version=version).values_list("text", flat=True))
        general = [self.say(text) for family in self.families for text in ADJUSTMENTS[family]]
        general = [text for text in dict.fromkeys(general) if text not in present]
        subjects = []
        if self.phase == "secondary" and count >= 3:
            subjects = ["Maths"] if "Maths" in self.subjects else []
            others = [subject for subject in SUBJECT_ADJUSTMENTS if subject not in subjects]
            subjects += rng.sample(others, rng.randint(0 if subjects else 1, 2))
        chosen = [(text, "") for text in rng.sample(general, min(len(general), max(1, count - len(subjects))))]
        chosen += [(self.say(rng.choice(SUBJECT_ADJUSTMENTS[subject])), subject) for subject in subjects]
        keys = 2 if count > 3 else (1 if count > 1 else 0)
        for index, (text, subject) in enumerate(chosen):
            is_key = (
                index < keys
                or (subject == "Maths" and "Maths" in self.subjects)
                or (subject != "" and rng.random() < 0.3)
            )
            self.item(version, "adjustments", text=text, subject=subject, is_key=is_key)
        if count > 2 and rng.random() < 0.1:
            self.item(version, "adjustments", text=self.say(rng.choice(STAFF_ONLY_ADJUSTMENTS)), visibility=STAFF)

    def add_specialist_input(self, version, created):
        """Advice from the specialist for the pupil's main need; CAMHS, restricted, where home life is involved."""
        who, service, recommendations = SPECIALISTS[self.family][0]
        given_on = self.builder.date(created - 120 * DAY, created - 10 * DAY)
        fields = {"who": who, "service": service, "recommendations": recommendations}
        self.item(version, "specialist_input", given_on=given_on, **fields)
        if RESTRICTED in {need.visibility for need in self.needs}:
            who, service, recommendations = CAMHS
            fields = {"who": who, "service": service, "recommendations": recommendations}
            given_on = self.builder.date(created - 90 * DAY, created - 7 * DAY)
            self.item(version, "specialist_input", given_on=given_on, visibility=RESTRICTED, **fields)

    def add_from_bank(self, version):
        """A bank entry inserted and not yet made personal, so the draft shows the warning."""
        from waymark.plans.bank_fill import fill_text

        codes = {need.need_type.code for need in self.needs}
        entries = [entry for entry in self.builder.bank if codes.intersection(entry.need_codes)] or self.builder.bank
        entry = self.rng.choice(entries)
        text = fill_text(entry.text, name=self.pupil.forename, pronouns=self.pupil.pronouns)[:300]
        services.item_add(
            actor=self.actor,
            version=version,
            section_key="adjustments",
            fields={"text": text},
            bank_entry=entry,
            bank_text=text,
        )

    def review(self, version, agreed_on, *, timing="", next_review=None):
        today = self.builder.today
        if timing == "overdue":
            next_review = self.builder.date(datetime.date(2026, 10, 5), today - 2 * DAY)
        elif timing == "due_soon":  # within the SENCO's fortnight, never at a weekend
            next_review = _weekday(today + self.rng.randint(1, 11) * DAY)
        elif next_review is None:
            next_review = _weekday(agreed_on + self.rng.randint(84, 119) * DAY)
        self.section(version, "review", {"arrangements": self.say(REVIEW_ARRANGEMENTS), "next_review_on": next_review})

    def ehc(self, version, agreed_on):
        issued = next(status.starts_on for status in self.builder.statuses(self.pupil) if status.provision == "E")
        reviewed = ""
        if issued + 365 * DAY <= agreed_on:
            years = (agreed_on - issued).days // 365
            reviewed = _weekday(issued + DAY * 365 * years - 14 * DAY).isoformat()
        self.section(
            version,
            "ehc_plan",
            {
                "local_authority": LOCAL_AUTHORITY,
                "issued_on": issued.isoformat(),
                "last_annual_review_on": reviewed,
                "outcomes_summary": EHC_OUTCOMES[self.family],
            },
        )


def build_plans(rng, schools, users, *, today):
    """Plans for the register pupils of the demo schools (``schools`` by key); returns {story: count}."""
    senco_roles = {"primary": "senco", "secondary": "other-school-senco"}
    counts = {}
    for key, school in schools.items():
        with scope(school=[school.pk]):
            made = SchoolPlans(rng, school, users[senco_roles[key]], users, today).build()
        for story, count in made.items():
            counts[story] = counts.get(story, 0) + count
    return counts
