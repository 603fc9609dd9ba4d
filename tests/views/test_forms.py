"""The shared form pieces and element builders that several views use."""

from __future__ import annotations

from datetime import date

from bot.ids import Action, Field
from bot.views.blocks import button, checkboxes, confirmed, date_picker, option, radio_buttons
from bot.views.forms import MEDIUM_LABELS, MEDIUM_OPTIONS, one_of, programme_picker, which_one


def test_one_of_asks_only_when_there_are_several() -> None:
    assert one_of(Field.PAIR, "Which pair", []) == ([], "")
    assert one_of(Field.PAIR, "Which pair", [option("A", "7")]) == ([], "7")
    blocks, metadata = programme_picker([(1, "A"), (2, "B")])
    assert metadata == ""
    assert [b["block_id"] for b in blocks] == [Field.PROGRAMME]
    assert [o["value"] for o in blocks[0]["element"]["options"]] == ["1", "2"]


def test_which_one_offers_the_first_five_keyed_by_id() -> None:
    blocks = which_one("Which one?", Action.LOG_SESSION, ((f"With {n}", n) for n in range(9)))
    buttons = blocks[1]["elements"]
    assert [b["value"] for b in buttons] == ["0", "1", "2", "3", "4"]
    assert buttons[0]["action_id"] == f"{Action.LOG_SESSION.value}:0"


def test_medium_options_follow_the_labels() -> None:
    assert [(o["text"]["text"], o["value"]) for o in MEDIUM_OPTIONS] == [
        (label, medium.value) for medium, label in MEDIUM_LABELS.items()
    ]


def test_elements_set_initial_values_only_when_given() -> None:
    choices = [option("A", "a"), option("B", "b")]
    assert "initial_options" not in checkboxes(choices)
    assert checkboxes(choices, chosen=choices[1:])["initial_options"] == choices[1:]
    assert "initial_option" not in radio_buttons(choices, initial="z")
    assert radio_buttons(choices, initial="b")["initial_option"] == choices[1]
    assert date_picker() == {"type": "datepicker"}
    assert date_picker(date(2026, 1, 5))["initial_date"] == "2026-01-05"


def test_confirmed_puts_the_dialog_on_the_element() -> None:
    element = confirmed(
        button("End", "end", "1"), title="Sure?", text="Really.", confirm="Yes", deny="No"
    )
    assert element["action_id"] == "end"
    assert [element["confirm"][k]["text"] for k in ("title", "text", "confirm", "deny")] == [
        "Sure?",
        "Really.",
        "Yes",
        "No",
    ]
