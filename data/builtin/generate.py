"""Deterministic generator of the builtin dataset.

Row kinds (meta["kind"], what evaluation reads) and, for text answers, what they teach:
  call        a request every required value of which is in the prompt: one call, values copied exactly
  ask         a request missing a required value: a question naming it, no call
  no_call     answered in text, no call; meta["subkind"] says why:
                general     general knowledge, arithmetic, chit-chat, with unrelated functions offered
                near_miss   a request for a function that is not offered, beside others of its domain
                off_domain  a request for a function that is not offered, beside others of other domains

Training rows come in groups that offer the same functions: a row of any kind, then other
requests against the same list (calls of its functions, asks, requests none of them fits,
general questions), kind by kind as the shares allow. The model sees one list answered
several ways, and a trainer that shares the prompt prefix (train/data.py) computes the list
once for the group. Test and validation rows stand alone, each with its own list.

Each split has its own random stream, seeded from SEED and its name, and test is made first:
how training rows are made never changes the test rows, and no training prompt repeats a
test one. Nothing iterates over a set or calls hash(), so every call returns the same rows
whatever PYTHONHASHSEED is.
"""

from __future__ import annotations

import random
from typing import NamedTuple

from data.builtin import no_call, phrasings
from data.builtin.catalog import ALIKE_OF, PLAN_OF, PLANS, Plan
from data.render import render_functions
from data.schema import Call, Example, Param

SEED = 0
SIZES = {"train": 6000, "validation": 300, "test": 600}
# Shares of each split by subkind ("call" and "ask" are their own kinds).
SHARES = {
    "train": {"call": 0.50, "ask": 0.15, "general": 0.10, "near_miss": 0.13, "off_domain": 0.12},
    "test": {"call": 0.50, "ask": 0.20, "general": 0.10, "near_miss": 0.10, "off_domain": 0.10},
}
SHARES["validation"] = SHARES["train"]
GROUP = {"train": 4, "validation": 1, "test": 1}  # rows offered the same functions, one after another
KIND_OF = {"call": "call", "ask": "ask", "general": "no_call", "near_miss": "no_call", "off_domain": "no_call"}
OFFERED = (0.30, 0.35, 0.25, 0.10)  # chance of offering 1, 2, 3 or 4 functions with a call or ask row
REFUSAL_OFFERED = (0.40, 0.40, 0.20)  # 1, 2 or 3 functions with a text row
SAME_DOMAIN = 0.5  # chance a distractor comes from the target's domain: the harder case
OPTIONAL_GIVEN = 0.5  # chance each optional argument is mentioned (and so in the call)
STYLE_WEIGHTS = {"inline": 0.6, "labels": 0.2, "question": 0.2}
# Distractors stop before the offered functions' metadata passes this many characters (about 4 per
# token with SmolLM2's tokenizer): rows stay well inside max_length, and training time is bound by tokens.
FUNCTION_CHARS = 2600
DECORATE = 0.2
MAX_TRIES = 200
SIBLING_TRIES = 20  # fresh prompts tried for a later row of a group before the next kind is


def generate(ask_twins: bool = False) -> dict[str, list[Example]]:
    """With `ask_twins`, an ask row after a call in its group is that call's request with one or two
    required values left out: the nearest contrast between calling and asking. It pays with enough
    training steps and trades calls for asking with few (docs/benchmarks.md). Only groups have a
    call before an ask row, so test and validation rows are the same either way."""
    owner: dict[str, str] = {}  # normalised prompt -> the split that used it; no prompt is in two splits
    made = {
        s: _split(s, SIZES[s], random.Random(f"{SEED}/{s}"), owner, ask_twins) for s in ("test", "validation", "train")
    }
    return {split: made[split] for split in SIZES}


def normalise(text: str) -> str:
    return " ".join(text.lower().split())


def _pools(unseen: bool) -> dict[str, list[Plan]]:
    """The families (domain/action/object) of seen or held-out functions, each with its variants."""
    families: dict[str, list[Plan]] = {}
    for p in PLANS:
        if p.unseen == unseen:
            families.setdefault(p.family, []).append(p)
    return families


