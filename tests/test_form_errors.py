"""How a form's route tells a check's errors from its result."""

from bot.services.programme_rules import FormErrors
from bot.slack.routing import FieldErrors, errors_in


def test_field_errors_form_errors_and_plain_dicts_are_errors() -> None:
    assert errors_in(FieldErrors({"name": "Too long."})) == {"name": "Too long."}
    assert errors_in(FormErrors({"name": "Taken."})) == {"name": "Taken."}
    assert errors_in({"channel": "Pick a channel."}) == {"channel": "Pick a channel."}


def test_any_other_value_is_the_checked_result() -> None:
    assert errors_in((1, "C1")) is None
    assert errors_in("Spring cohort") is None
    assert errors_in(True) is None
