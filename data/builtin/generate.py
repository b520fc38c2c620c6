"""Deterministic generator of the builtin dataset.

One random.Random(0) drives everything, and nothing iterates over a set or calls hash(),
so every call returns the same rows whatever PYTHONHASHSEED is.
"""

from __future__ import annotations

import random
from string import Formatter

from data.builtin import no_call
from data.builtin.catalog import BY_NAME, DOMAIN_OF, FUNCTIONS, HELD_OUT
from data.builtin.phrasings import ASK_LEADS, PHRASINGS, POOLS, PREFIXES, SUFFIXES, Phrasing
from data.schema import Call, Example, Function

SEED = 0
SIZES = {"train": 2400, "validation": 240, "test": 480}
SHARES = {"call": 0.70, "no_call": 0.15}  # "ask" takes the rest
OFFERED_WEIGHTS = (0.15, 0.25, 0.30, 0.30)  # chance of offering 1, 2, 3 or 4 functions
SAME_DOMAIN = 0.4  # chance a distractor comes from the target's own domain: the harder case
MAX_TRIES = 200


def generate() -> dict[str, list[Example]]:
    check_phrasings()
    rng = random.Random(SEED)
    owner: dict[str, str] = {}  # user prompt -> the split that used it; no prompt is in two splits
    return {split: _split(split, size, rng, owner) for split, size in SIZES.items()}


def _split(split: str, size: int, rng: random.Random, owner: dict[str, str]) -> list[Example]:
    test = split == "test"
    # Held-out functions exist only in test: not as targets, not as distractors, elsewhere.
    allowed = FUNCTIONS if test else [f for f in FUNCTIONS if f.name not in HELD_OUT]
    n_call, n_none = round(size * SHARES["call"]), round(size * SHARES["no_call"])
    kinds = ["call"] * n_call + ["no_call"] * n_none + ["ask"] * (size - n_call - n_none)
    rng.shuffle(kinds)
    rows, keys = [], set()
    for i, kind in enumerate(kinds):
        # In test, every other call/ask row targets a held-out function: plenty of both.
        unseen = test and kind != "no_call" and i % 2 == 0
        for _ in range(MAX_TRIES):
            ex, target = _make(kind, rng, allowed, unseen if test else None)
            key = (ex.user, tuple(sorted(f.name for f in ex.functions)))
            if key not in keys and owner.get(ex.user, split) == split:
                break
        else:
            raise RuntimeError(f"builtin: no fresh {kind} row for {split} after {MAX_TRIES} tries")
        keys.add(key)
        owner[ex.user] = split
        ex.meta = {"id": f"builtin-{split}-{i + 1:05d}", "source": "builtin", "kind": kind,
                   "domain": DOMAIN_OF.get(target, "none"), "target": target}
        if test:
            ex.meta["unseen"] = unseen
        rows.append(ex)
    return rows


def _make(kind: str, rng: random.Random, allowed: list[Function], unseen: bool | None) -> tuple[Example, str | None]:
    """A row of `kind` and the function it is about (None for no_call rows)."""
    if kind == "no_call":
        user, answer, excluded, decorate = no_call.sample(rng)
        pool = [f for f in allowed if DOMAIN_OF[f.name] not in excluded]
        k = rng.choices(range(1, 5), OFFERED_WEIGHTS)[0]
        return Example(_decorate(user, rng) if decorate else user, rng.sample(pool, k), text=answer), None

    targets = [f for f in allowed if unseen is None or (f.name in HELD_OUT) == unseen]
    if kind == "ask":
        targets = [f for f in targets if PHRASINGS[f.name].ask]
    # Functions with more ways of being asked for (the common ones) come up more often.
    weights = [len(PHRASINGS[f.name].say if kind == "call" else PHRASINGS[f.name].ask) for f in targets]
    fn = rng.choices(targets, weights)[0]
    ph = PHRASINGS[fn.name]
    if kind == "call":
        template, fixed = _split_template(rng.choice(ph.say))
        user, args = _fill(template, fn, ph, rng)
        args.update(fixed)
        args = {p.name: args[p.name] for p in fn.params if p.name in args}  # declaration order
        ex = Example(_decorate(user, rng), _offer(fn, allowed, rng), calls=[Call(fn.name, args)])
    else:
        template, question = rng.choice(ph.ask)
        user, _ = _fill(template, fn, ph, rng)
        ex = Example(_decorate(user, rng), _offer(fn, allowed, rng), text=rng.choice(ASK_LEADS) + question)
    return ex, fn.name


