"""What a function does, as data: actions on objects, and the specs that pair them with arguments.

A Spec ("cancel a reservation, given its number, optionally a reason") is written once;
the catalog makes one or more functions of it, each with its own name, argument names
and descriptions, and the generator words requests for it. Verb phrases use {n} for the
object's singular noun and {ns} for its plural.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from data.builtin.concepts import Concept, _words


@dataclass(frozen=True)
class Noun:
    singular: str
    plural: str
    tokens: tuple[str, ...]  # words for function names: "reservation", "booking" (plural ones for list actions)


def noun(singular: str, plural: str = "", tokens: str = "") -> Noun:
    plural = plural or (
        singular[:-1] + "ies"
        if singular.endswith("y") and singular[-2] not in "aeiou"
        else singular + ("es" if singular.endswith(("s", "x", "ch", "sh")) else "s")
    )
    return Noun(singular, plural, _words(tokens) or (singular.replace(" ", "_"),))


@dataclass(frozen=True)
class Action:
    tokens: tuple[str, ...]  # function-name verbs
    verbs: tuple[str, ...]  # imperative phrases for requests
    gist: str  # what refusals say no function can do: "cancel {ns}"
    descriptions: tuple[str, ...]  # function descriptions


def action(tokens, verbs, gist, descriptions) -> Action:
    return Action(_words(tokens), _words(verbs), gist, _words(descriptions))


ACTIONS = {
    "get": action(
        "get|fetch|retrieve|get_details|lookup",
        "get the {n}|look up the {n}|show me the {n}|pull up the {n}|fetch the {n}|find the {n}",
        "look up {ns}",
        "Get one {n}.|Retrieve a {n} and its details.|Returns the {n} with the given identifier.|"
        "Look up a single {n}.|Fetches the details of a {n}.",
    ),
    "list": action(
        "list|get_all|list_all",
        "list my {ns}|show me my {ns}|list the {ns}|show all {ns}|give me the list of {ns}",
        "list {ns}",
        "List {ns}.|Returns a list of {ns}.|List the user's {ns}, newest first.|Lists {ns}, optionally filtered.",
    ),
    "search": action(
        "search|find|query",
        "find {ns}|search for {ns}|look for {ns}|search {ns}",
        "search {ns}",
        "Search {ns}.|Find {ns} matching the given criteria.|Searches for {ns}; returns the best "
        "matches first.|Query the {n} index.",
    ),
    "create": action(
        "create|add|new|make",
        "create a {n}|add a {n}|set up a new {n}|make a new {n}|create a new {n}",
        "create {ns}",
        "Create a new {n}.|Creates a {n} and returns its identifier.|Add a {n}.|Use this to create a {n}.",
    ),
    "update": action(
        "update|edit|modify|change",
        "update the {n}|change the {n}|edit the {n}|modify the {n}",
        "update {ns}",
        "Update an existing {n}.|Change the details of a {n}.|Modifies a {n}; "
        "fields not given keep their value.|Edit a {n}.",
    ),
    "delete": action(
        "delete|remove",
        "delete the {n}|remove the {n}|get rid of the {n}",
        "delete {ns}",
        "Delete a {n}.|Permanently removes a {n}.|Remove a {n}; this cannot be undone.",
    ),
    "cancel": action(
        "cancel|void",
        "cancel the {n}|call off the {n}|cancel my {n}",
        "cancel {ns}",
        "Cancel a {n}.|Cancels an existing {n}.|Cancel a {n} that has not started yet.",
    ),
    "book": action(
        "book|reserve",
        "book a {n}|reserve a {n}|make a {n} booking",
        "book {ns}",
        "Book a {n}.|Reserve a {n}.|Makes a {n} booking and returns a confirmation.",
    ),
    "send": action(
        "send|post|dispatch",
        "send a {n}|send off a {n}|dispatch a {n}",
        "send {ns}",
        "Send a {n}.|Sends a {n} right away.|Deliver a {n} to its recipient.",
    ),
    "track": action(
        "track|trace|get_status",
        "track the {n}|check on the {n}|trace the {n}|check the status of the {n}",
        "track {ns}",
        "Track a {n}.|Returns where a {n} is and its latest status.|Get the current status of a {n}.",
    ),
    "calculate": action(
        "calculate|calc|compute",
        "calculate the {n}|compute the {n}|work out the {n}|figure out the {n}",
        "calculate the {n}",
        "Calculate the {n}.|Computes the {n}.|Returns the {n} for the given values.|Work out the {n} from its inputs.",
    ),
    "convert": action(
        "convert",
        "convert {n}|change {n}",
        "convert {ns}",
        "Convert {n}.|Converts {n} between units.|Convert {n} from one unit to another.",
    ),
    "start": action(
        "start|run|launch",
        "start the {n}|run the {n}|kick off the {n}|launch the {n}",
        "start {ns}",
        "Start a {n}.|Starts a {n} and returns its id.|Launch a {n}.",
    ),
    "stop": action(
        "stop|halt|terminate",
        "stop the {n}|halt the {n}|shut down the {n}",
        "stop {ns}",
        "Stop a {n}.|Stops a running {n}.|Halt a {n} gracefully.",
    ),
    "restart": action(
        "restart|reboot|reload",
        "restart the {n}|reboot the {n}|bounce the {n}",
        "restart {ns}",
        "Restart a {n}.|Restarts a {n} in place.|Stop and start a {n} again.",
    ),
    "set": action(
        "set|configure|adjust",
        "set the {n}|adjust the {n}|configure the {n}",
        "set the {n}",
        "Set the {n}.|Adjusts the {n}.|Configure the {n} to a new value.",
    ),
    "schedule": action(
        "schedule|plan",
        "schedule a {n}|plan a {n}|set up a {n}",
        "schedule {ns}",
        "Schedule a {n}.|Schedules a {n} for later.|Plan a {n} at a given time.",
    ),
    "share": action(
        "share|grant_access",
        "share the {n}|give access to the {n}|share my {n}",
        "share {ns}",
        "Share a {n} with someone.|Grant another person access to a {n}.|Shares a {n}.",
    ),
    "pay": action(
        "pay|settle",
        "pay the {n}|settle the {n}|make a payment for the {n}",
        "pay {ns}",
        "Pay a {n}.|Settles a {n} from the user's account.|Make a payment for a {n}.",
    ),
    "refund": action(
        "refund|reimburse",
        "refund the {n}|issue a refund for the {n}|give me a refund for the {n}",
        "refund {ns}",
        "Refund a {n}.|Issue a refund for a {n}.|Refunds a {n} in full or in part.",
    ),
    "play": action(
        "play|stream",
        "play the {n}|put on the {n}|stream the {n}|play a {n}",
        "play {ns}",
        "Play a {n}.|Starts playback of a {n}.|Stream a {n} on the chosen device.",
    ),
    "translate": action(
        "translate",
        "translate the {n}|translate this {n}",
        "translate {ns}",
        "Translate a {n}.|Translates a {n} into another language.|Returns the {n} translated.",
    ),
    "summarize": action(
        "summarize|summarise|condense",
        "summarize the {n}|give me a summary of the {n}|condense the {n}",
        "summarize {ns}",
        "Summarize a {n}.|Returns a short summary of a {n}.|Condense a {n} into a few sentences.",
    ),
    "check": action(
        "check|verify|validate",
        "check the {n}|verify the {n}|validate the {n}",
        "check {ns}",
        "Check a {n}.|Verifies a {n} and reports problems.|Validate a {n}.",
    ),
    "assign": action(
        "assign|reassign",
        "assign the {n}|hand the {n} over|reassign the {n}",
        "assign {ns}",
        "Assign a {n} to someone.|Assigns a {n} to a person or team.|Reassign a {n}.",
    ),
    "approve": action(
        "approve|accept",
        "approve the {n}|sign off on the {n}|accept the {n}",
        "approve {ns}",
        "Approve a {n}.|Approves a pending {n}.|Accept a {n} that is waiting for review.",
    ),
    "rate": action(
        "rate|review",
        "rate the {n}|leave a rating for the {n}|review the {n}",
        "rate {ns}",
        "Rate a {n}.|Leave a rating for a {n}.|Submit a review of a {n}.",
    ),
    "register": action(
        "register|enroll|sign_up",
        "register for the {n}|sign me up for the {n}|enroll in the {n}",
        "register for {ns}",
        "Register for a {n}.|Enrolls the user in a {n}.|Sign up for a {n}.",
    ),
    "export": action(
        "export|download",
        "export the {n}|download the {n}|give me an export of the {n}",
        "export {ns}",
        "Export a {n}.|Exports a {n} as a file.|Download a {n} in the chosen format.",
    ),
    "find": action(
        "find|locate|search",
        "find a {n}|locate a {n}|look for a {n}",
        "find {ns}",
        "Find a {n}.|Finds {ns} near a place.|Locate a {n} matching the request.",
    ),
}

_AN = re.compile(r"\ba ((?!u[nst][aeiou]|use|uni|one)[aeiou]|hour|honest)", re.IGNORECASE)


def articles(text: str) -> str:
    """'a order' -> 'an order' (but 'a user', 'a unit')."""
    return _AN.sub(lambda m: "an " + m.group(1), text)


@dataclass(frozen=True)
class Spec:
    action: str
    obj: Noun
    required: tuple[Concept, ...]
    optional: tuple[Concept, ...] = ()
    vps: tuple[str, ...] = ()  # imperative verb phrases ("{}": the first required value); else the action's
    questions: tuple[str, ...] = ()  # request as a question: "what's the weather" (+ clauses + "?")
    gist: str = ""  # refusals: "none of the functions can {gist}"; descriptions use it too
    variants: int = 2  # how many differently written functions the catalog makes of it

    def verb_phrases(self) -> tuple[str, ...]:
        return self.vps or self.default_verb_phrases()

    def default_verb_phrases(self) -> tuple[str, ...]:
        return tuple(articles(v.format(n=self.obj.singular, ns=self.obj.plural)) for v in ACTIONS[self.action].verbs)

    def refusal_gist(self) -> str:
        return self.gist or articles(ACTIONS[self.action].gist.format(n=self.obj.singular, ns=self.obj.plural))


def spec(action_: str, obj: Noun, required=(), optional=(), vp="", q="", gist="", variants=2) -> Spec:
    assert action_ in ACTIONS, action_
    return Spec(action_, obj, tuple(required), tuple(optional), _words(vp), _words(q), gist, variants)


@dataclass(frozen=True)
class Domain:
    key: str
    tokens: tuple[str, ...]  # namespace words for function names: "shipping", "logistics"
    specs: tuple[Spec, ...]


def domain(key: str, tokens: str, *specs: Spec) -> Domain:
    return Domain(key, _words(tokens), specs)