FAMILIES = {False: _pools(False), True: _pools(True)}


def _split(split: str, size: int, rng: random.Random, owner: dict[str, str], ask_twins: bool) -> list[Example]:
    test = split == "test"
    counts = {k: round(size * s) for k, s in SHARES[split].items()}
    counts["call"] += size - sum(counts.values())
    subkinds = [k for k, n in counts.items() for _ in range(n)]
    rng.shuffle(subkinds)
    rows: list[Example] = []
    offered, in_group, call = None, 0, None  # the group's functions, its rows so far, its last call's request
    while subkinds:
        i = len(rows)
        if in_group == GROUP[split]:
            offered, in_group, call = None, 0, None
        k, made, unseen = _next_row(split, subkinds, test and i % 2 == 0, rng, owner, offered, call)
        if made is None:  # no kind left fits the group's functions: start a new group
            offered, in_group, call = None, 0, None
            continue
        sub = subkinds.pop(k)
        ex, meta, request = made
        call = (request or call) if ask_twins else None
        owner[normalise(ex.user)] = split
        ex.meta = {"id": f"builtin-{split}-{i + 1:05d}", "source": "builtin", "kind": KIND_OF[sub], **meta}
        if test:
            ex.meta["unseen"] = unseen
        rows.append(ex)
        offered, in_group = ex.functions, in_group + 1
    return rows


def _next_row(split: str, subkinds: list[str], held_out_turn: bool, rng, owner, offered, call):
    """(index of the kind taken, (row, meta, request) or None, whether the row is about a held-out function).

    A group's first row takes the next kind; a later one, the first kind left that its functions
    allow. In test, every other row about a function is about a held-out one (`held_out_turn`):
    plenty of both."""
    for k, sub in enumerate(subkinds if offered is not None else subkinds[:1]):
        unseen = held_out_turn and sub != "general"
        made = _fresh(split, sub, unseen, rng, owner, offered, call)
        if made is not None:
            return k, made, unseen
    return 0, None, False


def _fresh(split: str, sub: str, unseen: bool, rng: random.Random, owner: dict[str, str], offered, call):
    """A row of kind `sub` whose prompt no split has used, offering `offered` if given; None if none comes."""
    for _ in range(MAX_TRIES if offered is None else SIBLING_TRIES):
        made = _make(sub, unseen, rng, offered, call)
        if made is None:
            return None  # the offered functions rule this kind out
        if normalise(made[0].user) not in owner:
            return made
    if offered is None:
        raise RuntimeError(f"builtin: no fresh {sub} row for {split} after {MAX_TRIES} tries")
    return None


class Request(NamedTuple):
    """What a call row asked for, which an ask twin later in its group repeats short of some values."""

    plan: Plan
    values: dict
    given: list[Param]


