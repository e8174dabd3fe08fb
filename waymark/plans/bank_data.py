"""The built-in strategy bank: strategies, adjustments and outcome stems, each with why it is there.

Written for Waymark; no text is taken from commercial products or websites. Every entry
names the evidence or reasoning behind it, and nothing here rests on discredited practice
(no "learning styles", no coloured overlays as a fix for dyslexia, no Brain Gym).

How the text is written, so the editor can fill in a pupil's name and pronouns:

- placeholders are ``{name}``, ``{they}``, ``{them}`` and ``{their}`` only;
- ``{they}`` is followed by a modal verb ("can", "will", "may"...) or a past tense, never
  "is"/"are"/"needs", so the sentence reads right for "he", "she" and "they" alike, and
  a placeholder never starts a sentence (it would not be capitalised);
- adjustments are short and start with what the adult does;
- outcome stems carry example figures ("in 4 out of 5 lessons") for the SENCO to set from
  the pupil's baseline; the date belongs to the outcome's own "by when" field.

Each entry has a ``key`` that never changes: the entry's public id is derived from it, so
the bank loads the same on every install and a later migration can re-run
``load_builtin_bank`` to correct an entry without duplicating it.
"""

import uuid

ALLOWED_PLACEHOLDERS = frozenset({"name", "they", "them", "their"})
AREA_CODES = ("communication-interaction", "cognition-learning", "semh", "sensory-physical")
NEED_CODES = ("SPLD", "MLD", "SLD", "PMLD", "SLCN", "ASD", "SEMH", "HI", "VI", "MSI", "PD", "DS", "OTH")
KINDS = ("strategy", "adjustment", "outcome")

# uuid5 namespace for built-in entries: never change it, or every built-in gets a new id.
BANK_NAMESPACE = uuid.UUID("6f1d2a8e-4c57-5b0e-9a3d-2e7c1b5f9d40")

S, A, OUT = "strategy", "adjustment", "outcome"

