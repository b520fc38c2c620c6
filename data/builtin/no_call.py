"""Prompts that need no function, with answers that are right by construction.

Answers are computed (arithmetic, conversions, calendar facts, word facts) or read from
small tables written here (capitals, definitions, synonyms). Each category names the
catalog domains whose functions could answer it (a calculator for arithmetic, a web
search for knowledge questions); those are never offered beside it, so that "answer in
plain text" is the one right response.
"""

from __future__ import annotations

import calendar
import datetime
import random

CAPITALS = {
    "France": "Paris",
    "Japan": "Tokyo",
    "Kenya": "Nairobi",
    "Argentina": "Buenos Aires",
    "Canada": "Ottawa",
    "India": "New Delhi",
    "Norway": "Oslo",
    "Australia": "Canberra",
    "Egypt": "Cairo",
    "Peru": "Lima",
    "Turkey": "Ankara",
    "Germany": "Berlin",
    "Italy": "Rome",
    "Spain": "Madrid",
    "Portugal": "Lisbon",
    "Brazil": "Brasília",
    "Mexico": "Mexico City",
    "Chile": "Santiago",
    "South Korea": "Seoul",
    "Vietnam": "Hanoi",
    "Thailand": "Bangkok",
    "Poland": "Warsaw",
    "Sweden": "Stockholm",
    "Finland": "Helsinki",
    "Ireland": "Dublin",
    "Greece": "Athens",
    "Morocco": "Rabat",
    "Nigeria": "Abuja",
    "Ghana": "Accra",
    "Ethiopia": "Addis Ababa",
    "New Zealand": "Wellington",
    "Colombia": "Bogotá",
    "Austria": "Vienna",
    "Hungary": "Budapest",
    "the Czech Republic": "Prague",
    "the Philippines": "Manila",
    "Iceland": "Reykjavik",
    "Pakistan": "Islamabad",
    "Bangladesh": "Dhaka",
    "Mongolia": "Ulaanbaatar",
    "Cuba": "Havana",
    "Jamaica": "Kingston",
    "Uruguay": "Montevideo",
}

# term as used in a sentence, bare term, our definition
GLOSSARY = [
    (
        "photosynthesis",
        "photosynthesis",
        "Photosynthesis is the process by which plants, algae and some bacteria use "
        "light to turn water and carbon dioxide into sugar, giving off oxygen.",
    ),
    (
        "inflation",
        "inflation",
        "Inflation is a general rise in prices over time, so that each unit of money buys a little less than before.",
    ),
    (
        "an algorithm",
        "algorithm",
        "An algorithm is a precise, step-by-step procedure for solving a problem or carrying out a task.",
    ),
    (
        "a haiku",
        "haiku",
        "A haiku is a short poem from the Japanese tradition: three lines of five, seven and five syllables.",
    ),
    (
        "osmosis",
        "osmosis",
        "Osmosis is the movement of water through a membrane from a weaker solution into a more concentrated one.",
    ),
    (
        "a metaphor",
        "metaphor",
        "A metaphor describes something by saying it is something else, as in 'the classroom was a zoo'.",
    ),
    (
        "gravity",
        "gravity",
        "Gravity is the force by which masses pull on one another; it keeps us on the ground and "
        "the planets in orbit around the Sun.",
    ),
    (
        "a prime number",
        "prime number",
        "A prime number is a whole number greater than 1 that can only be divided exactly by 1 and by itself.",
    ),
    (
        "democracy",
        "democracy",
        "Democracy is a form of government in which power rests with the citizens, who "
        "usually exercise it by electing representatives.",
    ),
    ("a mammal", "mammal", "A mammal is a warm-blooded animal with hair or fur whose young are fed on milk."),
    (
        "an ecosystem",
        "ecosystem",
        "An ecosystem is a community of living things together with the physical "
        "surroundings they depend on and interact with.",
    ),
    (
        "compound interest",
        "compound interest",
        "Compound interest is interest paid on the original sum and also on "
        "the interest that has already been added to it.",
    ),
    ("a noun", "noun", "A noun is a word that names a person, place, thing or idea."),
    (
        "the equator",
        "equator",
        "The equator is the imaginary line around the middle of the Earth, the same "
        "distance from the North and South Poles.",
    ),
    (
        "an atom",
        "atom",
        "An atom is the smallest unit of a chemical element: a nucleus of protons and neutrons "
        "with electrons around it.",
    ),
    (
        "a palindrome",
        "palindrome",
        "A palindrome is a word or phrase that reads the same backwards as forwards, such as 'level'.",
    ),
    ("a simile", "simile", "A simile compares two things using 'like' or 'as', for example 'as quiet as a mouse'."),
    (
        "evaporation",
        "evaporation",
        "Evaporation is the change of a liquid into a gas at its surface, as when a puddle dries in the sun.",
    ),
    (
        "a vaccine",
        "vaccine",
        "A vaccine is a preparation that teaches the immune system to recognise and fight a particular disease.",
    ),
    (
        "biodiversity",
        "biodiversity",
        "Biodiversity is the variety of life in a place, from genes and species to whole ecosystems.",
    ),
]