def _split_template(entry) -> tuple[str, dict]:
    return (entry, {}) if isinstance(entry, str) else entry


def _slots(template: str) -> list[str]:
    return [name for _, name, _, _ in Formatter().parse(template) if name]


def _fill(template: str, fn: Function, ph: Phrasing, rng: random.Random) -> tuple[str, dict]:
    """The prompt and the typed value of every slot in it."""
    slots = _slots(template)
    values = {}
    for group, choices in ph.joint.items():  # values that only make sense together
        if any(s in slots for s in group):
            values.update(zip(group, rng.choice(choices)))
    for s in slots:
        if s in values:
            continue
        pool = POOLS[ph.pools.get(s, s)]
        if fn.param(s).type == "array":
            values[s] = rng.sample(pool, rng.randint(2, 4))
        else:  # distinct from values already drawn, so origin != destination and the like
            values[s] = rng.choice([v for v in pool if v not in values.values()])
    shown = {s: _show(values[s]) for s in slots}
    return template.format(**shown), {s: values[s] for s in slots}


def _show(value) -> str:
    if isinstance(value, list):
        words = [str(v) for v in value]
        return ", ".join(words[:-1]) + " and " + words[-1]
    return str(value)


def _offer(fn: Function, allowed: list[Function], rng: random.Random) -> list[Function]:
    """The target plus 0-3 distractors, shuffled."""
    k = rng.choices(range(1, 5), OFFERED_WEIGHTS)[0]
    same = [f for f in allowed if f is not fn and DOMAIN_OF[f.name] == DOMAIN_OF[fn.name]]
    other = [f for f in allowed if DOMAIN_OF[f.name] != DOMAIN_OF[fn.name]]
    offered = [fn]
    while len(offered) < k:
        pool = same if same and rng.random() < SAME_DOMAIN else other
        offered.append(pool.pop(rng.randrange(len(pool))))
    rng.shuffle(offered)
    return offered


def _decorate(user: str, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.12:
        return rng.choice(PREFIXES) + user
    if r < 0.24 and user[-1] in ".?!":  # terse prompts ("weather Oslo") stay bare
        return user + rng.choice(SUFFIXES)
    return user


def check_phrasings() -> None:
    """Fail loudly when a template and the catalog disagree, rather than emit a bad row."""
    assert list(PHRASINGS) == [f.name for f in FUNCTIONS], "PHRASINGS must follow the catalog, one per function"
    for name, ph in PHRASINGS.items():
        fn = BY_NAME[name]
        params = {p.name: p for p in fn.params}
        assert len(ph.say) >= 3, f"{name}: needs at least 3 say templates"
        for entry in ph.say:
            template, fixed = _split_template(entry)
            slots = _slots(template)
            assert set(slots) <= set(params), f"{name}: unknown slot in {template!r}"
            assert all(params[k].type == "boolean" and isinstance(v, bool) for k, v in fixed.items()), name
            assert set(fn.required) <= set(slots) | set(fixed), f"{name}: {template!r} misses a required value"
        for template, question in ph.ask:
            slots = _slots(template)
            assert set(slots) <= set(params), f"{name}: unknown slot in {template!r}"
            assert not set(fn.required) <= set(slots), f"{name}: ask prompt {template!r} has every required value"
            assert "{" not in question, f"{name}: question {question!r} has a slot"
        templates = [_split_template(e)[0] for e in ph.say] + [t for t, _ in ph.ask]
        for s in [s for t in templates for s in _slots(t)]:
            in_joint = any(s in group for group in ph.joint)
            assert in_joint or ph.pools.get(s, s) in POOLS, f"{name}: no value pool for {s!r}"
