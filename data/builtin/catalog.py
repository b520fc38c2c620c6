"""The builtin function catalog, composed from specs: hundreds of functions written by us.

Each Spec (actions.py; domains in seen.py and unseen.py) becomes `variants` functions, each
with its own name style (track_shipment, trackShipment, shipping.track_shipment,
TrackShipment, ...), argument names drawn from the concepts' synonyms and styled to
match, its own descriptions, enum subsets, bounds and defaults. A model therefore cannot
learn a function by heart: it has to read the offered schema.

HELD_OUT names every function of the unseen domains: they appear only in the test split.
One random.Random(CATALOG_SEED) drives the composition; nothing iterates over a set.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from data.builtin.actions import ACTIONS, Domain, Spec, articles
from data.builtin.concepts import Concept
from data.builtin.seen import SEEN_DOMAINS
from data.builtin.unseen import UNSEEN_DOMAINS
from data.schema import Function, Param

CATALOG_SEED = 13
STYLES = ("snake", "camel", "dotted", "namespace", "pascal", "prefixed", "object_first")
CAMEL_STYLES = ("camel", "pascal")
MAX_OPTIONAL = 4
SUFFIXES = (
    "",
    "",
    "",
    " Returns the result as JSON.",
    " Requires the user to be signed in.",
    " The user must confirm first.",
    " Times are in the user's time zone.",
)

# Functions that could each serve the other's requests: near-miss rows never offer one for the other.
ALIKE = (
    ("shopping/track/order", "shopping/get/order", "shopping/cancel/order"),
    ("weather/get/current conditions", "weather/get/forecast", "weather/get/weather at coordinates"),
    ("banking/get/account balance", "banking/list/transaction", "banking/export/statement"),
    ("calendar/list/event", "calendar/find/free slot"),
    (
        "knowledge/search/web page",
        "knowledge/search/news article",
        "knowledge/get/encyclopedia article",
        "knowledge/search/research paper",
    ),
    ("media/play/song", "media/play/artist", "media/update/playlist"),
    ("messaging/send/email", "messaging/schedule/email", "messaging/send/reply"),
    ("social/create/post", "social/schedule/post"),
    ("maps/get/route", "maps/calculate/travel time"),
    ("support/get/ticket", "support/search/ticket", "support/update/ticket status"),
    ("projects/update/task", "projects/assign/task", "projects/update/sprint plan"),
    ("hr/get/employee profile", "hr/search/employee"),
    ("files/list/file", "files/search/file"),
    ("math/calculate/compound interest", "math/calculate/monthly loan payment"),
    ("math/calculate/area of a circle", "math/calculate/rectangle area"),
    ("math/calculate/standard deviation", "math/calculate/mean"),
    ("sports/get/match result", "sports/list/fixture"),
    ("museum/book/guided tour", "museum/book/admission"),
    ("calendar/create/calendar event", "calendar/create/reminder"),
    ("health/create/medication reminder", "health/check/prescription refill"),
)


@dataclass(frozen=True)
class Plan:
    """How the generator uses a function: its spec, and which concept each argument stands for."""

    function: Function
    spec: Spec
    domain: str
    family: str  # "domain/action/object": the variants of one spec share it
    concepts: dict  # argument name -> Concept
    unseen: bool


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[\s_\-]+", name.lower()) if w]


def _style(words: list[str], camel: bool) -> str:
    if camel:
        return words[0] + "".join(w.capitalize() for w in words[1:])
    return "_".join(words)


def _function_name(style: str, act: str, obj: str, dom: str) -> str:
    a, o = _words(act), _words(obj)
    if style == "snake":
        return "_".join(a + o)
    if style == "camel":
        return _style(a + o, camel=True)
    if style == "dotted":
        return f"{dom}.{'_'.join(a + o)}"
    if style == "namespace":
        return f"{'_'.join(o)}.{'_'.join(a)}"
    if style == "pascal":
        return "".join(w.capitalize() for w in a + o)
    if style == "prefixed":
        return "_".join([dom] + a + o)
    return "_".join(o + a)  # object_first


def _description(spec: Spec, rng: random.Random) -> str:
    if spec.gist and rng.random() < 0.7:  # objects like "bill split" read badly in the generic forms
        gist = spec.gist[0].upper() + spec.gist[1:]
        text = rng.choice((f"{gist}.", f"Use this to {spec.gist}.", f"{gist} for the user."))
    else:
        text = articles(rng.choice(ACTIONS[spec.action].descriptions).format(n=spec.obj.singular, ns=spec.obj.plural))
    text += rng.choice(SUFFIXES)
    if rng.random() < 0.15:  # some authors write terse, lower-case descriptions without a full stop
        text = text[0].lower() + text[1:].rstrip(".")
    return text


def _argument_description(c: Concept, rng: random.Random) -> str:
    noun = c.noun
    if c.descriptions and rng.random() < 0.5:
        return rng.choice(c.descriptions)
    forms = [f"The {noun}.", f"{noun[0].upper()}{noun[1:]}.", f"{noun[0].upper()}{noun[1:]}"]
    if c.hint:
        forms += [f"The {noun}, {c.hint}.", f"{noun[0].upper()}{noun[1:]} ({c.hint})", f"{noun} in {c.hint} format"]
    if c.type == "array":
        forms += [f"List of {noun}.", f"One or more {noun}."]
    return rng.choice(forms)


def _schema(c: Concept, rng: random.Random, camel: bool, required: bool) -> dict:
    schema = {"type": "string" if c.enum else c.type, "description": _argument_description(c, rng)}
    if c.enum:
        k = rng.randint(min(3, len(c.enum)), len(c.enum))
        keep = sorted(rng.sample(range(len(c.enum)), k))
        schema["enum"] = [c.enum[i] for i in keep]
        if rng.random() < 0.25:
            schema["description"] = schema["description"].rstrip(".") + ". One of: " + ", ".join(schema["enum"]) + "."
    if c.type == "integer" and c.bounds and rng.random() < 0.4:
        schema["minimum"], schema["maximum"] = c.bounds
    if c.type == "array" and c.props:
        schema["items"] = _object_schema(c.props, rng, camel)
    elif c.type == "array":
        schema["items"] = {"type": c.items}
    if c.type == "object":
        schema.update(_object_schema(c.props, rng, camel, with_type=False))
    if not required and rng.random() < 0.6:
        candidates = [d for d in c.default if not c.enum or d in schema["enum"]]
        if candidates:
            schema["default"] = rng.choice(candidates)
            if rng.random() < 0.3:
                schema["description"] = schema["description"].rstrip(".") + f". Defaults to {schema['default']}."
    return schema


def _object_schema(props: tuple[Concept, ...], rng: random.Random, camel: bool, with_type=True) -> dict:
    properties = {}
    for p in props:
        properties[_style(_words(rng.choice(p.names)), camel)] = _schema(p, rng, camel, required=True)
    out = {"type": "object"} if with_type else {}
    return {**out, "properties": properties, "required": list(properties)}


def _make(spec: Spec, dom: Domain, style: str, rng: random.Random, taken: set, drop_optional: bool) -> tuple:
    act = rng.choice(ACTIONS[spec.action].tokens)
    for _ in range(50):
        name = _function_name(style, act, rng.choice(spec.obj.tokens), rng.choice(dom.tokens))
        if name not in taken:
            break
        act = rng.choice(ACTIONS[spec.action].tokens)
    else:
        raise RuntimeError(f"catalog: no free name for {dom.key}/{spec.action}/{spec.obj.singular} in style {style}")
    camel = style in CAMEL_STYLES and rng.random() < 0.8
    optional = [c for c in spec.optional if not (drop_optional and rng.random() < 0.3)]
    if len(optional) > MAX_OPTIONAL:  # long argument lists cost tokens in every row that offers the function
        optional = [optional[i] for i in sorted(rng.sample(range(len(optional)), MAX_OPTIONAL))]
    concepts = [(c, True) for c in spec.required] + [(c, False) for c in optional]
    if rng.random() < 0.3:  # not every author lists the required arguments first
        rng.shuffle(concepts)
    params, by_name = [], {}
    for c, required in concepts:
        names = [_style(_words(n), camel) for n in c.names]
        free = [n for n in names if n not in by_name]
        arg = rng.choice(free)
        params.append(Param(arg, _schema(c, rng, camel, required), required))
        by_name[arg] = c
    return Function(name, _description(spec, rng), tuple(params)), by_name


def build(domains: tuple[Domain, ...], unseen: bool, rng: random.Random, taken: set) -> list[Plan]:
    plans = []
    for dom in domains:
        for spec in dom.specs:
            family = f"{dom.key}/{spec.action}/{spec.obj.singular}"
            for i, style in enumerate(rng.sample(STYLES, spec.variants)):
                fn, concepts = _make(spec, dom, style, rng, taken, drop_optional=i > 0)
                taken.add(fn.name)
                plans.append(Plan(fn, spec, dom.key, family, concepts, unseen))
    return plans


def _catalog() -> list[Plan]:
    rng, taken = random.Random(CATALOG_SEED), set()
    return build(SEEN_DOMAINS, False, rng, taken) + build(UNSEEN_DOMAINS, True, rng, taken)


PLANS: list[Plan] = _catalog()
PLAN_OF: dict[str, Plan] = {p.function.name: p for p in PLANS}
FUNCTIONS: list[Function] = [p.function for p in PLANS]
BY_NAME: dict[str, Function] = {f.name: f for f in FUNCTIONS}
DOMAIN_OF: dict[str, str] = {p.function.name: p.domain for p in PLANS}
DOMAINS: dict[str, list[Function]] = {}
for _p in PLANS:
    DOMAINS.setdefault(_p.domain, []).append(_p.function)
HELD_OUT: tuple[str, ...] = tuple(p.function.name for p in PLANS if p.unseen)
ALIKE_OF: dict[str, set] = {}
for _group in ALIKE:
    for _family in _group:
        assert any(p.family == _family for p in PLANS), f"ALIKE names an unknown family {_family!r}"
        ALIKE_OF.setdefault(_family, set()).update(_group)