SYNONYMS = {
    "happy": "cheerful, joyful and content",
    "big": "large, huge and enormous",
    "fast": "quick, rapid and swift",
    "smart": "clever, bright and intelligent",
    "tired": "weary, exhausted and drained",
    "angry": "annoyed, furious and irritated",
    "beautiful": "lovely, attractive and stunning",
    "difficult": "hard, tough and challenging",
    "begin": "start, commence and launch",
    "important": "significant, crucial and essential",
    "small": "little, tiny and compact",
    "funny": "amusing, comical and hilarious",
}
ANTONYMS = {
    "hot": "cold",
    "ancient": "modern",
    "generous": "stingy",
    "brave": "cowardly",
    "increase": "decrease",
    "victory": "defeat",
    "accept": "reject",
    "maximum": "minimum",
    "expand": "contract",
    "arrive": "depart",
    "optimistic": "pessimistic",
    "visible": "invisible",
}
MISSPELLINGS = {
    "recieve": "receive",
    "seperate": "separate",
    "definately": "definitely",
    "accomodate": "accommodate",
    "occured": "occurred",
    "untill": "until",
    "wierd": "weird",
    "goverment": "government",
    "neccessary": "necessary",
    "tommorow": "tomorrow",
    "begining": "beginning",
    "calender": "calendar",
}
WORDS = [
    "banana",
    "elephant",
    "keyboard",
    "mountain",
    "umbrella",
    "galaxy",
    "pineapple",
    "library",
    "butterfly",
    "horizon",
    "chocolate",
    "volcano",
    "penguin",
    "orchestra",
    "triangle",
    "lantern",
    "whisper",
    "carousel",
    "avocado",
    "dolphin",
    "notebook",
    "satellite",
    "harmony",
    "journey",
    "kaleidoscope",
    "labyrinth",
    "marathon",
    "quartz",
    "rhythm",
    "tornado",
]

SMALL_TALK = [
    ("Hi there!", "Hello! What can I do for you today?"),
    ("Good morning!", "Good morning! How can I help?"),
    ("How's your day going?", "Quite well, thanks for asking. What can I help you with?"),
    ("Thanks, that's all I needed.", "You're welcome! Let me know if anything else comes up."),
    (
        "Who am I chatting with?",
        "I'm an AI assistant. I answer questions, and when one of my tools fits a request, I use it.",
    ),
    ("What's your name?", "I don't have a personal name; I'm an AI assistant, and I'm glad to help."),
    ("Tell me a joke.", "I tried to write a joke about a broken pencil, but it had no point."),
    ("Tell me a fun fact.", "Octopuses have three hearts and blue blood."),
    ("I'm bored.", "How about a short walk, a new podcast or a quick puzzle? I'm happy to suggest one."),
    ("Goodbye!", "Goodbye! Have a great day."),
    (
        "Do you like music?",
        "I don't have personal tastes, but I'm happy to talk about music or suggest something to listen to.",
    ),
    ("Have a nice weekend!", "Thank you, you too!"),
    ("I just got a new job!", "Congratulations! That's great news, and I hope the new role goes really well."),
    (
        "Give me a word of encouragement.",
        "You've handled hard things before, and you can handle this one too. Take it one step at a time.",
    ),
    ("Thank you so much!", "You're very welcome!"),
    ("Are you a robot?", "I'm an AI language model, so no body or gears, just text. How can I help?"),
]

