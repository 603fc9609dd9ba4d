"""A synthetic workspace for the sandbox: people across departments, grades and time zones."""

from __future__ import annotations

import random
from dataclasses import dataclass

from bot.sandbox.double import Channel, User, Workspace

DEPARTMENTS = ("Marketing", "Finance", "Engineering", "Sales", "Operations", "People", "Legal")
TIME_ZONES = (
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "Asia/Singapore",
    "Australia/Sydney",
)
FIRST = [
    "Ada",
    "Bea",
    "Cal",
    "Dev",
    "Eli",
    "Fay",
    "Gus",
    "Hal",
    "Ivy",
    "Jon",
    "Kai",
    "Lea",
    "Max",
    "Noa",
    "Oli",
    "Pia",
    "Raj",
    "Sam",
    "Tia",
    "Uma",
    "Vic",
    "Wes",
    "Xia",
    "Yan",
    "Zoe",
    "Amir",
    "Bo",
    "Cleo",
    "Dara",
    "Emil",
    "Fern",
    "Gil",
    "Hana",
    "Ines",
    "Jude",
    "Kofi",
    "Lina",
    "Milo",
    "Nia",
    "Omar",
]
LAST = [
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "Silva",
    "Novak",
    "Haddad",
    "Byrne",
    "Kowalski",
    "Mensah",
    "Ito",
    "Reyes",
    "Fischer",
    "Osei",
    "Duarte",
    "Quinn",
]
GRADE_FOR_ROLE = {"mentor": (1, 2, 3), "mentee": (5, 6, 7)}

TEAM_ID = "T0DEMO"
BOT_USER_ID = "U0BOT"
LEAD_ID = "U0LEAD"
# The programme's executive sponsor: not a participant, not a lead.
SPONSOR_ID = "U0SPONSOR"
ANNOUNCE_CHANNEL = "C0GENERAL"
# A private channel the bot is not in: the lead announces there first, by mistake, on purpose.
PRIVATE_CHANNEL = "C0PRIVATE"


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    department: str
    grade_level: int
    intended_role: str  # what they will sign up as
    manager_id: str | None
    tz: str


def build_workspace(
    *, people: int, bot_token: str, scopes: set[str], seed: int = 7
) -> tuple[Workspace, list[Person]]:
    """A workspace with a programme lead, an executive sponsor and `people` employees: juniors
    and executives."""
    rng = random.Random(seed)
    workspace = Workspace(
        team_id=TEAM_ID,
        team_name="Northwind",
        domain="northwind",
        bot_user_id=BOT_USER_ID,
        bot_id="B0BOT",
        app_id="A0MENTOR",
        bot_token=bot_token,
        bot_scopes=set(scopes),
        bot_name="reverse-mentoring",
    )
    workspace.add_user(
        User(id=LEAD_ID, name="lee.lead", real_name="Lee Harper (L&D)", tz="Europe/London")
    )
    workspace.add_user(
        User(id=SPONSOR_ID, name="sasha.grant", real_name="Sasha Grant (COO)", tz="Europe/London")
    )
    cast: list[Person] = []
    executives: dict[str, str] = {}
    for index in range(people):
        role = "mentee" if index % 3 == 0 else "mentor"
        department = DEPARTMENTS[index % len(DEPARTMENTS)]
        first, last = FIRST[index % len(FIRST)], LAST[(index * 7) % len(LAST)]
        user_id = f"U{index + 1:04d}"
        tz = rng.choice(TIME_ZONES)
        grade = rng.choice(GRADE_FOR_ROLE[role])
        manager = executives.get(department) if role == "mentor" else None
        if role == "mentee":
            executives.setdefault(department, user_id)
        workspace.add_user(
            User(
                id=user_id,
                name=f"{first.lower()}.{last.lower()}",
                real_name=f"{first} {last}",
                display_name=first,
                tz=tz,
                is_admin=index == 0,
            )
        )
        cast.append(Person(user_id, f"{first} {last}", department, grade, role, manager, tz))
    members = {BOT_USER_ID, LEAD_ID, *(p.user_id for p in cast)}
    workspace.add_channel(
        Channel(id=ANNOUNCE_CHANNEL, name="general", is_general=True, members=members)
    )
    workspace.add_channel(
        Channel(id=PRIVATE_CHANNEL, name="leadership-private", is_private=True, members={LEAD_ID})
    )
    return workspace, cast