# (key, kind, need codes, text, rationale[, subject])
COMMUNICATION_INTERACTION = [
    # adjustments
    ("ci-a01", A, ("SLCN", "ASD", "MLD", "DS"),
     "Give {name} instructions one step at a time and check {they} can say them back before starting.",
     "Limits the load on verbal working memory; saying it back checks understanding rather than assuming it "
     "(cognitive load theory)."),
    ("ci-a02", A, ("SLCN", "ASD", "DS"),
     "Say {name}'s name before giving an instruction, so {they} will know it is meant for {them}.",
     "Secures attention before the language arrives; pupils with language needs often miss instructions given "
     "to 'everyone'."),
    ("ci-a03", A, ("SLCN", "ASD"),
     "Allow {name} at least ten seconds to answer a question before rephrasing it or moving on.",
     "Extra processing time: research on teacher wait time (Rowe) found longer pauses bring longer, more "
     "accurate answers."),
    ("ci-a04", A, ("SLCN", "DS", "MLD"),
     "Put the key words for each new topic on {name}'s desk, each with a picture and a short definition.",
     "Dual coding: words plus visuals give two routes to meaning and to recall."),
    ("ci-a05", A, ("ASD", "SLCN"),
     "Use literal language with {name}, and explain idioms and sarcasm when they come up.",
     "Many autistic pupils take language literally (National Autistic Society guidance); explaining figurative "
     "language builds understanding over time."),
    ("ci-a06", A, ("ASD",),
     "Warn {name} privately at least five minutes before a change to the usual routine, and say what will happen "
     "instead.",
     "Predictability lowers anxiety for many autistic pupils (Autism Education Trust); notice gives time to "
     "adjust."),
    ("ci-a07", A, ("ASD",),
     "Let {name} leave lessons two minutes early to avoid crowded corridors.",
     "Reduces sensory overload and social pressure at changeover, when difficulties often arise."),
    ("ci-a08", A, ("ASD", "SLCN"),
     "Give {name} a named role and written steps for group work, such as timekeeper or recorder.",
     "Makes the hidden rules of group work explicit; clear roles are a feature of effective collaborative "
     "learning (EEF Teaching and Learning Toolkit)."),
    ("ci-a09", A, ("ASD",),
     "Accept that {name} may listen best while looking away, and do not insist on eye contact.",
     "Eye contact is uncomfortable or distracting for many autistic people; insisting on it can reduce "
     "attention to what is said."),
    ("ci-a10", A, ("SLCN",),
     "Rephrase a question with shorter sentences and familiar words if {name} does not answer, rather than "
     "repeating it louder.",
     "Lowers the language load of the question itself, so the pupil can show what they know."),
    ("ci-a11", A, ("SLCN", "MLD"),
     "Repeat {name}'s sentence back correctly when it has an error, without asking {them} to say it again.",
     "Recasting, a standard speech and language therapy technique: it models the correct form without putting "
     "the pupil on the spot."),
    ("ci-a12", A, ("ASD",),
     "Seat {name} where {they} can see the door and the board, away from the busiest routes in the room.",
     "Reduces unpredictability and sensory distraction; a seat chosen with the pupil is more likely to work."),
    ("ci-a13", A, ("SLCN", "SPLD"),
     "Write homework and key instructions down for {name} rather than giving them only aloud.",
     "Spoken instructions are gone once heard; a written record supports pupils with language and memory "
     "difficulties."),
    ("ci-a14", A, ("ASD", "SEMH"),
     "Agree a signal {name} can use to ask for a break without explaining in front of the class.",
     "Lowers the social demand of asking for help; an early break can prevent distress building up (National "
     "Autistic Society guidance on anxiety)."),
    ("ci-a15", A, ("DS", "SLCN"),
     "Use key word signing alongside speech when giving {name} instructions.",
     "Signing supports understanding and memory of spoken words; recommended for many children with Down "
     "syndrome (Down Syndrome Education International)."),
    ("ci-a16", A, ("SLCN", "MLD", "SPLD"),
     "Give {name} sentence starters and a model answer for extended writing.",
     "Scaffolding, one of the EEF's recommended approaches for pupils with SEND: temporary support, withdrawn "
     "as the pupil gains independence.", "English"),
    ("ci-a17", A, ("SLCN", "ASD", "SEMH"),
     "Offer {name} a written or recorded answer instead of presenting to the whole class, building up to "
     "speaking in a small group.",
     "Removes a barrier to showing knowledge while a planned, graded approach builds confidence in speaking."),
    ("ci-a18", A, ("ASD", "SLCN"),
     "Show {name} the steps of a task as a numbered list or pictures, not only in speech.",
     "Visual information stays available after speech has gone; widely recommended for autistic pupils and "
     "those with language needs."),
    # strategies
    ("ci-s01", S, ("SLCN", "MLD"),
     "Teach subject vocabulary explicitly before a topic starts: say the word, show its meaning, use it in "
     "context and revisit it through the week.",
     "Robust vocabulary instruction (Beck, McKeown and Kucan): direct teaching and repeated encounters build "
     "word knowledge."),
    ("ci-s02", S, ("SLCN", "HI"),
     "Pre-teach the key words of the next lesson to {name} in a short small-group session.",
     "The pupil meets new words before the lesson, so whole-class teaching is a second encounter rather than "
     "the first."),
    ("ci-s03", S, ("SLCN",),
     "Run a structured oral language programme with a trained teaching assistant, following the speech and "
     "language therapist's plan.",
     "Oral language interventions have high average impact (EEF Toolkit), and structured programmes work best "
     "when delivered as designed by trained staff."),
    ("ci-s04", S, ("SLCN", "MLD"),
     "Check understanding by asking {name} to show or explain what to do, not by asking 'Do you understand?'",
     "Pupils with language needs often answer yes when they have not understood; asking them to show reveals "
     "what has been understood."),
    ("ci-s05", S, ("SLCN", "DS"),
     "Grade questions for {name}: start with concrete questions about what can be seen, then move to reasons and "
     "predictions.",
     "Blank's levels of questioning: match the language level of questions to the pupil, then stretch it."),
    ("ci-s06", S, ("SLCN",),
     "Practise speech sounds with {name} for five minutes daily, using the targets set by the speech and "
     "language therapist.",
     "Short, frequent practice of specific targets is how speech sound work carries over into speech; the "
     "therapist sets the targets."),
    ("ci-s07", S, ("ASD", "SLD"),
     "Use a visual timetable of {name}'s day in order, and let {them} remove or tick each item as it finishes.",
     "Visual supports make the day predictable; recommended by the National Autistic Society and the Autism "
     "Education Trust."),
    ("ci-s08", S, ("ASD",),
     "Write a short, positive explanation with {name} of a situation that is hard for {them}, saying what "
     "happens and why, and read it together beforehand.",
     "Social Stories (Carol Gray's approach) have some evidence for explaining specific situations, especially "
     "when written with the pupil."),
    ("ci-s09", S, ("ASD",),
     "Use {name}'s strong interests to introduce new topics and as a reward for finishing work.",
     "Special interests raise engagement and lower anxiety; autistic pupils often describe them as a source of "
     "calm."),
    ("ci-s10", S, ("ASD", "SLCN"),
     "Teach the unwritten rules of a social situation directly, with a chance to practise in a small group.",
     "Social understanding is taught explicitly rather than assumed; practice in a small group helps it carry "
     "over."),
    ("ci-s11", S, ("ASD", "SEMH"),
     "Plan with {name} where {they} can go and what helps when overwhelmed, and tell every adult who teaches "
     "{them}.",
     "A plan made in a calm moment is easier to follow in a hard one; consistency across staff matters (Autism "
     "Education Trust)."),
    ("ci-s12", S, ("ASD",),
     "Check {name}'s classroom with {them} for noise, lighting, smells and seating, and act on what is found.",
     "Sensory differences are part of autism; small changes to the environment can remove real barriers."),
    ("ci-s13", S, ("SLCN", "ASD", "SLD"),
     "Use a 'now and next' board to show {name} the current task and what follows it.",
     "Cuts a sequence down to two steps, lowering the language and memory load; a common visual support."),
    ("ci-s14", S, ("SLCN", "ASD", "SLD"),
     "Give {name} a way to communicate without speech when needed, such as a symbol board or communication app, "
     "and teach every adult to use it.",
     "Augmentative and alternative communication does not hold back speech and gives a reliable way to be "
     "understood (Royal College of Speech and Language Therapists)."),
    ("ci-s15", S, ("DS",),
     "Use printed words with pictures to teach {name} new spoken vocabulary, so reading can lead speech.",
     "For many children with Down syndrome reading is a strength that supports spoken language (Down Syndrome "
     "Education International)."),
    ("ci-s16", S, ("DS", "HI"),
     "Ask the family about a hearing check if {name}'s listening seems to change.",
     "Glue ear and fluctuating hearing loss are common in children with Down syndrome; regular hearing checks "
     "are recommended."),
    ("ci-s17", S, ("SLCN",),
     "Build in structured talk with a partner, using sentence frames, before {name} answers in front of the "
     "class.",
     "Rehearsal raises the quality of talk; oral language approaches have high average impact (EEF Toolkit)."),
    # outcome stems
    ("ci-o01", OUT, ("SLCN",),
     "{name} will follow a two-step instruction given to the whole class without adult repetition in 4 out of 5 "
     "observed lessons.",
     "Specific and observable; set the number of steps from the baseline."),
    ("ci-o02", OUT, ("SLCN", "MLD"),
     "{name} will use 10 new topic words correctly in speech or writing by the end of the unit, checked against "
     "the topic word list.",
     "Words taught explicitly should be used; counting correct use gives a measurable target."),
    ("ci-o03", OUT, ("SLCN",),
     "{name} will retell a short story in order using 4 key events, with picture prompts, in 3 out of 4 "
     "attempts.",
     "Narrative skills underpin comprehension and writing; the picture prompts can be faded in a later "
     "target."),
    ("ci-o04", OUT, ("ASD",),
     "{name} will use {their} visual timetable to move between activities with no more than one adult prompt, "
     "on 4 days out of 5.",
     "Measures growing independence with a support already in place."),
    ("ci-o05", OUT, ("ASD", "SEMH"),
     "{name} will use the agreed signal to ask for a break before becoming distressed, at least 3 times a week, "
     "as logged by staff.",
     "Targets self-advocacy, the skill that makes other adjustments work."),
    ("ci-o06", OUT, ("ASD", "SLCN"),
     "{name} will take part in a structured paired task for 10 minutes, taking turns as agreed, in 3 out of 4 "
     "sessions.",
     "Builds social participation in small steps from a measured baseline."),
    ("ci-o07", OUT, ("SLCN",),
     "{name} will answer 'why' questions about a familiar story with a reason, in 4 out of 5 questions asked.",
     "Moves up the levels of questioning from a measured starting point (Blank's levels)."),
    ("ci-o08", OUT, ("SLCN", "DS"),
     "{name} will say the target speech sound correctly at the start of words in 8 out of 10 attempts in "
     "practice sessions.",
     "Set with the speech and language therapist; accuracy in practice comes before use in conversation."),
    ("ci-o09", OUT, ("ASD",),
     "{name} will manage an unexpected change to the timetable, with a warning, without leaving the room on 4 "
     "out of 5 occasions.",
     "Coping with change is measurable against incidents logged at the baseline."),
    ("ci-o10", OUT, ("DS", "SLCN"),
     "{name} will use 3-word phrases to make requests in class, with or without signing, 5 times a day as "
     "recorded by staff.",
     "Lengthens sentences in a real context; signing counts as communication."),
    ("ci-o11", OUT, ("SLCN", "ASD"),
     "{name} will start a conversation with a classmate at break time, using a practised opener, at least twice "
     "a week.",
     "A small, observable social communication step, chosen with the pupil."),
]  # fmt: skip

