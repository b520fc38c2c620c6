"""How requests, questions and refusals are worded.

A request is a frame around a verb phrase (or a question) and the values it gives. Values
come inline ("in Lisbon for 3 nights"), as a "label: value" list, or one of them in a
sentence of its own, in any order. Frames are split in two: SEEN frames for train,
validation and seen test rows, UNSEEN frames only for rows of held-out functions, so the
unseen half of the test split is worded in ways training never saw.
"""

from __future__ import annotations

import random

from data.builtin.concepts import Concept

# {vp}: verb phrase ("book a table"); {args}: inline clauses; {labels}: "label: value" list; {q}: a question.
SEEN = {
    "inline": (
        "{Vp} {args}.",
        "Please {vp} {args}.",
        "Can you {vp} {args}?",
        "Could you {vp} {args}, please?",
        "I'd like you to {vp} {args}.",
        "Hey, {vp} {args}.",
        "{Vp} {args}, thanks.",
        "I need you to {vp} {args}.",
        "{vp} {args}",
        "Quick one: {vp} {args}.",
        "{Vp} {args} please.",
    ),
    "labels": ("{Vp}. {labels}.", "{Vp} with these details - {labels}.", "{Vp}: {labels}", "Please {vp}. {labels}."),
    "question": ("{Q} {args}?", "Quick question: {q} {args}?", "Hi, {q} {args}?"),
    "bare": ("{Vp}.", "Please {vp}.", "Can you {vp}?", "{vp}"),
}
UNSEEN = {
    "inline": (
        "Go ahead and {vp} {args}.",
        "Would you {vp} {args}?",
        "Let's {vp} {args}.",
        "Time to {vp} {args}.",
        "{Vp} {args} for me.",
        "Kindly {vp} {args}.",
        "Right, {vp} {args}.",
    ),
    "labels": ("Details - {labels}. {Vp}.", "{Vp} using {labels}.", "Here's what I have: {labels}. Please {vp}."),
    "question": ("Any idea {q} {args}?", "{Q} {args}, do you know?", "So, {q} {args}?"),
    "bare": ("Go ahead and {vp}.", "Would you {vp}?", "Let's {vp}."),
}

PREFIXES = ("Hi! ", "Hello. ", "Morning! ", "Sorry to bother you. ", "OK, ", "Hey there. ")
SUFFIXES = (" Thanks!", " Thank you.", " Cheers.", " Appreciate it.")

# Answers that do not call start alike ("I need", "I can't"): with greedy decoding the first token decides
# between a call and text, and text split over many openers loses to "{" even when text is the likelier.
ASK_ONE = (
    "I need the {a} to do that. What is it?",
    "I need to know the {a}. What is it?",
    "I need the {a} first: what should it be?",
    "I need one more detail: what is the {a}?",
)
ASK_TWO = (
    "I need the {a} and the {b} to do that. What are they?",
    "I need two more details: what are the {a} and the {b}?",
)
REFUSALS = (
    "I can't {gist}: none of the available functions does that.",
    "I can't {gist} with the functions available here.",
    "I can't do that here, since none of the available functions can {gist}.",
)


def frame(style: str, unseen: bool, rng: random.Random) -> str:
    return rng.choice((UNSEEN if unseen else SEEN)[style])


def fill(template: str, vp: str = "", q: str = "", args: str = "", labels: str = "") -> str:
    if ". {labels}" in template:  # the list starts a sentence
        labels = _cap(labels)
    out = template.format(vp=vp, Vp=_cap(vp), q=q, Q=_cap(q), args=args, labels=labels)
    out = " ".join(out.split()).replace(" ,", ",").replace(" .", ".").replace(" ?", "?").replace(" :", ":")
    return out.replace("..", ".").replace("?.", "?")


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def show(c: Concept, value, schema: dict, rng: random.Random) -> str:
    """The value as a user writes it: an enum value perhaps in another case, a list with "and"."""
    if c.enum:
        return _enum_as_said(value, rng)
    if c.type == "array" and c.props:  # each item as its phrase words it: "2 x SKU-123"
        return _join([rng.choice(c.says).format(*_fields(c.props, item, schema["items"], rng)) for item in value], rng)
    if c.type == "array":
        return _join([str(v) for v in value], rng)
    if c.type == "object":
        fields = _fields(c.props, value, schema, rng)
        return c.bare.format(*fields) if c.bare else ", ".join(fields)
    if c.type in ("integer", "number") and abs(value) >= 10000 and rng.random() < 0.4:
        return f"{value:,}"  # 250,000 in the prompt is 250000 in the call
    return str(value)


def _fields(props: tuple[Concept, ...], value: dict, schema: dict, rng: random.Random) -> list[str]:
    return [show(p, value[name], schema["properties"][name], rng) for p, name in zip(props, schema["properties"])]


def _enum_as_said(value: str, rng: random.Random) -> str:
    # Users do not write enum values as the schema does; the call must still use the schema's spelling.
    r = rng.random()
    if r < 0.55:
        return value
    if r < 0.7 and "_" in value:
        return value.replace("_", " ")
    if r < 0.85:
        return value.lower() if value != value.lower() else value.upper()
    return value.capitalize() if value != value.capitalize() else value.lower()


def _join(words: list[str], rng: random.Random) -> str:
    if len(words) == 1:
        return words[0]
    if rng.random() < 0.7:
        return ", ".join(words[:-1]) + " and " + words[-1]
    return ", ".join(words)


def bare(c: Concept, value, schema: dict, rng: random.Random) -> str:
    """The value right after a verb phrase: "book a berth for Sea Breeze"; quoted where its phrases always quote it."""
    shown = show(c, value, schema, rng)
    return f'"{shown}"' if c.says and all('"' in s for s in c.says) else shown


def clause(c: Concept, value, schema: dict, rng: random.Random) -> str:
    """The value inside a phrase of its own: "for 3 nights", "to 12 Baker Street, Leeds LS1 4AP"."""
    if c.type == "boolean":
        return rng.choice(c.says if value else c.says_false)
    if c.type == "object":
        return rng.choice(c.says).format(*_fields(c.props, value, schema, rng))
    if c.type == "array" and c.props:
        return show(c, value, schema, rng)
    return rng.choice(c.says).format(show(c, value, schema, rng))


def label(c: Concept, value, schema: dict, rng: random.Random) -> str:
    """The value after its name: "nights: 3", "check-in date 2025-03-14"."""
    if c.type == "boolean":
        return f"{c.noun}: {rng.choice(('yes', 'true')) if value else rng.choice(('no', 'false'))}"
    return f"{c.noun}{rng.choice((': ', ': ', ' '))}{show(c, value, schema, rng)}"


def ask(nouns: list[str], rng: random.Random) -> str:
    if len(nouns) == 1:
        return rng.choice(ASK_ONE).format(a=nouns[0])
    return rng.choice(ASK_TWO).format(a=nouns[0], b=nouns[1])


def refuse(gist: str, rng: random.Random) -> str:
    return rng.choice(REFUSALS).format(gist=gist)