OPS = {"plus": lambda a, b: a + b, "minus": lambda a, b: a - b, "times": lambda a, b: a * b}
CONVERSIONS = [
    ("kilometers", "miles", 0.621371),
    ("miles", "kilometers", 1.609344),
    ("kilograms", "pounds", 2.204623),
    ("pounds", "kilograms", 0.45359237),
    ("inches", "centimeters", 2.54),
    ("feet", "meters", 0.3048),
]


def _num(x: float) -> str:
    """Up to two decimals, no trailing zeros."""
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _about(x: float) -> str:
    return "" if abs(round(x, 2) - x) < 1e-9 else "about "


def arithmetic(rng: random.Random) -> tuple[str, str]:
    op = rng.choice(["plus", "minus", "times", "divided by"])
    if op == "divided by":
        b, q = rng.randint(2, 20), rng.randint(2, 60)
        a, r = b * q, q
    else:
        hi = 99 if op == "times" else 999
        a, b = rng.randint(2, hi), rng.randint(2, hi)
        if op == "minus" and b > a:
            a, b = b, a
        r = OPS[op](a, b)
    tpl = rng.choice(
        [
            "What is {a} {op} {b}?",
            "What's {a} {op} {b}?",
            "Quick maths: {a} {op} {b}?",
            "Can you tell me what {a} {op} {b} is?",
            "{a} {op} {b} equals what?",
        ]
    )
    return tpl.format(a=a, op=op, b=b), f"{a} {op} {b} is {r}."