COGNITION_LEARNING = [
    # adjustments
    ("cl-a01", A, ("SPLD", "PD"),
     "Give {name} printed notes or a photo of the board instead of asking {them} to copy from it.",
     "Copying loads working memory and handwriting at once; removing it frees attention for the content."),
    ("cl-a02", A, ("SPLD",),
     "Ask {name} to read aloud in front of the class only when the text was given to {them} to practise first.",
     "Unprepared reading aloud exposes a decoding difficulty without teaching anything; preparation allows "
     "success."),
    ("cl-a03", A, ("SPLD",),
     "Mark {name}'s work for content first, and correct only the spellings of key words taught in the topic.",
     "Keeps feedback focused and usable; correcting every error overwhelms and rarely changes spelling."),
    ("cl-a04", A, ("SPLD", "MLD", "VI"),
     "Give {name} key texts in advance, with an audio version where one exists.",
     "Access to the content should not depend on decoding; reading ahead and listening support comprehension."),
    ("cl-a05", A, ("SPLD", "PD"),
     "Let {name} use a laptop or tablet for extended writing in lessons.",
     "Removes the handwriting barrier; the EEF's SEND guidance recommends technology that supports, not "
     "replaces, teaching."),
    ("cl-a06", A, ("SPLD", "MLD"),
     "Give {name} 25% extra time for tests in class, so it becomes {their} normal way of working.",
     "JCQ rules for exam access arrangements ask for evidence of the pupil's normal way of working."),
    ("cl-a07", A, ("MLD", "SPLD", "DS"),
     "Break tasks into short numbered steps for {name} and show one step at a time.",
     "Reduces cognitive load; teaching in small steps is one of Rosenshine's principles of instruction."),
    ("cl-a08", A, ("MLD",),
     "Put a worked example next to each new type of question on {name}'s sheet.",
     "The worked example effect: novices learn more from studying solutions than from solving unaided "
     "(cognitive load theory)."),
    ("cl-a09", A, ("MLD", "SPLD"),
     "Keep a word bank and a number facts card for the current topic on {name}'s desk.",
     "Reduces reliance on recall of facts not yet secure, so effort goes on the new learning."),
    ("cl-a10", A, ("SPLD", "VI"),
     "Use a clear font of at least 12 point with wider line spacing on {name}'s worksheets.",
     "Clear layout and spacing are recommended in the British Dyslexia Association style guide; extra spacing "
     "helps some readers (Zorzi and others, 2012)."),
    ("cl-a11", A, ("SPLD", "MLD"),
     "Let {name} use objects and a number line in maths until {they} can work without them.",
     "Concrete and pictorial representations, withdrawn as understanding grows (EEF guidance on improving "
     "mathematics).", "Maths"),
    ("cl-a12", A, ("SLD", "PMLD"),
     "Use real objects and photographs to show {name} what is happening next.",
     "Concrete references are easier to understand than words or abstract symbols at early stages of "
     "learning."),
    ("cl-a13", A, ("SLD", "PMLD"),
     "Keep the same order of activities and the same adults for {name}'s mornings where possible.",
     "Routine reduces the demand of working out what comes next and helps learning carry over."),
    ("cl-a14", A, ("MLD", "DS"),
     "Ask {name} a question {they} can answer early in each lesson, before harder questions.",
     "Early success raises participation; Rosenshine recommends a high success rate during practice."),
    ("cl-a15", A, ("SPLD", "MLD"),
     "Give {name} homework tasks and deadlines in print rather than expecting them to be copied down.",
     "Removes a copying and organisation barrier; homework only helps if the task is clear."),
    ("cl-a16", A, ("DS", "MLD"),
     "Plan the length of {name}'s tasks so {they} can finish them, rather than cutting work short each time.",
     "Processing is often slower for children with Down syndrome; right-sized tasks avoid a daily experience of "
     "unfinished work."),
    ("cl-a17", A, ("SPLD", "MLD"),
     "Give {name} a labelled diagram of the equipment and a step-by-step method card in practical lessons.",
     "Dual coding and a lighter load on working memory during practical work.", "Science"),
    # strategies
    ("cl-s01", S, ("SPLD",),
     "Teach {name} systematic phonics daily in a small group, matched to gaps found by assessment.",
     "Systematic synthetic phonics has strong evidence (DfE Reading Framework; EEF literacy guidance); the gaps "
     "come from assessment, not assumption."),
    ("cl-s02", S, ("SPLD", "MLD"),
     "Run short daily fluency practice with {name} on a small set of words or facts, charting progress.",
     "Precision teaching: brief, frequent practice to fluency with visible progress; evidence comes mostly from "
     "small studies, but it is simple to monitor."),
    ("cl-s03", S, ("SPLD", "PD"),
     "Teach {name} to touch type with a structured programme for 15 minutes, three times a week.",
     "Fast typing makes technology a real alternative to handwriting and supports independence later on."),
    ("cl-s04", S, ("SPLD", "MLD"),
     "Teach {name} reading comprehension strategies explicitly: predicting, questioning, clarifying and "
     "summarising.",
     "Reciprocal teaching; the EEF Toolkit reports high average impact for reading comprehension strategies."),
    ("cl-s05", S, ("MLD", "SPLD"),
     "Start lessons with a short, low-stakes quiz on earlier learning.",
     "Retrieval practice strengthens memory (the testing effect); low stakes keep anxiety down."),
    ("cl-s06", S, ("MLD",),
     "Revisit key content with {name} after a day, a week and a month, rather than all at once.",
     "Spaced practice improves long-term retention compared with massed practice."),
    ("cl-s07", S, ("MLD", "SPLD", "DS"),
     "Teach new content in small steps with practice after each step, checking understanding before moving on.",
     "Rosenshine's principles of instruction; explicit instruction is one of the EEF's five approaches for "
     "pupils with SEND in mainstream schools."),
    ("cl-s08", S, ("MLD",),
     "Model the task by thinking aloud, then do one together before {name} works alone.",
     "Modelling and guided practice before independent work (EEF guidance on metacognition and self-regulated "
     "learning)."),
    ("cl-s09", S, ("MLD", "SPLD"),
     "Teach {name} a short checklist to plan, monitor and check {their} work, and prompt {them} to use it.",
     "Metacognitive strategies have high average impact when taught explicitly (EEF Toolkit)."),
    ("cl-s10", S, ("SPLD", "MLD"),
     "Teach each new maths idea with objects first, then drawings, then numbers and symbols.",
     "Concrete, pictorial, abstract: recommended in the EEF's guidance on improving mathematics.", "Maths"),
    ("cl-s11", S, ("MLD", "SPLD"),
     "Link intervention sessions to class teaching: the teaching assistant and the class teacher plan them "
     "together.",
     "EEF guidance on making best use of teaching assistants: structured interventions work best when linked "
     "explicitly to classroom learning."),
    ("cl-s12", S, ("SLD", "PMLD"),
     "Break a life skill into small steps and teach the last step first, adding earlier steps as {name} "
     "succeeds.",
     "Backward chaining: the pupil always finishes the task successfully, which motivates further learning."),
    ("cl-s13", S, ("SLD",),
     "Teach new skills with prompts that are faded step by step, so that mistakes are rare.",
     "Errorless learning reduces practice of errors and frustration; studies with learners with severe learning "
     "difficulties support it."),
    ("cl-s14", S, ("PMLD", "MSI"),
     "Use the same object of reference before each activity, for example a cup before drinks.",
     "Objects of reference help learners at early stages of communication anticipate what comes next."),
    ("cl-s15", S, ("PMLD", "SLD", "ASD"),
     "Hold daily Intensive Interaction sessions with {name}, following {their} lead and responding to {their} "
     "sounds and movements.",
     "Intensive Interaction is widely used to build early social communication; the evidence comes from small "
     "studies and practice-based research."),
    ("cl-s16", S, ("PMLD",),
     "Observe and record {name}'s responses using the five areas of engagement: exploration, realisation, "
     "anticipation, persistence and initiation.",
     "The engagement model (DfE, 2020) is the statutory assessment for pupils not yet engaged in "
     "subject-specific study."),
    ("cl-s17", S, ("DS", "MLD"),
     "Teach number facts with visual patterns, such as ten frames, and short daily practice.",
     "Visual representations support number sense and brief frequent practice builds fluency (EEF guidance on "
     "improving mathematics)."),
    ("cl-s18", S, ("SPLD", "VI"),
     "Provide text-to-speech software and teach {name} to use it without help.",
     "Assistive technology gives access to age-appropriate text; the EEF's SEND guidance lists technology among "
     "approaches that help."),
    ("cl-s19", S, ("SLD", "MLD", "ASD"),
     "Use photographs of {name} doing a task correctly as a step-by-step guide, and reduce adult prompts.",
     "Visual prompts can be faded and avoid dependence on adults (EEF guidance on making best use of teaching "
     "assistants)."),
    # outcome stems
    ("cl-o01", OUT, ("SPLD",),
     "{name} will read 40 high-frequency words accurately within two minutes, in 3 out of 4 weekly checks.",
     "A fluency target with a count, a time limit and a measure; set the figures from the baseline."),
    ("cl-o02", OUT, ("SPLD",),
     "{name} will read unfamiliar words containing the taught phonic patterns with 90% accuracy on the phonics "
     "check.",
     "Measured with the phonics programme's own assessment, so it is tied to what is taught."),
    ("cl-o03", OUT, ("SPLD", "MLD"),
     "{name} will spell 15 of the 20 key topic words correctly in a dictated sentence check at the end of the "
     "half-term.",
     "Specific and measurable; focuses spelling effort on the words the pupil needs most."),
    ("cl-o04", OUT, ("SPLD", "PD"),
     "{name} will type at 20 words a minute with 90% accuracy, measured on a two-minute typing test.",
     "Fluent typing is the condition for technology replacing handwriting."),
    ("cl-o05", OUT, ("MLD", "SPLD"),
     "{name} will recall number bonds to 10 within 3 seconds each, getting 18 out of 20 right in a weekly "
     "check.",
     "Fact fluency frees working memory for problem solving; timed accuracy is easy to measure.", "Maths"),
    ("cl-o06", OUT, ("MLD", "SPLD"),
     "{name} will use {their} planning checklist without prompting for 3 out of 4 extended writing tasks.",
     "Measures the transfer of a taught metacognitive strategy into independent work."),
    ("cl-o07", OUT, ("MLD", "DS"),
     "{name} will answer 4 out of 5 literal questions about a short text read to {them}.",
     "Separates comprehension from decoding; a clear count and condition."),
    ("cl-o08", OUT, ("SLD",),
     "{name} will complete the 5 steps of hand washing with no more than one spoken prompt, on 4 days out of 5.",
     "A life skill measured by the level of prompting, matching the backward-chaining plan."),
    ("cl-o09", OUT, ("SLD", "PMLD"),
     "{name} will choose between two objects by reaching or looking, in 4 out of 5 opportunities in a session.",
     "Making a choice is an early step in communication and independence; measured by a consistent response."),
    ("cl-o10", OUT, ("PMLD", "MSI"),
     "{name} will show anticipation of a familiar routine, such as smiling or reaching when {their} object of "
     "reference is shown, in 3 out of 5 sessions.",
     "Anticipation is one of the five areas of the engagement model (DfE, 2020)."),
    ("cl-o11", OUT, ("PMLD",),
     "{name} will keep attention on a shared activity for 2 minutes, as recorded on {their} engagement "
     "profile, in 4 out of 5 sessions.",
     "Persistence, from the engagement model; set the duration from the baseline."),
    ("cl-o12", OUT, ("MLD",),
     "{name} will solve addition and subtraction problems within 20 using a number line, getting 8 out of 10 "
     "right.",
     "A clear count with the support named, so the next target can remove it.", "Maths"),
    ("cl-o13", OUT, ("DS",),
     "{name} will read 30 words linked to the class topic by sight, matching each to its picture.",
     "Whole-word reading is often a strength for children with Down syndrome and supports language (Down "
     "Syndrome Education International)."),
]  # fmt: skip

