"""Development families: unseen task kinds to tune search and prompting against.

The held-out families (:mod:`.heldout`) measure generalisation; choosing a search setting or a
prompting scheme by looking at them would make that measurement optimistic. These six families
play the validation role instead: like the held-out ones they are kinds the training set never
contains (``EXCLUDED_KINDS`` in :mod:`cogex.data.leave_out` keeps them out, and the leave-task-out
checker runs against their instructions and inputs), so a change that helps here is a change that
helps on unseen tasks, and the held-out families stay a test set that nothing was tuned on.

Same contract as the held-out families: one instruction, a reference program whose output
``'answer'`` is the gold target, a sampler with at least 150 distinct inputs.
"""

from __future__ import annotations

import random

from .base import Example, Family

# ---------------------------------------------------------------------------------------------
# 1. Ordinal suffix
# ---------------------------------------------------------------------------------------------


def ordinal(number: int) -> str:
    if number % 100 in (11, 12, 13):
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"


def _ordinal_sample(rng: random.Random) -> Example:
    style = rng.random()
    if style < 0.3:  # the teens and their hundreds: 11th, 112th
        number = rng.choice([11, 12, 13]) + 100 * rng.randint(0, 9)
    elif style < 0.7:  # endings 1, 2, 3
        number = rng.randint(0, 99) * 10 + rng.choice([1, 2, 3])
    else:
        number = rng.randint(1, 2000)
    text = rng.choice([str(number), f"Number: {number}", f"the number {number}", f"{number}?",
                       f"Position {number} in the race."])
    return Example(input=text, args=(text,))


ORDINALS = Family(
    name="ordinal_suffix",
    kind="compute",
    instructions=("Write the number as an ordinal with its suffix (st, nd, rd or th), as in 1st or 22nd. "
                  "Answer with the ordinal only.",),
    programs=(
        r'''import re

def ordinal_suffix(text):
    """Write a number with its ordinal suffix."""
    # Step 1: Read the number from the text.
    number = int(re.search(r"\d+", text).group())
    # Step 2: Numbers ending in 11, 12 and 13 take 'th'; otherwise the last digit decides.
    if number % 100 in (11, 12, 13):
        suffix = 'th'
    else:
        suffix = {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th')
    return {'number': number, 'suffix': suffix, 'answer': str(number) + suffix}
''',
    ),
    sample=_ordinal_sample,
    answer_format="text",
)

# ---------------------------------------------------------------------------------------------
# 2. Zodiac sign of a birth date (dates near a cusp are never drawn: sources differ by a day)
# ---------------------------------------------------------------------------------------------

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_DAYS_IN = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
#: (month, first day) each sign starts on, in calendar order.
_SIGN_STARTS = ((1, 20, "Aquarius"), (2, 19, "Pisces"), (3, 21, "Aries"), (4, 20, "Taurus"),
                (5, 21, "Gemini"), (6, 21, "Cancer"), (7, 23, "Leo"), (8, 23, "Virgo"), (9, 23, "Libra"),
                (10, 23, "Scorpio"), (11, 22, "Sagittarius"), (12, 22, "Capricorn"))
_SIGNS = tuple(sorted(s for _, _, s in _SIGN_STARTS))


def zodiac(month: int, day: int) -> str:
    sign = "Capricorn"
    for start_month, start_day, name in _SIGN_STARTS:
        if (month, day) >= (start_month, start_day):
            sign = name
    return sign


def _zodiac_sample(rng: random.Random) -> Example:
    while True:
        month = rng.randint(1, 12)
        day = rng.randint(1, _DAYS_IN[month - 1])
        start_day = _SIGN_STARTS[month - 1][1]
        if abs(day - start_day) > 2:  # more than two days from the cusp
            break
    name = _MONTHS[month - 1]
    year = rng.randint(1950, 2015)
    text = rng.choice([f"{name} {day}", f"{day} {name}", f"Born on {name} {day}, {year}.",
                       f"Birthday: {day} {name}", f"born {name} {day}", f"{name} {day}, {year}"])
    return Example(input=text, args=(text,))


ZODIAC = Family(
    name="zodiac_sign",
    kind="compute",
    instructions=("What is the zodiac sign of a person born on this date? Answer with the sign only.",),
    programs=(
        r'''import re

def zodiac_sign(text):
    """Find the zodiac sign of a birth date."""
    # Step 1: Read the month name and the day of the month.
    months = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august',
              'september', 'october', 'november', 'december']
    words = re.findall(r"[a-z]+|\d+", text.lower())
    month = next(months.index(w) + 1 for w in words if w in months)
    day = next(int(w) for w in words if w.isdigit() and int(w) <= 31)
    # Step 2: Walk the sign start dates in calendar order; the last one passed is the sign.
    starts = [(1, 20, 'Aquarius'), (2, 19, 'Pisces'), (3, 21, 'Aries'), (4, 20, 'Taurus'),
              (5, 21, 'Gemini'), (6, 21, 'Cancer'), (7, 23, 'Leo'), (8, 23, 'Virgo'),
              (9, 23, 'Libra'), (10, 23, 'Scorpio'), (11, 22, 'Sagittarius'), (12, 22, 'Capricorn')]
    sign = 'Capricorn'
    for start_month, start_day, name in starts:
        if (month, day) >= (start_month, start_day):
            sign = name
    return {'month': month, 'day': day, 'answer': sign}
''',
    ),
    sample=_zodiac_sample,
    answer_format="label",
    labels=_SIGNS,
)