def conversion(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.3:  # temperatures
        if rng.random() < 0.5:
            c = rng.randint(-20, 40)
            f = c * 9 / 5 + 32
            q = rng.choice(["What is {v} degrees Celsius in Fahrenheit?", "Convert {v}°C to Fahrenheit."])
            return q.format(v=c), f"{c}°C is {_about(f)}{_num(f)}°F."
        f = rng.randint(0, 110)
        c = (f - 32) * 5 / 9
        q = rng.choice(["What is {v} degrees Fahrenheit in Celsius?", "Convert {v}°F to Celsius."])
        return q.format(v=f), f"{f}°F is {_about(c)}{_num(c)}°C."
    src, dst, factor = rng.choice(CONVERSIONS)
    v = rng.randint(2, 150)
    r = v * factor
    q = rng.choice(
        ["How many {dst} are in {v} {src}?", "What is {v} {src} in {dst}?", "Roughly how many {dst} is {v} {src}?"]
    )
    return q.format(v=v, src=src, dst=dst), f"{v} {src} is {_about(r)}{_num(r)} {dst}."


def capital(rng: random.Random) -> tuple[str, str]:
    country = rng.choice(list(CAPITALS))
    q = rng.choice(
        [
            "Tell me the capital of {c}.",
            "Which city is the capital of {c}?",
            "Name the capital city of {c}.",
            "What's the capital city of {c}?",
        ]
    )
    return q.format(c=country), f"The capital of {country} is {CAPITALS[country]}."


def definition(rng: random.Random) -> tuple[str, str]:
    term, bare, text = rng.choice(GLOSSARY)
    q = rng.choice(["What is {t}?", "Define the word '{b}'.", "Explain {t} in one sentence.", "What does '{b}' mean?"])
    return q.format(t=term, b=bare), text


def word_fact(rng: random.Random) -> tuple[str, str]:
    w = rng.choice(WORDS)
    kind = rng.choice(["letters", "backwards", "vowels"])
    if kind == "letters":
        q = rng.choice(["How many letters are in the word '{w}'?", "Count the letters in '{w}'."])
        return q.format(w=w), f"'{w}' has {len(w)} letters."
    if kind == "backwards":
        q = rng.choice(["Spell '{w}' backwards.", "What is '{w}' written in reverse?"])
        return q.format(w=w), f"'{w}' spelled backwards is '{w[::-1]}'."
    n = sum(ch in "aeiou" for ch in w)
    counted = "no vowels" if n == 0 else f"{n} vowel{'s' if n != 1 else ''}"
    return f"How many vowels (a, e, i, o, u) does '{w}' have?", f"'{w}' has {counted}."


def prime(rng: random.Random) -> tuple[str, str]:
    n = rng.randint(2, 400)
    q = rng.choice(["Is {n} a prime number?", "Is {n} prime?", "Can {n} be divided by anything except 1 and itself?"])
    p = next((d for d in range(2, int(n**0.5) + 1) if n % d == 0), None)
    if p is None:
        return q.format(n=n), f"{n} is a prime number: its only divisors are 1 and {n}."
    return q.format(n=n), f"{n} is not a prime number: it equals {p} times {n // p}."


def date_fact(rng: random.Random) -> tuple[str, str]:
    year = rng.randint(1990, 2035)
    kind = rng.choice(["days", "leap", "weekday"])
    if kind == "days":
        m = rng.randint(1, 12)
        name = calendar.month_name[m]
        days = calendar.monthrange(year, m)[1]
        return f"How many days are there in {name} {year}?", f"{name} {year} has {days} days."
    if kind == "leap":
        if calendar.isleap(year):
            return f"Is {year} a leap year?", f"Yes, {year} is a leap year: February {year} has 29 days."
        return f"Is {year} a leap year?", f"No, {year} is not a leap year: February {year} has 28 days."
    d = datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))
    when = f"{calendar.month_name[d.month]} {d.day}, {year}"
    return f"Which day of the week is {when}?", f"{when} is a {calendar.day_name[d.weekday()]}."


def writing(rng: random.Random) -> tuple[str, str]:
    kind = rng.choice(["synonym", "antonym", "spelling"])
    if kind == "synonym":
        w = rng.choice(list(SYNONYMS))
        q = rng.choice(["What's another word for '{w}'?", "Give me a synonym for '{w}'."])
        return q.format(w=w), f"Some alternatives to '{w}' are {SYNONYMS[w]}."
    if kind == "antonym":
        w = rng.choice(list(ANTONYMS))
        q = rng.choice(["What is the opposite of '{w}'?", "Give me an antonym of '{w}'."])
        return q.format(w=w), f"The opposite of '{w}' is '{ANTONYMS[w]}'."
    w = rng.choice(list(MISSPELLINGS))
    q = rng.choice(["How do I spell '{w}' correctly?", "Is '{w}' spelled right?"])
    return q.format(w=w), f"The correct spelling is '{MISSPELLINGS[w]}'."


def small_talk(rng: random.Random) -> tuple[str, str]:
    return rng.choice(SMALL_TALK)


# (weight, generator, domains never offered beside it, add polite framing?)
CATEGORIES = [
    (3, arithmetic, ("math",), True),
    (2, conversion, ("math",), True),
    (2, capital, ("knowledge",), True),
    (2, definition, ("knowledge", "language"), True),
    (2, word_fact, ("language",), True),
    (1, prime, ("math",), True),
    (2, date_fact, ("calendar",), True),
    (2, writing, ("language", "knowledge"), True),
    (1, small_talk, (), False),
]


def sample(rng: random.Random) -> tuple[str, str, tuple[str, ...], bool]:
    """One no-call prompt: (user prompt, answer, excluded domains, may be decorated)."""
    _, make, excluded, decorate = rng.choices(CATEGORIES, weights=[c[0] for c in CATEGORIES])[0]
    user, answer = make(rng)
    return user, answer, excluded, decorate
