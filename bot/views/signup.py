"""The sign-up modal, the programme picker, and the participant's status and leave messages."""

from __future__ import annotations

import json
from collections.abc import Sequence

from bot.ids import BASELINE_PREFIX, Action, Field, View, keyed
from bot.models import MatchingMode, Participant, Personality, Programme, RatingPhase, Role
from bot.services.programme_cache import ProgrammeSnapshot
from bot.services.signup import GRADE_LEVELS, Participation
from bot.views import blocks
from bot.views.blocks import Block
from bot.views.forms import MEDIUM_OPTIONS
from bot.views.mrkdwn import Mrkdwn, join, mrkdwn

ROLE_OPTIONS = [
    blocks.option("Mentor", Role.MENTOR.value, "I'm the junior colleague sharing my perspective"),
    blocks.option("Mentee", Role.MENTEE.value, "I'm the senior leader who wants to learn"),
]
PERSONALITY_OPTIONS = [
    blocks.option("More introvert", Personality.INTROVERT.value),
    blocks.option("More extrovert", Personality.EXTROVERT.value),
    blocks.option("Either / depends", Personality.EITHER.value),
]
RATING_OPTIONS = [
    blocks.option(f"{n} – {label}", str(n))
    for n, label in enumerate(["not at all", "a little", "somewhat", "quite", "very"], start=1)
]
CONSENT_OPTION = blocks.option("I accept the ground rules", "accepted")

# The sign-up forms work from the programme itself or its cached snapshot.
SignupProgramme = Programme | ProgrammeSnapshot

STATUS_WORDS = {
    "signed_up": "signed up, waiting for matching",
    "withdrawn": "withdrawn",
}


def metadata(programme_id: int) -> str:
    return json.dumps({"programme_id": programme_id})