# ---------------------------------------------------------------------------------------------
# 3. ISBN-10 check
# ---------------------------------------------------------------------------------------------


def isbn10_valid(digits: str) -> bool:
    values = [10 if c == "X" else int(c) for c in digits]
    return sum((10 - i) * v for i, v in enumerate(values)) % 11 == 0


def _isbn_sample(rng: random.Random) -> Example:
    body = [rng.randint(0, 9) for _ in range(9)]
    check = (11 - sum((10 - i) * v for i, v in enumerate(body)) % 11) % 11
    digits = "".join(map(str, body)) + ("X" if check == 10 else str(check))
    if rng.random() < 0.5:  # make it invalid: change one character
        while isbn10_valid(digits):
            i = rng.randrange(10)
            digits = digits[:i] + rng.choice("0123456789") + digits[i + 1:]
    a, b = rng.randint(1, 2), rng.randint(2, 4)
    hyphenated = f"{digits[:a]}-{digits[a:a + b]}-{digits[a + b:9]}-{digits[9]}"
    number = hyphenated if rng.random() < 0.6 else digits
    text = rng.choice([number, f"ISBN {number}", f"ISBN-10: {number}", f"isbn {number}"])
    return Example(input=text, args=(text,))


ISBN = Family(
    name="isbn10_valid",
    kind="compute",
    instructions=("Is this ISBN-10 valid? It is valid when the sum of each digit times its weight (10 for "
                  "the first digit, 9 for the second, down to 1 for the last; X counts as 10) is divisible "
                  "by 11. Answer yes or no.",),
    programs=(
        r'''def isbn10_valid(text):
    """Check an ISBN-10 with its weighted digit sum."""
    # Step 1: Keep the ten digits (X counts as 10), after the word ISBN and its label.
    number = text.upper().replace('ISBN-10', '').replace('ISBN', '')
    values = [10 if c == 'X' else int(c) for c in number if c.isdigit() or c == 'X']
    # Step 2: Weight the digits 10, 9, ..., 1 and test divisibility by 11.
    total = sum((10 - i) * v for i, v in enumerate(values))
    answer = 'yes' if len(values) == 10 and total % 11 == 0 else 'no'
    return {'digits': values, 'weighted_sum': total, 'answer': answer}
''',
    ),
    sample=_isbn_sample,
    answer_format="label",
    labels=("no", "yes"),
)

# ---------------------------------------------------------------------------------------------
# 4. Scrabble score
# ---------------------------------------------------------------------------------------------

_LETTER_POINTS = {**dict.fromkeys("aeilnorstu", 1), **dict.fromkeys("dg", 2), **dict.fromkeys("bcmp", 3),
                  **dict.fromkeys("fhvwy", 4), "k": 5, **dict.fromkeys("jx", 8), **dict.fromkeys("qz", 10)}
_SCRABBLE_WORDS = (
    "quiz", "jazz", "zebra", "oxygen", "puzzle", "kitchen", "rhythm", "banana", "python", "wizard",
    "jacket", "galaxy", "yellow", "mother", "jungle", "pickle", "quick", "frozen", "garden", "window",
    "coffee", "silver", "bridge", "planet", "rocket", "violin", "dragon", "castle", "forest", "marble",
    "breeze", "pepper", "honey", "lemon", "tiger", "whale", "eagle", "spoon", "cloud", "storm", "candle",
    "table", "chair", "water", "music", "paper", "pencil", "orange", "purple", "basket", "ticket",
    "monkey", "turkey", "cheese", "button", "summer", "winter", "autumn", "spring", "flower", "mirror",
    "hammer", "ladder", "island", "desert", "valley", "meadow", "anchor", "harbor", "voyage", "squash",
    "fox", "box", "ax", "ox", "jam", "zip", "quilt", "sphinx", "vex", "wax", "hex", "kiwi", "yak",
)


def _scrabble_sample(rng: random.Random) -> Example:
    word = rng.choice(_SCRABBLE_WORDS)
    word = rng.choice([word, word.upper(), word.capitalize()])
    text = rng.choice([word, f"Word: {word}", f"{word}", f"The word is {word}.", f"'{word}'"])
    return Example(input=text, args=(text,))


