"""The preparation tracks every new programme starts with: a few short lessons for each side,
from sign-up to the first session. They are ordinary resources of the library, so leads edit,
reorder or remove them like any other. Plain values; no Slack."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.models import Programme, Resource


@dataclass(frozen=True)
class StarterLesson:
    lesson: int  # its place in the track of its audience
    audience: str  # mentors, mentees or both
    title: str
    body: str
    topic: str = "Preparation"


STARTER_LESSONS = (
    StarterLesson(
        1,
        "both",
        "Our ground rules, and why they matter",
        "You accepted the programme's ground rules when you signed up. They are what makes "
        "this work:\n"
        "• What you discuss stays between the two of you. The programme's leads see that a "
        "session happened, never what was said.\n"
        "• The usual hierarchy is switched off. In your sessions the mentor leads and the "
        "mentee listens first, whatever your grades.\n"
        "• Sessions are kept, or moved in good time. A cancelled session tells the other "
        "person they matter less than a meeting.\n"
        "Before your first session, think of one thing you would find hard to say, and how "
        "these rules make it easier to say it.",
    ),
    StarterLesson(
        2,
        "mentors",
        "GROW: a simple shape for your sessions",
        "You are the mentor, so you hold the shape of the conversation. GROW keeps it "
        "useful without making it stiff:\n"
        "• Goal: what does your mentee want from today? Ask, and write it down.\n"
        "• Reality: where are things now, honestly? Ask for an example, not an opinion.\n"
        "• Options: what could they try? Offer what you and people your age actually do.\n"
        "• Will: what will each of you do before you next meet? One small action each.\n"
        "You can log your GROW notes with each session; only the two of you see them.",
    ),
    StarterLesson(
        3,
        "mentors",
        "Your experience is the expertise",
        "Executives join this programme to learn what they cannot see from where they sit. "
        "You do not need to be an expert on every tool or trend: your daily experience of "
        "the organisation, of technology and of the world of work is the point.\n"
        "• Show, don't describe: open the app, the feed, the tool, and let them try it.\n"
        "• Say when something the organisation does lands badly with people like you. Be "
        "specific and kind; that is what they came for.\n"
        "• If a question is beyond you, say so, and find out together.",
    ),
    StarterLesson(
        2,
        "mentees",
        "Listening first",
        "In reverse mentoring the junior colleague leads. The hardest part for most "
        "executives is not talking:\n"
        "• Let your mentor finish, then wait a beat before you answer.\n"
        "• Ask “what makes you say that?” before you explain why it is the way it is.\n"
        "• Resist fixing. If you hear a problem, thank them and note it; act on it later, "
        "outside the session.\n"
        "• Try what they show you, in the session, on your own device.",
    ),
    StarterLesson(
        3,
        "mentees",
        "Asking for candour",
        "Your mentor reports, somewhere, to people like you. They will be polite unless you "
        "make it safe not to be:\n"
        "• Say plainly that you want the unvarnished view, and that nothing they say will "
        "travel.\n"
        "• Ask for the uncomfortable version: “what do people your age say about us that we "
        "never hear?”\n"
        "• When they are candid, thank them, and never argue the point in the moment.\n"
        "• Keep the confidentiality you promised: candour stops the first time it leaks.",
    ),
    StarterLesson(
        4,
        "both",
        "What a good first session looks like",
        "The first session sets the tone for the rest. An hour is plenty:\n"
        "• Ten minutes each on who you are, outside your job titles.\n"
        "• What each of you hopes to get from the programme; the goals you wrote at sign-up "
        "are a good start.\n"
        "• Agree how you will work: how often you meet, in person or on video, who books "
        "the sessions. The bot's agreement form holds it for you.\n"
        "• Pick one topic to start with, and end with one small action each.\n"
        "Afterwards, log the session, so the programme knows you are under way.",
    ),
)


def starter_track(programme: Programme, *, lead_id: str, now: datetime) -> list[Resource]:
    """The starter lessons as resources of the programme, to add with it."""
    return [
        Resource(
            programme_id=programme.id,
            title=lesson.title,
            url=None,
            body=lesson.body,
            audience=lesson.audience,
            topic=lesson.topic,
            lesson=lesson.lesson,
            created_by=lead_id,
            created_at=now,
            updated_at=now,
        )
        for lesson in STARTER_LESSONS
    ]
