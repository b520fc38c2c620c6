"""Argument concepts: what a value means, how functions name it, how users give it.

A Concept is the meaning of an argument ("check-in date"), not one function's argument:
the catalog turns it into differently named and described arguments of many functions,
and the generator draws its values and words them in prompts. Names are written as
words ("check in date") and styled per function (check_in_date, checkInDate).

Value makers take a random.Random and return a fresh value, so the pools below multiply
into far more distinct values than any row count we generate.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Maker = Callable[[random.Random], Any]


@dataclass(frozen=True)
class Concept:
    """One kind of argument.

    names: argument names as words, "|"-free tuples; noun: how a question or a
    "label: value" list calls it; says: inline phrases with "{}" where the shown value goes
    (booleans: phrases meaning true; `says_false` phrases meaning false); value: the maker;
    enum: allowed values (a function offers a subset, written exactly like this);
    items: array item type, or `props` for arrays of objects; props: an object's fields.
    """

    key: str
    type: str
    names: tuple[str, ...]
    noun: str
    says: tuple[str, ...]
    value: Maker | None = None
    hint: str = ""  # a format note for descriptions: "YYYY-MM-DD"
    descriptions: tuple[str, ...] = ()
    says_false: tuple[str, ...] = ()
    enum: tuple = ()
    items: str = ""
    props: tuple[Concept, ...] = ()
    count: tuple[int, int] = (2, 4)  # array lengths
    bounds: tuple[float, float] | None = None  # integer/number range, may go into the schema
    default: tuple = ()  # candidate defaults when the argument is optional
    bare: str = ""  # an object's fields as a value alone ("{0}-{1}"); comma-separated when empty


def _words(spec: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in spec.split("|") if s.strip())


def text(key, names, noun, says, value, hint="", desc="", default=()) -> Concept:
    return Concept(key, "string", _words(names), noun, _words(says), value, hint, _words(desc), default=default)


def integer(key, names, noun, says, lo, hi, desc="", default=(), step=1) -> Concept:
    return Concept(
        key,
        "integer",
        _words(names),
        noun,
        _words(says),
        lambda r: r.randrange(lo, hi + 1, step),
        descriptions=_words(desc),
        bounds=(lo, hi),
        default=default,
    )


def number(key, names, noun, says, lo, hi, decimals=2, desc="", default=()) -> Concept:
    def make(r):  # a whole number comes out as an int: 12.0 would be shown as "12.0"
        x = round(r.uniform(lo, hi), r.randint(0, decimals))
        return int(x) if x == int(x) else x

    return Concept(
        key,
        "number",
        _words(names),
        noun,
        _words(says),
        make,
        descriptions=_words(desc),
        bounds=(lo, hi),
        default=default,
    )


def flag(key, names, noun, yes, no, desc="", default=(False, True)) -> Concept:
    return Concept(
        key,
        "boolean",
        _words(names),
        noun,
        _words(yes),
        None,
        descriptions=_words(desc),
        says_false=_words(no),
        default=default,
    )


def choice(key, names, noun, says, values, desc="") -> Concept:
    values = _words(values)
    return Concept(
        key, "string", _words(names), noun, _words(says), None, descriptions=_words(desc), enum=values, default=values
    )


def listing(key, names, noun, says, pool, item="string", count=(2, 4), desc="") -> Concept:
    return Concept(
        key, "array", _words(names), noun, _words(says), pool, descriptions=_words(desc), items=item, count=count
    )


def record(key, names, noun, says, *props, bare="", desc="") -> Concept:
    """An object whose fields are all required; `says` (and `bare`) place every field, "{0}", "{1}", ... in order."""
    return Concept(
        key, "object", _words(names), noun, _words(says), None, descriptions=_words(desc), props=props, bare=bare
    )


def records(key, names, noun, says, *props, count=(1, 3), desc="") -> Concept:
    """An array of objects; `says` words one item, items are joined with commas and "and"."""
    return Concept(
        key, "array", _words(names), noun, _words(says), None, descriptions=_words(desc), props=props, count=count
    )


# --- value makers ---


def pick(*pool) -> Maker:
    pool = tuple(p for part in pool for p in (_words(part) if isinstance(part, str) else part))
    return lambda r: r.choice(pool)


def pattern(*shapes: str) -> Maker:
    """Identifiers from shapes: # a digit, @ an upper-case letter, % a lower-case one; anything else as is."""

    def make(r):
        out = []
        for ch in r.choice(shapes):
            if ch == "#":
                out.append(r.choice("0123456789"))
            elif ch == "@":
                out.append(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ"))
            elif ch == "%":
                out.append(r.choice("abcdefghijkmnpqrstuvwxyz"))
            else:
                out.append(ch)
        return "".join(out)

    return make


FIRST = _words(
    "Maria|Jonas|Aiko|Tomasz|Fatima|Liam|Chen|Amara|Diego|Priya|Olu|Sven|Leila|Kofi|Ines|Mateo|Yuki|"
    "Hannah|Ravi|Zoe|Arjun|Noor|Elena|Bram|Sofia|Kwame|Mei|Lucas|Anika|Tariq|Freya|Omar|Lena|Kenji|"
    "Ana|Malik|Greta|Joaquin|Esi|Nikolai|Rosa|Idris|Clara|Hugo|Saanvi|Theo|Adaeze|Mikkel|Layla|Pablo"
)
LAST = _words(
    "Lopez|Berg|Tanaka|Nowak|Haddad|O'Brien|Wei|Okafor|Ramos|Sharma|Adeyemi|Lindqvist|Farah|Mensah|"
    "Duarte|Silva|Kimura|Schultz|Patel|Moreau|Mehta|Khan|Petrova|de Vries|Rossi|Asante|Lin|Dubois|"
    "Novak|Aziz|Fischer|Costa|Nakamura|Hughes|Oyelaran|Brennan|Jansen|Castillo|Iyer|Volkov"
)
MAIL_HOSTS = _words(
    "northwind.io|contoso.com|example.org|fabrikam.net|acme.test|mail.example.com|Tailspin.co|"
    "Globex.biz|initech.dev|WoodgroveBank.com|lumen.studio|proton.example"
)


def person(r: random.Random) -> str:
    return f"{r.choice(FIRST)} {r.choice(LAST)}"


def email(r: random.Random) -> str:
    """Addresses whose case matters to the copy: Maria.Lopez@Northwind.io stays as it is."""
    first, last = r.choice(FIRST), r.choice(LAST).replace("'", "").replace(" ", "")
    host = r.choice(MAIL_HOSTS)
    local = r.choice(
        [
            f"{first}.{last}",
            f"{first.lower()}.{last.lower()}",
            f"{first[0]}{last}",
            f"{first.lower()}{r.randint(1, 99)}",
            f"{first[0].lower()}.{last.lower()}",
            f"{last}.{first[0]}",
        ]
    )
    return f"{local}@{host}"


def phone(r: random.Random) -> str:
    return pattern(
        "+1 ###-###-####",
        "+44 20 #### ####",
        "+49 30 ########",
        "(###) ###-####",
        "+33 6 ## ## ## ##",
        "+81 3-####-####",
        "07### ######",
        "+61 4## ### ###",
    )(r)


def date(r: random.Random) -> str:
    return (datetime.date(2024, 1, 1) + datetime.timedelta(days=r.randrange(3 * 365))).isoformat()


def time_of_day(r: random.Random) -> str:
    return f"{r.randint(6, 22):02d}:{r.choice((0, 15, 30, 45)):02d}"


def datetime_(r: random.Random) -> str:
    return f"{date(r)}T{time_of_day(r)}:00"


def money(lo: float, hi: float) -> Maker:
    def make(r):
        x = round(r.uniform(lo, hi), r.choice((0, 2, 2)))
        return int(x) if x == int(x) else x

    return make


CITIES = _words(
    "Lisbon|Nairobi|Osaka|Toronto|Krakow|Melbourne|Bogota|Marseille|Accra|Hamburg|Seattle|Chennai|"
    "Porto|Tallinn|Montreal|Auckland|Valencia|Lagos|Kyoto|Denver|Rotterdam|Cape Town|Manila|Edinburgh|"
    "Ljubljana|Austin|Quito|Gothenburg|Hanoi|Bilbao|Perth|Tbilisi|Dakar|Calgary|Trieste|Busan"
)
COUNTRIES = _words(
    "Portugal|Kenya|Japan|Canada|Poland|Australia|Colombia|France|Ghana|Germany|India|Estonia|"
    "New Zealand|Spain|Nigeria|Netherlands|South Africa|Philippines|Scotland|Slovenia|Ecuador|"
    "Sweden|Vietnam|Georgia|Senegal|Italy|South Korea|Chile|Morocco|Norway"
)
LANGUAGES = _words(
    "Portuguese|Japanese|German|Spanish|French|Swahili|Korean|Polish|Italian|Dutch|Turkish|Hindi|"
    "Vietnamese|Greek|Swedish|Arabic|Czech|Indonesian|Ukrainian|Tagalog"
)
STREETS = _words(
    "Baker Street|Rua Augusta|Elm Avenue|Kingsway|Harbour Road|Maple Lane|Via Roma|Calle Mayor|"
    "Oak Drive|Station Road|Rue de la Paix|Lindenstrasse|Victoria Avenue|Mill Lane|Park Crescent"
)


def street_address(r: random.Random) -> str:
    return f"{r.randint(1, 240)} {r.choice(STREETS)}"


def postcode(r: random.Random) -> str:
    return pattern("#####", "@@# #@@", "@#@ #@#", "####-###", "## ###", "####")(r)


def url(r: random.Random) -> str:
    host = r.choice(("example.com", "docs.example.org", "status.contoso.com", "blog.fabrikam.net", "wiki.initech.dev"))
    path = r.choice(
        (
            "",
            "/pricing",
            "/blog/2025/roadmap",
            "/api/v2/health",
            "/team",
            "/releases/latest",
            "/guides/getting-started",
            "/Reports/Q3.html",
        )
    )
    return f"https://{host}{path}"


def username(r: random.Random) -> str:
    first, last = r.choice(FIRST), r.choice(LAST).replace("'", "").replace(" ", "")
    return r.choice(
        [
            f"{first.lower()}_{last.lower()}",
            f"{first}{r.randint(1, 999)}",
            f"{first[0].lower()}{last}",
            f"@{first.lower()}.{last.lower()}",
            f"{last.lower()}-{r.randint(10, 99)}",
        ]
    )


# --- concepts shared by many seen domains (held-out domains define their own, with their own names) ---

DATE = "YYYY-MM-DD"
TIME = "24-hour HH:MM"

EMAIL = text(
    "email",
    "email|email address|recipient|to|mail to|recipient email",
    "e-mail address",
    "to {}|for {}|to the address {}|at {}",
    email,
)
PERSON = text(
    "person", "name|full name|person name|contact name", "name", "for {}|named {}|called {}|for the person {}", person
)
PHONE = text(
    "phone",
    "phone|phone number|mobile|phone no|contact number",
    "phone number",
    "at {}|on {}|to {}|to the number {}",
    phone,
)
CITY = text("city", "city|city name|location|town", "city", "in {}|for {}|in the city of {}", pick(CITIES))
START_DATE = text(
    "start_date",
    "start date|from date|date from|begin date",
    "start date",
    "from {}|starting {}|starting on {}|beginning {}",
    date,
    hint=DATE,
)
END_DATE = text(
    "end_date", "end date|to date|date to|until", "end date", "until {}|to {}|ending {}|through {}", date, hint=DATE
)
ON_DATE = text("on_date", "date|day|on|when", "date", "on {}|for {}|dated {}", date, hint=DATE)
AT_TIME = text("at_time", "time|at|start time|hour", "time", "at {}|starting at {}|for {}", time_of_day, hint=TIME)
LIMIT = integer(
    "limit",
    "limit|max results|count|top|page size|n",
    "number of results",
    "limit {}|top {}|at most {} results|only {} results|{} results max",
    1,
    50,
    default=(10, 20, 5),
)
NOTE = text(
    "note",
    "note|notes|comment|message|remarks",
    "note",
    'with the note "{}"|noting "{}"|and add the note "{}"|with a comment: "{}"',
    pick(
        "Leave it at the back door|Please call before arriving|Urgent, thanks|Second floor, flat 4|"
        "Gift, no invoice inside|Ask for Sam at reception|Birthday surprise, keep it quiet|"
        "Allergic to nuts|Handle with care|Use the side entrance"
    ),
)
CURRENCY = choice(
    "currency",
    "currency|currency code|ccy",
    "currency",
    "in {}|paid in {}|{}",
    "USD|EUR|GBP|JPY|CHF|CAD|AUD|INR|SEK|BRL",
)