SCRABBLE = Family(
    name="scrabble_score",
    kind="compute",
    instructions=("What is the Scrabble score of the word, adding the standard English letter values "
                  "without any bonus squares? Answer with the number only.",),
    programs=(
        r'''import re

def scrabble_score(text):
    """Add the Scrabble letter values of a word."""
    # Step 1: Take the word itself, without labels or quotes.
    word = re.sub(r"^(word:|the word is)\s*", '', text.strip().lower()).strip(" '.")
    # Step 2: Look up each letter's value and add them.
    points = {}
    for letters, value in [('aeilnorstu', 1), ('dg', 2), ('bcmp', 3), ('fhvwy', 4), ('k', 5),
                           ('jx', 8), ('qz', 10)]:
        for letter in letters:
            points[letter] = value
    values = [points[c] for c in word if c in points]
    return {'word': word, 'values': values, 'answer': sum(values)}
''',
    ),
    sample=_scrabble_sample,
    answer_format="number",
)

# ---------------------------------------------------------------------------------------------
# 5. Animal sound (knowledge)
# ---------------------------------------------------------------------------------------------

_SOUND_OF = {
    "dog": "bark", "puppy": "bark", "cat": "meow", "kitten": "meow", "cow": "moo", "calf": "moo",
    "sheep": "baa", "lamb": "baa", "duck": "quack", "pig": "oink", "horse": "neigh", "pony": "neigh",
    "lion": "roar", "tiger": "roar", "snake": "hiss", "owl": "hoot", "frog": "croak", "toad": "croak",
    "bee": "buzz", "mosquito": "buzz", "donkey": "bray", "mouse": "squeak", "wolf": "howl",
    "turkey": "gobble",
}
_SOUNDS = tuple(sorted(set(_SOUND_OF.values())))


def _sound_sample(rng: random.Random) -> Example:
    animal = rng.choice(sorted(_SOUND_OF))
    article = "an" if animal[0] in "aeiou" else "a"
    text = rng.choice([animal, animal.capitalize(), f"Animal: {animal}", f"{article} {animal}",
                       f"The animal is {article} {animal}.", f"What does {article} {animal} say?",
                       animal.upper(), f"animal: {animal.capitalize()}", f"the {animal}"])
    return Example(input=text, args=(text,))


SOUNDS = Family(
    name="animal_sound",
    kind="knowledge",
    instructions=("What sound does this animal make? Answer with one word, such as bark or moo.",),
    programs=(
        r'''import re

def animal_sound(text):
    """Name the sound an animal makes."""
    # Step 1: Remove labels, articles and punctuation to get the bare animal name.
    name = text.strip().rstrip('.?').lower()
    name = re.sub(r"^(animal:|the animal is|what does)\s*", '', name)
    name = re.sub(r"^(an?|the)\s+", '', name).replace(' say', '')
    # Step 2: Look up the sound (knowledge, not computation).
    answer = sound_of(name)
    return {'animal': name, 'answer': answer}
''',
    ),
    helpers=(
        "_SOUND_OF = " + repr(_SOUND_OF) + "\n\n\n"
        "def sound_of(animal):\n    return _SOUND_OF[animal.strip().lower()]\n"
    ),
    sample=_sound_sample,
    answer_format="label",
    labels=_SOUNDS,
)

# ---------------------------------------------------------------------------------------------
# 6. Colour mixing (knowledge)
# ---------------------------------------------------------------------------------------------

_MIXES = {("red", "yellow"): "orange", ("blue", "yellow"): "green", ("blue", "red"): "purple",
          ("red", "white"): "pink"}
_MIX_LABELS = tuple(sorted(set(_MIXES.values())))


def _mix_sample(rng: random.Random) -> Example:
    first, second = rng.choice(sorted(_MIXES))
    if rng.random() < 0.5:
        first, second = second, first
    if rng.random() < 0.3:
        first, second = first.capitalize(), second
    text = rng.choice([f"{first} and {second}", f"{first} + {second}", f"Mix {first} with {second}.",
                       f"Colours: {first}, {second}", f"{first} paint and {second} paint",
                       f"What do {first} and {second} make?", f"{first} mixed with {second}",
                       f"{first} with {second}", f"Paints: {first} and {second}", f"{first}, {second}",
                       f"Mixing {first} and {second}", f"{first} plus {second}"])
    return Example(input=text, args=(text,))


MIXING = Family(
    name="color_mixing",
    kind="knowledge",
    instructions=("Which colour do you get when you mix these two paint colours? Answer with the colour only.",),
    programs=(
        r'''import re

def color_mixing(text):
    """Name the colour two paints make when mixed."""
    # Step 1: Find the two colour names in the text.
    colours = [w for w in re.findall(r"[a-z]+", text.lower()) if w in ('red', 'yellow', 'blue', 'white')]
    # Step 2: Look up the mixture (knowledge, not computation).
    answer = mixture_of(colours[0], colours[1])
    return {'colours': colours, 'answer': answer}
''',
    ),
    helpers=(
        "_MIXES = " + repr({"+".join(k): v for k, v in _MIXES.items()}) + "\n\n\n"
        "def mixture_of(a, b):\n    return _MIXES['+'.join(sorted([a, b]))]\n"
    ),
    sample=_mix_sample,
    answer_format="label",
    labels=_MIX_LABELS,
)

FAMILIES = [ORDINALS, ZODIAC, ISBN, SCRABBLE, SOUNDS, MIXING]