def _make(sub: str, unseen: bool, rng: random.Random, offered: list | None = None, call: Request | None = None):
    """(row, meta, its Request if a call) of kind `sub`; with `offered`, one that offers those functions,
    or None if they rule the kind out. With `call`, an ask row is that request's twin (generate())."""
    families = FAMILIES[unseen]
    offered_families = {PLAN_OF[f.name].family for f in offered or ()}
    if sub == "general":
        user, answer, excluded, decorate = no_call.sample(rng)
        if offered is None:
            pool = [p for ps in families.values() for p in ps if p.domain not in excluded]
            offered = _within_budget(
                [p.function for p in rng.sample(pool, _count(REFUSAL_OFFERED, rng))], keep_first=True
            )
        elif any(f.split("/")[0] in excluded for f in offered_families):
            return None
        return (
            Example(_decorate(user, rng) if decorate else user, offered, text=answer),
            {"domain": "none", "target": None, "subkind": sub},
            None,
        )
    twin = sub == "ask" and call is not None and _askable(call.plan)
    if twin:
        plan, values, given = call
    elif sub in ("call", "ask"):
        if offered is None:
            askable = [f for f, ps in families.items() if sub == "call" or _askable(ps[0])]
            plan = rng.choice(families[rng.choice(askable)])
        else:
            plans = [PLAN_OF[f.name] for f in offered if sub == "call" or _askable(PLAN_OF[f.name])]
            if not plans:
                return None
            plan = rng.choice(plans)
    else:  # near_miss / off_domain: a request for a function that is not offered
        if offered is None:
            plan = rng.choice(families[rng.choice(list(families))])
        else:
            shut_out = offered_families.union(*(ALIKE_OF.get(f, ()) for f in offered_families))
            domains = {f.split("/")[0] for f in offered_families}
            if sub == "near_miss" and len(domains) > 1:
                return None  # a near miss is beside functions all of its own domain
            pool = [
                f
                for f in families
                if f not in shut_out
                and not offered_families & ALIKE_OF.get(f, set())
                and (f.split("/")[0] in domains) == (sub == "near_miss")
            ]
            if not pool:
                return None
            plan = rng.choice(families[rng.choice(pool)])
    fn = plan.function
    if not twin:
        values = _values(plan, rng)
        given = [p for p in fn.params if p.required or rng.random() < OPTIONAL_GIVEN]
    if sub == "ask":
        askable = [p for p in given if p.required and p.type != "boolean"]
        missing = rng.sample(askable, 2 if len(askable) > 2 and rng.random() < 0.3 else 1)
        given = [p for p in given if p not in missing]
        user = _request(plan, given, values, unseen, rng)
        text = phrasings.ask([plan.concepts[p.name].noun for p in missing], rng)
        offered = offered or _offer(plan, families, rng)
        return Example(user, offered, text=text), {"domain": plan.domain, "target": fn.name}, None
    user = _request(plan, given, values, unseen, rng)
    if sub == "call":
        answer = Call(fn.name, {p.name: values[p.name] for p in given})
        offered = offered or _offer(plan, families, rng)
        meta = {"domain": plan.domain, "target": fn.name}
        return Example(user, offered, calls=[answer]), meta, Request(plan, values, given)
    if offered is None:  # the function that fits is left out of what is offered
        shut_out = ALIKE_OF.get(plan.family, set()) | {plan.family}
        if sub == "near_miss":
            pool = [f for f in families if f not in shut_out and f.split("/")[0] == plan.domain]
        else:
            pool = [f for f in families if f.split("/")[0] != plan.domain]
        picked = rng.sample(pool, min(len(pool), _count(REFUSAL_OFFERED, rng)))
        offered = _within_budget([rng.choice(families[f]).function for f in picked], keep_first=True)
    text = phrasings.refuse(plan.spec.refusal_gist(), rng)
    return (
        Example(user, offered, text=text),
        {"domain": plan.domain, "target": None, "subkind": sub, "requested": plan.family},
        None,
    )


def _askable(plan: Plan) -> bool:
    return any(p.required and p.type != "boolean" for p in plan.function.params)


def _count(weights: tuple[float, ...], rng: random.Random) -> int:
    return rng.choices(range(1, len(weights) + 1), weights)[0]


def _values(plan: Plan, rng: random.Random) -> dict:
    """A value for every argument, distinct from one another (origin != destination and the like)."""
    values: dict = {}
    for p in plan.function.params:
        for _ in range(10):
            v = _value(plan.concepts[p.name], p.schema, rng)
            if v not in values.values():
                break
        values[p.name] = v
    return values


def _value(c, schema: dict, rng: random.Random):
    if "enum" in schema:
        return rng.choice(schema["enum"])
    if c.type == "boolean":
        return rng.random() < 0.5
    if c.type == "object":
        return _fields(c.props, schema, rng)
    if c.type == "array":
        k = rng.randint(*c.count)
        if c.props:
            return [_fields(c.props, schema["items"], rng) for _ in range(k)]
        items: list = []
        for _ in range(10 * k):
            v = c.value(rng)
            if v not in items:
                items.append(v)
            if len(items) == k:
                break
        return items
    return c.value(rng)