SEMH = [
    # adjustments
    ("se-a01", A, ("SEMH",),
     "Greet {name} by name at the door at the start of each lesson.",
     "Positive greetings at the door raised engagement and reduced disruption in a controlled study (Cook and "
     "others, 2018); simple and costs nothing."),
    ("se-a02", A, ("SEMH",),
     "Give {name} instructions privately and calmly, then step away to allow time to respond.",
     "Removes the audience and the sense of confrontation; take-up time is advised in the EEF's guidance on "
     "improving behaviour in schools."),
    ("se-a03", A, ("SEMH",),
     "Praise {name} for specific behaviour, quietly if public praise makes {them} uncomfortable.",
     "Behaviour-specific praise is linked to more time on task; giving it privately respects the pupil's "
     "preference."),
    ("se-a04", A, ("SEMH", "ASD"),
     "Let {name} use the agreed calm space, with a time limit and a plan for coming back to the lesson.",
     "A planned, time-limited break prevents escalation; the plan for returning stops it becoming avoidance."),
    ("se-a05", A, ("SEMH",),
     "Seat {name} near a trusted adult or a settled classmate, away from known triggers.",
     "The classroom environment and relationships are levers named in the EEF's behaviour guidance."),
    ("se-a06", A, ("SEMH", "ASD"),
     "Tell {name} in advance when there will be a supply teacher or a change of room.",
     "Unexpected change is a common trigger for anxious pupils; notice gives time to prepare."),
    ("se-a07", A, ("SEMH", "OTH"),
     "Give {name} a short job that involves moving, such as handing out books, every 15 to 20 minutes.",
     "Planned breaks in activity help sustain attention for pupils with attention difficulties; a job keeps the "
     "break purposeful and discreet."),
    ("se-a08", A, ("SEMH",),
     "State the choice and its consequence to {name} calmly and once, then give time.",
     "Clear, consistent responses are central to the EEF's behaviour guidance; repeated warnings tend to "
     "escalate."),
    ("se-a09", A, ("SEMH",),
     "Check with {name}'s key adult before giving a sanction, so the response fits the plan.",
     "Consistency across adults; the Equality Act 2010 duty to make reasonable adjustments applies to behaviour "
     "responses for disabled pupils."),
    ("se-a10", A, ("SEMH",),
     "Start {name}'s day with a two-minute check-in with {their} key adult.",
     "Check-in, check-out has a reasonable evidence base as targeted behaviour support and builds a steady "
     "relationship."),
    ("se-a11", A, ("SEMH", "SLCN"),
     "Let {name} answer on a mini whiteboard instead of aloud in front of the class when anxious.",
     "Lowers the social risk of answering while still checking understanding."),
    ("se-a12", A, ("SEMH",),
     "Speak to {name} without sarcasm or comparison with other pupils.",
     "Pupils with low self-esteem or attachment difficulties often hear these as rejection; relationships come "
     "first in attachment-aware practice."),
    ("se-a13", A, ("SEMH", "ASD"),
     "Let {name} sit at the edge of assemblies and large gatherings, near an exit.",
     "Reduces the feeling of being trapped, a common source of anxiety in crowded spaces."),
    ("se-a14", A, ("SEMH", "OTH", "PD"),
     "Let {name} change for PE in a private space.",
     "Changing rooms can be a source of anxiety and of bullying; privacy is a low-cost reasonable adjustment.",
     "PE"),
    # strategies
    ("se-s01", S, ("SEMH",),
     "Name a key adult for {name} who checks in daily and is the first person contacted when things go wrong.",
     "A steady relationship with a trusted adult is central to attachment-aware practice."),
    ("se-s02", S, ("SEMH",),
     "Use emotion coaching with {name}: notice and name the feeling, show empathy, then set limits and solve "
     "the problem together.",
     "Emotion coaching (after Gottman) has been trialled in UK schools with positive results for behaviour and "
     "wellbeing."),
    ("se-s03", S, ("SEMH",),
     "Once calm after an incident, hold a restorative conversation with {name}: what happened, who was "
     "affected, what can put it right.",
     "Restorative approaches repair relationships and teach responsibility; widely used in UK schools."),
    ("se-s04", S, ("SEMH", "ASD"),
     "Write a de-escalation plan for {name}: early signs, what helps, what makes things worse, and who to call.",
     "A written plan means every adult responds the same way; the early signs are the best time to act."),
    ("se-s05", S, ("SEMH",),
     "Offer {name} a weekly session with the school's trained emotional literacy support assistant, with agreed "
     "goals.",
     "Emotional literacy support (ELSA) is common in UK schools and small studies report gains; goals keep the "
     "sessions purposeful."),
    ("se-s06", S, ("SEMH",),
     "Teach {name} a short calming routine, such as slow breathing, at calm times, and practise it until it is "
     "familiar.",
     "Self-regulation strategies are learnt when calm and used when stressed; the EEF recommends teaching "
     "social and emotional skills explicitly."),
    ("se-s07", S, ("SEMH", "OTH"),
     "Use a daily report card with two or three positive targets, reviewed with {name}'s key adult at the end "
     "of each day.",
     "Daily report cards, as in check-in, check-out, have evidence of reducing problem behaviour."),
    ("se-s08", S, ("SEMH",),
     "Discuss {name} with the senior mental health lead and consider a referral to specialist services if "
     "anxiety continues.",
     "The graduated approach: seek specialist advice when school-based support is not enough (SEND Code of "
     "Practice, chapter 6)."),
    ("se-s09", S, ("SEMH",),
     "Agree an attendance plan with {name} and {their} family, with small steps back into school and a named "
     "contact.",
     "DfE attendance guidance expects schools to work with families and remove barriers first; small steps make "
     "a return achievable."),
    ("se-s10", S, ("SEMH",),
     "Send a positive note or message home about {name} at least once a week.",
     "Good home-school relationships matter; parental engagement approaches have positive average impact (EEF "
     "Toolkit)."),
    ("se-s11", S, ("SEMH", "ASD"),
     "Teach the words for feelings explicitly, and ask {name} to rate how strong a feeling is on a simple "
     "scale.",
     "Emotional literacy supports self-regulation; a scale makes feelings concrete and easier to talk about."),
    ("se-s12", S, ("SEMH", "ASD"),
     "Record what happened before, during and after each incident for two weeks, to find what {name}'s "
     "behaviour is communicating.",
     "Antecedent-behaviour-consequence records identify triggers and purposes, so support targets the cause."),
    ("se-s13", S, ("SEMH", "ASD"),
     "Plan a supported move to a new class or school for {name}: visits, photographs of new staff and rooms, and "
     "a named person.",
     "Transitions are high-risk times for vulnerable pupils; getting to know the place early reduces anxiety."),
    ("se-s14", S, ("SEMH", "OTH"),
     "Teach {name} to use a simple planner or checklist to start and finish tasks, fading adult prompts over "
     "time.",
     "Supports executive function; fading prompts builds independence (EEF guidance warns against dependence "
     "on adult support)."),
    ("se-s15", S, ("SEMH",),
     "Give {name} a responsibility in school that {they} can succeed at, such as a monitor role.",
     "Responsibility and belonging build self-esteem and a connection to school."),
    # outcome stems
    ("se-o01", OUT, ("SEMH",),
     "{name} will use the agreed calm space and return to the lesson within 10 minutes, on 4 out of 5 logged "
     "occasions.",
     "Measures self-regulation with the plan in place; set the time from the baseline."),
    ("se-o02", OUT, ("SEMH", "OTH"),
     "{name} will attend at least 90% of sessions over the half-term.",
     "Attendance is objective and recorded every day; set the figure from the baseline."),
    ("se-o03", OUT, ("SEMH",),
     "{name} will name {their} feeling and how strong it is on the scale when asked by {their} key adult, in 4 "
     "out of 5 check-ins.",
     "A measurable emotional literacy step that comes before self-regulation."),
    ("se-o04", OUT, ("SEMH",),
     "{name} will leave class without permission no more than 2 times a week, down from 6, as shown in the "
     "behaviour log.",
     "A reduction from a recorded baseline, measured with the log the school already keeps."),
    ("se-o05", OUT, ("SEMH",),
     "{name} will meet 2 of {their} 3 report card targets on 4 days out of 5.",
     "Uses the report card data already collected each day."),
    ("se-o06", OUT, ("SEMH",),
     "{name} will use a calming strategy with one adult prompt when showing early signs of distress, on 3 out of "
     "4 observed occasions.",
     "Targets the early stage of the de-escalation plan."),
    ("se-o07", OUT, ("SEMH",),
     "{name} will rate 'How I feel about school' at 4 out of 5 or higher on the agreed scale, up from 2.",
     "The pupil's own view is the measure; use the same scale each time."),
    ("se-o08", OUT, ("SEMH",),
     "{name} will take part in group work for a whole lesson without conflict in 3 lessons a week, as noted by "
     "the class teacher.",
     "Observable and counted weekly; set the number of lessons from the baseline."),
    ("se-o09", OUT, ("OTH", "SEMH"),
     "{name} will start written tasks within 2 minutes of the instruction, using {their} checklist, in 4 out of "
     "5 observed lessons.",
     "Getting started is a common difficulty for pupils with attention needs, and the time taken is easy to "
     "observe."),
]  # fmt: skip

