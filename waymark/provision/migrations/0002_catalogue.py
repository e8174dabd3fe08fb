"""The built-in intervention types and measure types, written for this project (DOMAIN.md).

Typical frequency, session length and group size are where a school starts; each school
adapts them on its own list. Names are descriptions of common approaches, not products.
"""

from django.db import migrations

CL, CI, SEMH, SP = "cognition-learning", "communication-interaction", "semh", "sensory-physical"

# code, name, area, description, sessions a week, minutes, group size, usual measure
INTERVENTION_TYPES = [
    ("phonics-catch-up", "Phonics catch-up", CL, "Daily short sessions revisiting phonemes and blending for pupils behind the class phonics programme.", 5, 15, 4, "reading_age"),
    ("reading-one-to-one", "One-to-one reading", CL, "Reading aloud to an adult with prompting, praise and a check of understanding.", 3, 15, 1, "reading_age"),
    ("guided-reading-small-group", "Small-group guided reading", CL, "A book at the group's instructional level, read and discussed with an adult.", 2, 30, 5, "reading_age"),
    ("reading-comprehension", "Reading comprehension strategies", CL, "Explicit teaching of predicting, questioning, clarifying and summarising.", 2, 30, 4, "standard_score"),
    ("fluency-paired-reading", "Paired reading for fluency", CL, "Reading together with a trained peer or adult, then alone, to build speed and expression.", 3, 15, 2, "reading_age"),
    ("precision-teaching", "Precision teaching", CL, "Short daily timed practice of a small set of words or facts, charted to show progress.", 5, 10, 1, "scale"),
    ("spelling-multisensory", "Multisensory spelling", CL, "Structured, cumulative spelling with see-say-trace-write routines.", 3, 20, 3, "spelling_age"),
    ("handwriting", "Handwriting practice", SP, "Letter formation, joins and posture, little and often.", 3, 15, 4, "scale"),
    ("touch-typing", "Touch typing", SP, "A typing programme for pupils for whom handwriting is a barrier.", 2, 20, 6, "scale"),
    ("structured-literacy-dyslexia", "Structured literacy for dyslexia", CL, "A cumulative, multisensory programme delivered by a trained teacher or TA.", 2, 45, 2, "reading_age"),
    ("maths-number-sense", "Number sense catch-up", CL, "Counting, place value and number bonds with concrete and pictorial resources.", 3, 20, 4, "standard_score"),
    ("maths-pre-teaching", "Pre-teaching maths vocabulary and concepts", CL, "The next lesson's key words and ideas taught beforehand so the pupil can join in.", 2, 15, 4, "scale"),
    ("times-tables-fluency", "Times tables fluency", CL, "Short daily practice of multiplication facts with retrieval games.", 5, 10, 6, "scale"),
    ("maths-one-to-one", "One-to-one maths tuition", CL, "Diagnostic teaching of the gaps an assessment found.", 2, 30, 1, "standard_score"),
    ("pre-teaching-subject-vocabulary", "Pre-teaching subject vocabulary", CI, "Key words for the coming topic taught with pictures, meanings and use in sentences.", 2, 15, 4, "scale"),
    ("memory-strategies", "Working memory strategies", CL, "Teaching chunking, rehearsal and visual aids, and using them in class.", 2, 20, 4, "scale"),
    ("study-skills", "Study skills and organisation", CL, "Planners, checklists and breaking tasks down, for older pupils.", 1, 30, 6, "scale"),
    ("homework-club", "Supported homework club", CL, "A quiet space with an adult to start and finish homework.", 2, 45, 10, "scale"),
    ("speech-sound-programme", "Speech sound programme", CI, "Practice of target sounds set by a speech and language therapist.", 3, 15, 1, "scale"),
    ("language-for-thinking", "Language for thinking", CI, "Picture-based talk moving from the here and now to reasoning.", 3, 20, 4, "scale"),
    ("vocabulary-enrichment", "Vocabulary enrichment", CI, "Robust teaching of tier-two words with repeated use.", 3, 20, 4, "standard_score"),
    ("narrative-group", "Narrative and story-telling group", CI, "Building a story with who, where, when, what happened and how it ended.", 2, 30, 4, "scale"),
    ("attention-listening", "Attention and listening group", CI, "Games that build looking, listening, waiting and turn-taking.", 3, 20, 5, "scale"),
    ("colourful-semantics-style", "Colour-coded sentence building", CI, "Building sentences with colour-coded question words.", 3, 20, 4, "scale"),
    ("social-skills-group", "Social skills group", CI, "Structured practice of conversation, sharing and reading others, with generalisation in class.", 1, 40, 6, "sdq"),
    ("lego-based-social", "Building-brick social communication", CI, "Collaborative building with assigned roles to practise communication.", 1, 45, 3, "scale"),
    ("social-stories", "Social stories and comic strip conversations", CI, "Short personalised stories explaining a situation and what to expect.", 2, 10, 1, "scale"),
    ("visual-timetable", "Visual timetable and now-and-next support", CI, "Personal visual schedule taught and used through the day.", 5, 5, 1, "scale"),
    ("alternative-communication", "Alternative and augmentative communication", CI, "Using symbols, signing or a device across the day, with adult modelling.", 5, 15, 1, "scale"),
    ("emotional-literacy", "Emotional literacy support", SEMH, "One-to-one or small-group work on naming, understanding and managing feelings.", 1, 30, 1, "sdq"),
    ("zones-regulation", "Self-regulation programme", SEMH, "Recognising states of alertness and choosing strategies to return to calm.", 2, 20, 4, "sdq"),
    ("nurture-group", "Nurture group", SEMH, "A small, predictable class-based setting for part of the day, built on attachment principles.", 5, 60, 8, "boxall"),
    ("anxiety-cbt-informed", "Managing worries", SEMH, "Structured sessions on noticing worries and practising coping steps.", 1, 30, 4, "sdq"),
    ("anger-management", "Managing anger", SEMH, "Triggers, early signs and calm-down plans, rehearsed and reviewed.", 1, 30, 4, "sdq"),
    ("mentoring", "Mentoring", SEMH, "Regular time with a trusted adult to check in, set goals and solve problems.", 1, 20, 1, "scale"),
    ("check-in-check-out", "Check in, check out", SEMH, "Short morning and afternoon check-ins with a daily target card.", 5, 10, 1, "scale"),
    ("friendship-group", "Friendship group", SEMH, "Guided play and talk to build and keep friendships.", 1, 30, 6, "sdq"),
    ("lunchtime-club", "Supported lunchtime club", SEMH, "A calm, supervised space and structured games at lunch.", 5, 30, 10, "scale"),
    ("sensory-circuit", "Sensory circuit", SP, "A short alerting, organising and calming movement sequence before lessons.", 5, 15, 6, "scale"),
    ("fine-motor-group", "Fine motor skills group", SP, "Activities that build hand strength, control and coordination.", 2, 20, 5, "scale"),
    ("gross-motor-programme", "Gross motor programme", SP, "Balance, coordination and ball skills, often set by an occupational therapist.", 2, 20, 5, "scale"),
    ("physio-programme", "Physiotherapy programme", SP, "Exercises set by a physiotherapist, carried out by trained staff.", 3, 20, 1, "scale"),
    ("hearing-support", "Hearing support and equipment checks", SP, "Daily checks of hearing aids or radio aids and pre-tutoring of vocabulary.", 5, 10, 1, "scale"),
    ("vision-support", "Vision support and modified resources", SP, "Enlarged or tactile resources and teaching of access skills, as a QTVI advises.", 3, 20, 1, "scale"),
    ("self-care-independence", "Self-care and independence skills", SP, "Dressing, toileting or organisation routines taught in small steps.", 3, 15, 1, "scale"),
    ("exam-access-practice", "Practice with exam access arrangements", CL, "Practising with a reader, scribe, word processor or extra time before exams.", 1, 45, 3, "scale"),
]