def _fields(props, schema: dict, rng: random.Random) -> dict:
    return {name: _value(sub, schema["properties"][name], rng) for sub, name in zip(props, schema["properties"])}


def _request(plan: Plan, given: list[Param], values: dict, unseen: bool, rng: random.Random) -> str:
    spec, concept = plan.spec, plan.concepts
    given = list(given)
    # A verb phrase with a slot ("book a berth for {}") takes the first required value, bare, right after it.
    slot = next((p for p in given if spec.required and concept[p.name] is spec.required[0]), None)
    vps = [v for v in spec.verb_phrases() if slot or "{}" not in v] or list(spec.default_verb_phrases())
    vp = rng.choice(vps)
    slotted = "{}" in vp
    if slotted:
        given.remove(slot)
        vp = vp.replace("{}", phrasings.bare(concept[slot.name], values[slot.name], slot.schema, rng))
    if not given:
        if spec.questions and not slotted and rng.random() < 0.4:
            return _decorate(phrasings.fill("{Q}?", q=rng.choice(spec.questions)), rng)
        return _decorate(phrasings.fill(phrasings.frame("bare", unseen, rng), vp=vp), rng)
    if rng.random() < 0.7:
        rng.shuffle(given)
    styles = [s for s in STYLE_WEIGHTS if s != "question" or (spec.questions and not slotted)]
    style = rng.choices(styles, [STYLE_WEIGHTS[s] for s in styles])[0]
    template = phrasings.frame(style, unseen, rng)
    q = rng.choice(spec.questions) if style == "question" else ""
    if style == "labels":
        sep = rng.choice((", ", "; ", ", "))
        labels = sep.join(phrasings.label(concept[p.name], values[p.name], p.schema, rng) for p in given)
        return _decorate(phrasings.fill(template, vp=vp, labels=labels), rng)
    trailing = ""
    if len(given) > 1 and rng.random() < 0.25:  # one value in a sentence of its own
        last = given.pop()
        shown = phrasings.label(concept[last.name], values[last.name], last.schema, rng)
        trailing = " " + shown[0].upper() + shown[1:] + "."
    args = " ".join(phrasings.clause(concept[p.name], values[p.name], p.schema, rng) for p in given)
    return _decorate(phrasings.fill(template, vp=vp, q=q, args=args) + trailing, rng)


def _offer(plan: Plan, families: dict[str, list[Plan]], rng: random.Random) -> list:
    """The target plus 0-3 distractors from other families, shuffled."""
    k = _count(OFFERED, rng)
    same = [f for f in families if f != plan.family and f.split("/")[0] == plan.domain]
    other = [f for f in families if f.split("/")[0] != plan.domain]
    offered = [plan.function]
    while len(offered) < k:
        pool = same if same and rng.random() < SAME_DOMAIN else other
        offered.append(rng.choice(families[pool.pop(rng.randrange(len(pool)))]).function)
    offered = [plan.function] + _within_budget(offered[1:], SIZE[plan.function.name])
    rng.shuffle(offered)
    return offered


SIZE = {p.function.name: len(render_functions([p.function])) for p in PLANS}


def _within_budget(functions: list, used: int = 0, keep_first: bool = False) -> list:
    """The longest prefix of `functions` whose metadata, after `used` characters, stays within FUNCTION_CHARS."""
    kept = []
    for f in functions:
        used += SIZE[f.name]
        if used > FUNCTION_CHARS and not (keep_first and not kept):
            break
        kept.append(f)
    return kept


def _decorate(user: str, rng: random.Random) -> str:
    r = rng.random()
    if r < DECORATE / 2:
        prefix = rng.choice(phrasings.PREFIXES)
        if prefix.endswith(", ") and user[1:2].islower():  # "OK, time to ..." (but "OK, I need ...")
            user = user[0].lower() + user[1:]
        return prefix + user
    if r < DECORATE and user[-1] in ".?!":
        return user + rng.choice(phrasings.SUFFIXES)
    return user