def read_metadata(raw: str | None) -> int | None:
    """The programme id a modal was opened for; None when the metadata is not ours."""
    try:
        value = json.loads(raw or "{}").get("programme_id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) else None


def picker_modal(programmes: Sequence[SignupProgramme]) -> Block:
    choices = [blocks.option(p.name, str(p.id)) for p in programmes[:100]]
    body = [
        blocks.section("Several programmes are open. Which one would you like to join?"),
        blocks.input_block(Field.PROGRAMME, "Programme", blocks.static_select(choices)),
    ]
    return blocks.modal(View.SIGNUP_PICK, "Join a programme", body, submit="Next")


def signup_modal(programme: SignupProgramme, existing: Participant | None = None) -> Block:
    """The sign-up form of PRODUCT.md flow 2, prefilled when someone edits their answers."""
    body = [
        _heading(programme),
        *_about_you(programme, existing),
        *_baseline(programme, existing),
        *_how_you_work(existing, shown=_shown_to_choosers(programme)),
        blocks.divider(),
        blocks.section(mrkdwn("*Ground rules*\n{rules}", rules=programme.ground_rules)),
        blocks.input_block(Field.CONSENT, "Consent", blocks.checkboxes([CONSENT_OPTION])),
        blocks.context("Your time zone and name come from your Slack profile."),
    ]
    title = "Edit my answers" if existing else "Join the programme"
    return blocks.modal(
        View.SIGNUP,
        title,
        body,
        submit="Save" if existing else "Sign up",
        private_metadata=metadata(programme.id),
    )


def _heading(programme: SignupProgramme) -> Block:
    description = (programme.description or "").strip()
    return blocks.section(
        mrkdwn("*{name}*\n{description}", name=programme.name, description=description)
        if description
        else mrkdwn("*{name}*", name=programme.name)
    )


def _about_you(programme: SignupProgramme, existing: Participant | None) -> list[Block]:
    topic_choices = [blocks.option(t, t) for t in programme.topics[:100]]
    chosen = [o for o in topic_choices if existing is not None and o["value"] in existing.topics]
    manager: Block = {"type": "users_select"}
    if existing is not None and existing.line_manager_id:
        manager["initial_user"] = existing.line_manager_id
    return [
        blocks.input_block(
            Field.ROLE,
            "I join as",
            blocks.radio_buttons(ROLE_OPTIONS, initial=existing.role.value if existing else None),
        ),
        blocks.input_block(
            Field.DEPARTMENT,
            "Department",
            blocks.text_input(initial=existing.department if existing else None, max_length=100),
        ),
        blocks.input_block(
            Field.GRADE,
            "Level",
            blocks.static_select(
                [blocks.option(label, str(level)) for level, label in GRADE_LEVELS.items()],
                initial=existing.grade_level if existing else None,
            ),
        ),
        blocks.input_block(
            Field.LINE_MANAGER,
            "Line manager",
            manager,
            optional=True,
            hint="Used only to keep pairs out of one reporting line.",
        ),
        blocks.input_block(
            Field.TOPICS,
            "Topics you can offer (mentors) or want to explore (mentees)",
            blocks.multi_select(topic_choices, chosen=chosen),
        ),
        blocks.input_block(
            Field.SKILLS,
            "Skills, in your own words",
            blocks.text_input(
                multiline=True, initial=existing.skills if existing else None, max_length=1000
            ),
            optional=True,
            hint=_shown_to_choosers(programme),
        ),
    ]


def _shown_to_choosers(programme: SignupProgramme) -> str | None:
    """Where mentees choose their mentor, what a mentor writes here is what they see."""
    if programme.matching_mode == MatchingMode.LEAD:
        return None
    return (
        "Mentors: mentees choosing their mentor see the topics you offer, your skills and "
        "what you bring (never your level or line manager)."
    )


def _baseline(programme: SignupProgramme, existing: Participant | None) -> list[Block]:
    """Where the person stands today on each objective, to compare with at the end."""
    baseline = {}
    if existing is not None:
        baseline = {
            r.objective_id: r.rating for r in existing.ratings if r.phase == RatingPhase.BASELINE
        }
    return [
        blocks.input_block(
            f"{BASELINE_PREFIX}{objective.id}",
            f"Today: {objective.title}",
            blocks.static_select(RATING_OPTIONS, initial=baseline.get(objective.id)),
            hint=f"Measure: {objective.measure}",
        )
        for objective in programme.objectives
    ]


def _how_you_work(existing: Participant | None, *, shown: str | None) -> list[Block]:
    return [
        blocks.input_block(
            Field.PERSONALITY,
            "In conversation I am",
            blocks.radio_buttons(
                PERSONALITY_OPTIONS, initial=existing.personality.value if existing else None
            ),
        ),
        blocks.input_block(
            Field.PREFERRED_MEDIUM,
            "I prefer to meet by",
            blocks.static_select(
                MEDIUM_OPTIONS, initial=existing.preferred_medium.value if existing else None
            ),
        ),
        blocks.input_block(
            Field.GOALS,
            "What I bring and hope to get from it",
            blocks.text_input(
                multiline=True, initial=existing.goals if existing else None, max_length=2000
            ),
            hint=shown,
        ),
    ]


def participation_line(item: Participation) -> Mrkdwn:
    words = STATUS_WORDS.get(item.status.value, item.status.value)
    text = mrkdwn(
        "*{programme}*: {role}, {words}",
        programme=item.programme_name,
        role=item.role.value,
        words=words,
    )
    if item.can_edit:
        text += mrkdwn(
            " (you can edit your answers until {deadline:%d %b})",
            deadline=item.enrolment_deadline,
        )
    return text


def status_message(items: list[Participation]) -> list[Block]:
    if not items:
        return [blocks.section("You haven't joined a programme yet. Try `/mentoring join`.")]
    shown = [blocks.section(join("\n", (participation_line(item) for item in items)))]
    editable = [item for item in items if item.can_edit]
    if editable:
        shown.append(
            blocks.actions(
                *[
                    blocks.button(
                        f"Edit answers: {item.programme_name}",
                        keyed(Action.EDIT_SIGNUP, item.programme_id),
                        str(item.programme_id),
                    )
                    for item in editable[:5]
                ]
            )
        )
    return shown


def leave_confirmation(items: list[Participation]) -> list[Block]:
    shown: list[Block] = []
    for item in items[:10]:
        shown.append(
            blocks.section(
                mrkdwn(
                    "Leave *{programme}*? Your answers are kept, "
                    "you won't be matched, and you can sign up again while enrolment is open.",
                    programme=item.programme_name,
                ),
                accessory=blocks.button(
                    "Yes, leave", Action.LEAVE_CONFIRM, str(item.programme_id), style="danger"
                ),
            )
        )
    shown.append(blocks.actions(blocks.button("Keep me in", Action.LEAVE_CANCEL, "cancel")))
    return shown


def signed_up_message(programme: SignupProgramme, *, created: bool) -> Mrkdwn:
    if created:
        return mrkdwn(
            "You're signed up to *{name}*. Thank you! "
            "Enrolment closes on {deadline:%d %b %Y}; we'll message you "
            "when matching is done. Edit your answers any time before then with `/mentoring edit`.",
            name=programme.name,
            deadline=programme.enrolment_deadline,
        )
    return mrkdwn("Your answers for *{name}* are updated.", name=programme.name)