SENSORY_PHYSICAL = [
    # adjustments: hearing
    ("sp-a01", A, ("HI",),
     "Face {name} when speaking, with your face in good light and your mouth uncovered.",
     "Lip patterns and facial expression support listening; recommended in NDCS guidance for deaf children."),
    ("sp-a02", A, ("HI",),
     "Check {name}'s radio aid or remote microphone works at the start of each day, and wear it for all "
     "teaching.",
     "A remote microphone lifts the teacher's voice above background noise; the Teacher of the Deaf advises "
     "daily checks."),
    ("sp-a03", A, ("HI",),
     "Repeat or sum up other pupils' answers so {name} can follow class discussion.",
     "Contributions from around the room are hard to hear; recommended in NDCS guidance."),
    ("sp-a04", A, ("HI", "SPLD"),
     "Turn on subtitles for every video shown to {name}'s class.",
     "Subtitles give access to speech on video, which is often poorly recorded, and help many other pupils "
     "too."),
    ("sp-a05", A, ("HI",),
     "Seat {name} near the front and to one side, where {they} can see the teacher and most of the class.",
     "Balances a clear view of the teacher's face with seeing the classmates who speak (NDCS)."),
    ("sp-a06", A, ("HI",),
     "Cut background noise in {name}'s lessons: close doors and windows when teaching and switch off unused "
     "equipment.",
     "Recommended in NDCS guidance for deaf children: check the listening environment."),
    ("sp-a07", A, ("HI", "SLCN"),
     "Give {name} key vocabulary and a summary of the lesson in writing, before or after it.",
     "Reading it first or afterwards lightens the load of hearing new words for the first time."),
    # vision
    ("sp-a08", A, ("VI",),
     "Give {name} {their} own copy of anything shown on the board, in the format the qualified teacher of "
     "vision impairment advises.",
     "Board work is often out of reach; the specialist teacher assesses the right print size and format."),
    ("sp-a09", A, ("VI",),
     "Say aloud what you write or draw on the board as you do it.",
     "Gives access to visual content through speech; long-standing good practice for visually impaired "
     "pupils (RNIB)."),
    ("sp-a10", A, ("VI", "MSI"),
     "Keep {name}'s classroom layout the same and tell {them} before furniture is moved.",
     "A predictable layout supports safe, independent movement."),
    ("sp-a11", A, ("VI",),
     "Seat {name} away from glare, with the light behind {them} rather than in front.",
     "Glare reduces usable vision for many visually impaired pupils; the specialist teacher can advise."),
    ("sp-a12", A, ("VI", "MSI"),
     "Say your name when you come up to {name}, and say when you are leaving.",
     "A pupil with little vision may not know who is speaking or that the adult has gone."),
    ("sp-a13", A, ("VI",),
     "Use a brightly coloured or audible ball for {name} in PE, and talk {them} through the layout of the "
     "space.",
     "Adapted equipment such as audible balls is standard in visually impaired sport (British Blind Sport).",
     "PE"),
    # multi-sensory
    ("sp-a14", A, ("MSI",),
     "Approach {name} from the same side each time and use {their} agreed touch cue before speaking.",
     "Consistent cues help pupils with multi-sensory impairment know who is there and what is coming (Sense)."),
    ("sp-a15", A, ("MSI", "VI"),
     "Give {name} extra time to explore an object by touch before an activity starts.",
     "Information arrives more slowly through touch; rushing prevents understanding."),
    # physical and medical
    ("sp-a16", A, ("PD",),
     "Let {name} leave lessons five minutes early to move between rooms safely.",
     "Avoids crowded corridors and lost learning time; a reasonable adjustment under the Equality Act 2010."),
    ("sp-a17", A, ("PD", "VI"),
     "Keep the route to {name}'s seat and the classroom exits clear of bags and furniture.",
     "Needed for safe, independent movement with a mobility aid or little vision."),
    ("sp-a18", A, ("PD", "SPLD"),
     "Give {name} a writing slope, pencil grip or adapted scissors as the occupational therapist advises.",
     "Equipment advised by an occupational therapist reduces fatigue and improves control."),
    ("sp-a19", A, ("PD", "OTH"),
     "Allow {name} rest breaks at agreed times during the day, without having to ask.",
     "Fatigue comes with many physical and medical conditions; planned breaks prevent exhaustion."),
    ("sp-a20", A, ("PD",),
     "Adapt PE activities so {name} takes part, using the physiotherapist's advice, rather than giving {them} a "
     "non-playing role.",
     "Adapting keeps the pupil taking part; physiotherapy advice keeps it safe.", "PE"),
    ("sp-a21", A, ("OTH",),
     "Follow {name}'s individual healthcare plan, and make sure every adult who teaches {them} has read it.",
     "DfE statutory guidance, Supporting pupils at school with medical conditions, expects staff to know a "
     "pupil's healthcare plan."),
    ("sp-a22", A, ("OTH",),
     "Let {name} keep water and snacks in class and go to the toilet without asking, as the healthcare plan "
     "sets out.",
     "Common adjustments for conditions such as diabetes; any delay is a matter of health."),
    # strategies
    ("sp-s01", S, ("HI",),
     "Pre-teach new topic vocabulary to {name} each week with a teaching assistant or the Teacher of the Deaf.",
     "Deaf pupils often pick up fewer words incidentally; pre-teaching is recommended in NDCS guidance."),
    ("sp-s02", S, ("HI",),
     "Ask the specialist teaching service to check the acoustics of {name}'s main classrooms.",
     "Good acoustics matter for deaf pupils; Building Bulletin 93 sets acoustic standards for school "
     "buildings."),
    ("sp-s03", S, ("HI",),
     "Check {name}'s understanding after group work, when background noise makes talk hardest to follow.",
     "Group work is the noisiest part of a lesson; checking afterwards catches what was missed."),
    ("sp-s04", S, ("HI", "MSI"),
     "Use British Sign Language or sign-supported English with {name} as the Teacher of the Deaf sets out.",
     "Access to language in the pupil's own mode; the specialist's advice sets the approach."),
    ("sp-s05", S, ("VI",),
     "Teach {name} to use a magnifier or screen magnification software without help, with the specialist "
     "teacher's guidance.",
     "Independent use of aids reduces reliance on adults and prepares for later study."),
    ("sp-s06", S, ("VI",),
     "Prepare tactile diagrams or models for {name} in advance of maths and science lessons.",
     "Gives access to visual information through touch, which needs planning time (RNIB guidance)."),
    ("sp-s07", S, ("VI",),
     "Arrange habilitation training for {name} on new routes around school.",
     "Mobility and orientation training by a qualified habilitation specialist builds safe independent "
     "travel."),
    ("sp-s08", S, ("VI",),
     "Arrange regular braille teaching for {name} with a specialist, where the specialist teacher advises "
     "braille as {their} reading format.",
     "Braille literacy depends on early, regular teaching by a specialist."),
    ("sp-s09", S, ("MSI",),
     "Use one set of objects of reference and on-body signs with {name}, shared between home and school.",
     "Consistency across settings is key for learners with multi-sensory impairment (Sense)."),
    ("sp-s10", S, ("MSI",),
     "Name an adult who works with {name} most days and knows {their} communication well.",
     "Familiar communication partners are central to good practice in multi-sensory impairment (Sense)."),
    ("sp-s11", S, ("MSI", "PMLD"),
     "Build {name}'s day around predictable routines, with a clear start and finish to each activity.",
     "Predictable routines help pupils with multi-sensory impairment anticipate and take part."),
    ("sp-s12", S, ("PD",),
     "Carry out {name}'s physiotherapy exercises daily in a private space, as the physiotherapist sets them.",
     "Programmes work when carried out as prescribed; privacy respects dignity."),
    ("sp-s13", S, ("PD", "PMLD"),
     "Write a personal care plan with {name} and {their} family that protects {their} dignity and privacy.",
     "Good intimate care practice involves the pupil and family and records what is agreed."),
    ("sp-s14", S, ("PD",),
     "Complete a moving and handling risk assessment for {name} and train the staff who support {them}.",
     "A health and safety duty; trained staff protect both the pupil and the adult."),
    ("sp-s15", S, ("PD", "OTH", "VI"),
     "Write a personal emergency evacuation plan for {name} and practise it in fire drills.",
     "Fire safety guidance expects a plan for anyone who may need help to leave the building."),
    ("sp-s16", S, ("PD", "SPLD"),
     "Run a short daily fine motor programme with {name} as the occupational therapist advises.",
     "Regular practice of the specific skills the therapist identifies is how fine motor control improves."),
    ("sp-s17", S, ("OTH",),
     "Agree with {name}'s family how learning missed through medical appointments or absence will be caught "
     "up.",
     "Statutory guidance on medical conditions expects schools to limit the effect of absence on learning."),
    ("sp-s18", S, ("OTH", "SEMH"),
     "Ask {name} how much {they} would like classmates to know about {their} condition, and follow that "
     "choice.",
     "The pupil's voice; respecting privacy about health supports wellbeing and reduces stigma."),
    ("sp-s19", S, ("OTH",),
     "Train the staff who teach {name} to recognise the warning signs in {their} healthcare plan and what to "
     "do.",
     "Statutory guidance on medical conditions expects staff to be trained for the plans they carry out."),
    # outcome stems
    ("sp-o01", OUT, ("HI",),
     "{name} will tell an adult when {their} hearing equipment is not working, in 4 out of 5 weekly checks.",
     "Speaking up about equipment is a key independence skill for deaf pupils (NDCS)."),
    ("sp-o02", OUT, ("HI",),
     "{name} will ask for a repeat or an explanation when something was missed, at least twice a lesson.",
     "Self-advocacy in the classroom, counted by observation."),
    ("sp-o03", OUT, ("VI",),
     "{name} will use screen magnification to read class texts without adult help in 4 out of 5 lessons.",
     "Measures independent use of a taught aid."),
    ("sp-o04", OUT, ("VI",),
     "{name} will walk between {their} classroom and the dining hall alone by the trained route, on 5 days out "
     "of 5.",
     "A concrete mobility goal, set with the habilitation specialist."),
    ("sp-o05", OUT, ("VI",),
     "{name} will read 25 contracted braille words accurately in a weekly check.",
     "Braille progress measured by the specialist teacher."),
    ("sp-o06", OUT, ("MSI",),
     "{name} will respond to {their} object of reference by moving towards the activity, in 4 out of 5 "
     "opportunities.",
     "Anticipation shows the cue is understood; consistent with the engagement model."),
    ("sp-o07", OUT, ("MSI",),
     "{name} will use 5 on-body signs to make requests during the school day, as recorded by staff over two "
     "weeks.",
     "A count of communication in real situations, recorded by the adults who know the signs."),
    ("sp-o08", OUT, ("PD",),
     "{name} will move from the classroom to the hall with {their} walking frame in under 4 minutes, as timed "
     "by staff.",
     "Set with the physiotherapist; time and distance are measurable."),
    ("sp-o09", OUT, ("PD", "SPLD"),
     "{name} will type a paragraph of 80 words in 10 minutes using {their} adapted keyboard.",
     "A measurable writing goal with the equipment the pupil uses."),
    ("sp-o10", OUT, ("PD", "OTH"),
     "{name} will use the agreed signal to ask for a rest break when tired, on 4 out of 5 days.",
     "Self-advocacy about fatigue, recorded by staff."),
    ("sp-o11", OUT, ("OTH",),
     "{name} will tell a named adult straight away about any warning sign listed in {their} healthcare plan, as "
     "checked at each review.",
     "Managing one's own condition is an aim of the statutory guidance on medical conditions."),
    ("sp-o12", OUT, ("OTH", "PD"),
     "{name} will catch up on work missed during medical absence within two weeks of returning, as checked by "
     "the class teacher.",
     "A practical outcome that keeps absence from widening gaps."),
]  # fmt: skip


