"""A request parameter, declared once, and the check of a value against it.

The declaration is a JSON Schema: the service validates with it, the API reads
parameters by its name, the OpenAPI description shows it.
"""

import re
from dataclasses import dataclass

from indexer import schema
from indexer.errors import BadQuery

NOT_BLANK = r"\S"  # a JSON Schema pattern: some character that is not white space
# What a value failing each pattern is told.
PATTERN_MESSAGES = {NOT_BLANK: "must not be empty or only white space"}


@dataclass(frozen=True)
class Parameter:
    name: str  # as clients send it
    attribute: str  # of the request object
    schema: dict
    description: str
    beyond: tuple[str, str] | None = None  # (code, message) for a value above its limit


def check(parameter: Parameter, value) -> None:
    """Raise BadQuery unless ``value`` is valid by the parameter's JSON Schema."""
    name, rules = parameter.name, parameter.schema

    def bad(rule: str, message: str, code: str = "invalid_parameter"):
        return BadQuery(code, message, name, rule)

    if rules["type"] == "boolean":
        if not isinstance(value, bool):
            raise bad("boolean", f"{name} must be true or false")
        return
    if rules["type"] == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            raise bad("type", f"{name} must be a whole number")
        low, high = rules["minimum"], rules["maximum"]
        if value > high and parameter.beyond:
            raise bad("maximum", parameter.beyond[1], parameter.beyond[0])
        if not low <= value <= high:
            raise bad("range", f"{name} must be between {low} and {high}")
        return
    if not isinstance(value, str):
        raise bad("type", f"{name} must be a string")
    if len(value) > rules.get("maxLength", len(value)):
        code, message = parameter.beyond
        raise bad("maxLength", message, code)
    # NOTE: a JSON Schema $ ends the text; Python's also matches before a final newline.
    if "pattern" in rules and not re.search(re.sub(r"\$$", r"\\Z", rules["pattern"]), value):
        raise bad("pattern", f"{name} {PATTERN_MESSAGES[rules['pattern']]}")
    if "enum" in rules and value not in rules["enum"]:
        raise bad("enum", f"{name} must be one of: {', '.join(rules['enum'])}")
    if rules.get("format") == "date" and not schema.is_date(value):
        raise bad("format", f"{name} must be a date {schema.DATE_SHAPE}")