# name, kind, lowest, highest, higher is better. Ages are in months (3 to 18 years).
MEASURE_TYPES = [
    ("Standardised score", "standard_score", 40, 160, True),
    ("Reading age", "reading_age", 36, 216, True),
    ("Spelling age", "spelling_age", 36, 216, True),
    ("SDQ total difficulties", "sdq", 0, 40, False),
    ("Boxall Profile developmental strands", "boxall", 0, 136, True),
]


def load(apps, schema_editor):
    AreaOfNeed = apps.get_model("pupils", "AreaOfNeed")
    InterventionType = apps.get_model("provision", "InterventionType")
    MeasureType = apps.get_model("provision", "MeasureType")
    areas = {area.code: area for area in AreaOfNeed.objects.all()}
    for code, name, area, description, per_week, minutes, size, measure in INTERVENTION_TYPES:
        InterventionType.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "area": areas[area],
                "description": description,
                "sessions_per_week": per_week,
                "minutes_per_session": minutes,
                "group_size": size,
                "measure_kind": measure,
            },
        )
    for name, kind, low, high, higher_is_better in MEASURE_TYPES:
        MeasureType.objects.update_or_create(
            school=None,
            kind=kind,
            defaults={"name": name, "min_value": low, "max_value": high, "higher_is_better": higher_is_better},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("provision", "0001_initial"),
        ("pupils", "0002_need_taxonomy"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