def _entries():
    grouped = (
        ("communication-interaction", COMMUNICATION_INTERACTION),
        ("cognition-learning", COGNITION_LEARNING),
        ("semh", SEMH),
        ("sensory-physical", SENSORY_PHYSICAL),
    )
    entries = []
    for area, rows in grouped:
        for row in rows:
            key, kind, need_codes, text, rationale, *rest = row
            entries.append(
                {
                    "key": key,
                    "kind": kind,
                    "area": area,
                    "need_codes": sorted(need_codes),
                    "text": text,
                    "rationale": rationale,
                    "subject": rest[0] if rest else "",
                }
            )
    return entries


ENTRIES = _entries()


def builtin_public_id(key):
    """The public id of a built-in entry: the same on every install."""
    return uuid.uuid5(BANK_NAMESPACE, f"bank-entry:{key}")


def load_builtin_bank(BankEntry, AreaOfNeed):
    """Create or correct every built-in entry; retire built-ins no longer listed. Safe to run again.

    Takes the model classes so a data migration can pass its historical models. Schools'
    own entries and copies are never touched.
    """
    areas = {area.code: area for area in AreaOfNeed.objects.all()}
    wanted = []
    for entry in ENTRIES:
        public_id = builtin_public_id(entry["key"])
        wanted.append(public_id)
        values = {
            "school": None,
            "kind": entry["kind"],
            "area": areas.get(entry["area"]),
            "need_codes": entry["need_codes"],
            "text": entry["text"],
            "rationale": entry["rationale"],
            "subject": entry["subject"],
            "is_active": True,
        }
        existing = BankEntry.objects.filter(public_id=public_id).first()
        if existing is None:
            BankEntry.objects.create(public_id=public_id, **values)
            continue
        changed = [name for name, value in values.items() if getattr(existing, name) != value]
        if changed:
            for name in changed:
                setattr(existing, name, values[name])
            existing.lock_version += 1
            existing.save()
    BankEntry.objects.filter(school__isnull=True, is_active=True).exclude(public_id__in=wanted).update(is_active=False)
