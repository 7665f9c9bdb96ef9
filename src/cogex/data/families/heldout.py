"""Held-out evaluation families: task kinds that never enter training.

Each family has exactly one instruction, a reference program (the gold target of an item is
``str(output['answer'])``) and a sampler that yields at least 300 distinct inputs. These are the
kinds that the training generators are forbidden to write (Roman numerals, Caesar ciphers,
bracket balance, swap tracking, animal classes, continents, weekday arithmetic, word reversal,
unit-price comparison, verb tense).
"""

from __future__ import annotations

import random

from .base import Example, Family

# ---------------------------------------------------------------------------------------------
# 1. Roman numeral -> integer
# ---------------------------------------------------------------------------------------------

_ROMAN_STEPS = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def to_roman(number: int) -> str:
    out = []
    for value, symbol in _ROMAN_STEPS:
        while number >= value:
            out.append(symbol)
            number -= value
    return "".join(out)


def _roman_sample(rng: random.Random) -> Example:
    low, high = rng.choice([(1, 39), (40, 399), (400, 1999), (2000, 3999)])
    numeral = to_roman(rng.randint(low, high))
    return Example(input=numeral, args=(numeral,))


ROMAN = Family(
    name="roman_to_integer",
    kind="compute",
    instructions=("Convert the Roman numeral to an integer. Answer with the number only.",),
    programs=(
        r'''def roman_to_integer(numeral):
    """Convert a Roman numeral to its integer value."""
    # Step 1: Map each symbol to its value.
    table = {'I': 1, 'V': 5, 'X': 10, 'L': 50, 'C': 100, 'D': 500, 'M': 1000}
    values = [table[ch] for ch in numeral.strip().upper()]
    # Step 2: Add each value, subtracting it when a larger value follows.
    total = 0
    for i, value in enumerate(values):
        if i + 1 < len(values) and value < values[i + 1]:
            total -= value
        else:
            total += value
    return {'values': values, 'answer': total}
''',
    ),
    sample=_roman_sample,
    answer_format="number",
)

# ---------------------------------------------------------------------------------------------
# 2. Caesar decode
# ---------------------------------------------------------------------------------------------

_PLAIN_WORDS = [
    "apple", "river", "garden", "window", "silver", "morning", "bridge", "candle", "forest", "yellow",
    "market", "pocket", "winter", "summer", "letter", "orange", "planet", "rabbit", "secret", "castle",
    "meet", "me", "at", "the", "old", "mill", "bring", "your", "map", "go", "north", "now", "wait",
    "for", "my", "signal", "hide", "gold", "under", "stone", "open", "door", "after", "dark", "left",
    "right", "tower", "ship", "sails", "tonight", "green", "house", "near", "lake", "quiet", "road",
    "train", "leaves", "early", "keep", "calm", "stay", "home", "red", "fox", "runs", "fast", "blue",
    "sky", "cold", "tea", "warm", "bread", "happy", "birthday", "good", "luck", "see", "you", "soon",
    "hello", "world", "moon", "rises", "east", "west", "south", "key", "box", "small", "big", "dog",
]


def caesar_shift(text: str, shift: int) -> str:
    out = []
    for ch in text:
        if ch.isalpha():
            base = ord("a") if ch.islower() else ord("A")
            out.append(chr((ord(ch) - base + shift) % 26 + base))
        else:
            out.append(ch)
    return "".join(out)


def _caesar_sample(rng: random.Random) -> Example:
    words = [rng.choice(_PLAIN_WORDS) for _ in range(rng.randint(2, 4))]
    plain = " ".join(words)
    shift = rng.randint(1, 25)
    encoded = caesar_shift(plain, shift)
    style = rng.random()
    if style < 0.4:
        encoded = encoded[0].upper() + encoded[1:]
    elif style < 0.55:
        encoded = encoded.upper()
    template = rng.choice(["Shift: {k}. Message: {m}", "Shift {k}. Message: {m}", "Shift: {k} | Message: {m}"])
    text = template.format(k=shift, m=encoded)
    return Example(input=text, args=(text,))


CAESAR = Family(
    name="caesar_decode",
    kind="compute",
    instructions=(
        "The message was encoded with a Caesar cipher that moves every letter forward in the alphabet "
        "by the stated shift. Decode it. Answer with the decoded message in lower case.",
    ),
    programs=(
        r'''import re
import string

def caesar_decode(text):
    """Decode a Caesar-shifted message using the shift stated in the text."""
    # Step 1: Read the shift and the encoded message from the text.
    shift = int(re.search(r"shift\D*(\d+)", text, re.I).group(1))
    message = text.split("Message:")[1].strip().lower()
    # Step 2: Move every letter back by the shift, keeping spaces as they are.
    letters = string.ascii_lowercase
    decoded = ''.join(letters[(letters.index(c) - shift) % 26] if c in letters else c for c in message)
    return {'shift': shift, 'message': message, 'answer': decoded}
''',
    ),
    sample=_caesar_sample,
    answer_format="text",
)

# ---------------------------------------------------------------------------------------------
# 3. Balanced brackets
# ---------------------------------------------------------------------------------------------

_OPEN, _CLOSE = "([{", ")]}"


def is_balanced(seq: str) -> bool:
    pairs = {")": "(", "]": "[", "}": "{"}
    stack = []
    for ch in seq:
        if ch in _OPEN:
            stack.append(ch)
        elif not stack or stack.pop() != pairs[ch]:
            return False
    return not stack


def _random_balanced(rng: random.Random, pairs: int) -> str:
    out, stack, opened = [], [], 0
    while opened < pairs or stack:
        if opened < pairs and (not stack or rng.random() < 0.5):
            kind = rng.randrange(3)
            out.append(_OPEN[kind])
            stack.append(kind)
            opened += 1
        else:
            out.append(_CLOSE[stack.pop()])
    return "".join(out)


def _brackets_sample(rng: random.Random) -> Example:
    want = rng.random() < 0.5
    while True:
        if want:
            seq = _random_balanced(rng, rng.randint(2, 8))
        else:
            how = rng.random()
            seq = list(_random_balanced(rng, rng.randint(2, 8)))
            if how < 0.35:  # change one bracket into another bracket character
                i = rng.randrange(len(seq))
                seq[i] = rng.choice([c for c in _OPEN + _CLOSE if c != seq[i]])
            elif how < 0.6:  # swap two positions
                i, j = rng.sample(range(len(seq)), 2)
                seq[i], seq[j] = seq[j], seq[i]
            elif how < 0.8:  # shuffle everything
                rng.shuffle(seq)
            else:  # drop or add one character (odd length)
                if len(seq) > 4 and rng.random() < 0.5:
                    del seq[rng.randrange(len(seq))]
                else:
                    seq.insert(rng.randrange(len(seq) + 1), rng.choice(_OPEN + _CLOSE))
            seq = "".join(seq)
        if 4 <= len(seq) <= 16 and is_balanced(seq) == want:
            return Example(input=seq, args=(seq,))


BRACKETS = Family(
    name="balanced_brackets",
    kind="compute",
    instructions=(
        "Is the bracket sequence balanced, with every bracket closed by a bracket of the same type "
        "in the right order? Answer yes or no.",
    ),
    programs=(
        r'''def balanced_brackets(sequence):
    """Check whether every bracket in the sequence is closed in the right order."""
    # Step 1: Pair each closing bracket with its opening bracket.
    pairs = {')': '(', ']': '[', '}': '{'}
    # Step 2: Push openers on a stack and pop them when a closer appears.
    stack = []
    mismatch = False
    for ch in sequence:
        if ch in '([{':
            stack.append(ch)
        elif not stack or stack.pop() != pairs[ch]:
            mismatch = True
            break
    # Step 3: Balanced only if nothing mismatched and no opener is left.
    answer = 'yes' if not mismatch and not stack else 'no'
    return {'mismatch': mismatch, 'unclosed': len(stack), 'answer': answer}
''',
    ),
    sample=_brackets_sample,
    answer_format="label",
    labels=("yes", "no"),
)

# ---------------------------------------------------------------------------------------------
# 4. Swap tracking
# ---------------------------------------------------------------------------------------------

_PEOPLE = ["Alice", "Bob", "Carol", "David", "Emma", "Felix", "Grace", "Henry", "Iris", "Jack", "Karen",
           "Leo", "Maya", "Nora", "Oscar", "Priya", "Quinn", "Rosa", "Sam", "Tara", "Umar", "Vera",
           "Walter", "Xena", "Yusuf", "Zoe", "Aaron", "Bella", "Chen", "Diego"]
_COLOURS = ("red", "blue", "green", "yellow", "purple", "orange", "pink", "white", "black", "brown")


def _swap_sample(rng: random.Random) -> Example:
    people = rng.sample(_PEOPLE, 3)
    colours = rng.sample(_COLOURS, 3)
    starts = [f"{p} has {'an' if c[0] in 'aeiou' else 'a'} {c} ball" for p, c in zip(people, colours)]
    text = f"{starts[0]}, {starts[1]}, and {starts[2]}."
    n = rng.randint(2, 5)
    openers = ["First"] + ["Then"] * (n - 2) + ["Finally"]
    if n > 2 and rng.random() < 0.5:
        openers[1] = "After that"
    for opener in openers:
        a, b = rng.sample(people, 2)
        verb = rng.choice(["swap", "trade", "exchange"])
        text += f" {opener}, {a} and {b} {verb} balls."
    who = rng.choice(people)
    text += rng.choice([f" At the end, which colour ball does {who} have?",
                        f" Which colour ball does {who} have at the end?"])
    return Example(input=text, args=(text,))


SWAPS = Family(
    name="swap_tracking",
    kind="compute",
    instructions=(
        "Follow the swaps and tell which colour ball the person asked about has at the end. "
        "Answer with the colour only.",
    ),
    programs=(
        r'''import re

def swap_tracking(text):
    """Follow ball swaps between people and report one person's final ball colour."""
    # Step 1: Read who starts with which colour.
    balls = dict(re.findall(r"(\w+) has an? (\w+) ball", text))
    # Step 2: Apply each swap in order.
    swaps = re.findall(r"(\w+) and (\w+) (?:swap|trade|exchange) balls", text)
    for a, b in swaps:
        balls[a], balls[b] = balls[b], balls[a]
    # Step 3: Look up the person asked about.
    person = re.search(r"does (\w+) have", text).group(1)
    return {'final': balls, 'swaps': len(swaps), 'answer': balls[person]}
''',
    ),
    sample=_swap_sample,
    answer_format="label",
    labels=_COLOURS,
)

# ---------------------------------------------------------------------------------------------
# 5. Animal class
# ---------------------------------------------------------------------------------------------

_ANIMALS_BY_CLASS = {
    "mammal": [
        "dog", "cat", "horse", "cow", "elephant", "giraffe", "lion", "tiger", "bear", "wolf", "fox",
        "rabbit", "mouse", "rat", "squirrel", "bat", "whale", "dolphin", "kangaroo", "koala", "platypus",
        "gorilla", "chimpanzee", "zebra", "camel", "deer", "moose", "hippopotamus", "rhinoceros", "otter",
        "beaver", "hedgehog", "sheep", "goat", "pig", "leopard", "cheetah", "porcupine", "sloth",
        "armadillo", "walrus", "raccoon", "skunk", "badger", "llama", "hamster", "bison", "giant panda",
    ],
    "bird": [
        "eagle", "sparrow", "penguin", "ostrich", "owl", "parrot", "pigeon", "crow", "robin", "flamingo",
        "peacock", "swan", "duck", "goose", "chicken", "turkey", "hawk", "falcon", "hummingbird",
        "woodpecker", "emu", "pelican", "seagull", "vulture", "heron", "stork", "toucan", "canary",
        "magpie", "raven", "finch", "albatross", "kingfisher", "cuckoo", "puffin", "wren", "starling",
        "quail", "pheasant", "condor", "cockatoo", "blue jay",
    ],
    "reptile": [
        "snake", "lizard", "crocodile", "alligator", "turtle", "tortoise", "iguana", "gecko", "chameleon",
        "cobra", "python", "rattlesnake", "komodo dragon", "anaconda", "boa constrictor", "viper", "skink",
        "monitor lizard", "gila monster", "tuatara", "sea turtle", "king cobra", "gharial", "caiman",
        "horned lizard", "bearded dragon", "garter snake", "black mamba", "box turtle",
        "leatherback turtle", "frilled lizard", "anole", "snapping turtle", "copperhead",
    ],
    "fish": [
        "salmon", "tuna", "trout", "shark", "goldfish", "cod", "carp", "catfish", "eel", "swordfish",
        "clownfish", "piranha", "sardine", "herring", "mackerel", "halibut", "perch", "pike", "barracuda",
        "stingray", "seahorse", "pufferfish", "anchovy", "guppy", "tilapia", "marlin", "flounder",
        "angelfish", "sturgeon", "haddock", "minnow", "manta ray", "hammerhead shark", "zebrafish",
        "lionfish", "grouper", "koi",
    ],
    "amphibian": [
        "frog", "toad", "salamander", "newt", "axolotl", "caecilian", "bullfrog", "tree frog",
        "poison dart frog", "hellbender", "mudpuppy", "fire salamander", "cane toad", "tiger salamander",
        "olm", "spring peeper", "leopard frog", "glass frog", "horned frog", "natterjack toad",
        "spotted salamander", "red-eyed tree frog", "great crested newt", "midwife toad", "goliath frog",
        "wood frog", "surinam toad", "african clawed frog", "fire-bellied toad", "marbled newt",
    ],
    "insect": [
        "ant", "bee", "butterfly", "moth", "beetle", "grasshopper", "cricket", "dragonfly", "mosquito",
        "housefly", "ladybug", "wasp", "termite", "cockroach", "flea", "louse", "firefly", "cicada",
        "praying mantis", "stick insect", "hornet", "bumblebee", "honeybee", "earwig", "aphid", "weevil",
        "locust", "damselfly", "silverfish", "gnat", "horsefly", "dung beetle", "monarch butterfly",
        "stag beetle", "bed bug", "mayfly", "katydid",
    ],
}
_ANIMAL_CLASS = {a: c for c, animals in _ANIMALS_BY_CLASS.items() for a in animals}
_ANIMAL_LABELS = ("mammal", "bird", "reptile", "fish", "amphibian", "insect")


def animal_class_of(animal: str) -> str:
    return _ANIMAL_CLASS[animal.strip().lower()]


def _animal_sample(rng: random.Random) -> Example:
    animal = rng.choice(_ANIMALS_BY_CLASS[rng.choice(_ANIMAL_LABELS)])
    article = "an" if animal[0] in "aeiou" else "a"
    text = rng.choice([
        animal, animal.capitalize(), animal.upper(), f"Animal: {animal}", f"animal: {animal.capitalize()}",
        f"The animal is {article} {animal}.",
    ])
    return Example(input=text, args=(text,))


ANIMALS = Family(
    name="animal_class",
    kind="knowledge",
    instructions=(
        "Which class does this animal belong to: mammal, bird, reptile, fish, amphibian or insect? "
        "Answer with the class only.",
    ),
    programs=(
        r'''import re

def animal_class(text):
    """Name the zoological class an animal belongs to."""
    # Step 1: Remove labels, articles and punctuation to get the bare animal name.
    name = text.strip().rstrip('.').lower()
    name = re.sub(r"^(animal:|the animal is an?)\s+", '', name)
    # Step 2: Look up the animal's class (knowledge, not computation).
    answer = animal_class_of(name)
    return {'animal': name, 'answer': answer}
''',
    ),
    helpers=(
        "_ANIMAL_CLASS = " + repr(_ANIMAL_CLASS) + "\n\n\n"
        "def animal_class_of(animal):\n    return _ANIMAL_CLASS[animal.strip().lower()]\n"
    ),
    sample=_animal_sample,
    answer_format="label",
    labels=_ANIMAL_LABELS,
)

# ---------------------------------------------------------------------------------------------
# 6. Country continent
# ---------------------------------------------------------------------------------------------

_COUNTRIES_BY_CONTINENT = {
    "Africa": [
        "Nigeria", "Kenya", "Ghana", "Ethiopia", "South Africa", "Morocco", "Algeria", "Tunisia", "Libya",
        "Sudan", "South Sudan", "Uganda", "Tanzania", "Rwanda", "Burundi", "Somalia", "Djibouti", "Eritrea",
        "Senegal", "Mali", "Niger", "Chad", "Cameroon", "Gabon", "Angola", "Zambia", "Zimbabwe", "Botswana",
        "Namibia", "Mozambique", "Malawi", "Madagascar", "Mauritius", "Seychelles", "Lesotho", "Eswatini",
        "Benin", "Togo", "Burkina Faso", "Ivory Coast", "Liberia", "Sierra Leone", "Guinea", "Guinea-Bissau",
        "Gambia", "Mauritania", "Cape Verde", "Equatorial Guinea", "Central African Republic",
        "Democratic Republic of the Congo", "Comoros",
    ],
    "Asia": [
        "China", "Japan", "India", "Pakistan", "Bangladesh", "Nepal", "Bhutan", "Sri Lanka", "Maldives",
        "Afghanistan", "Iran", "Iraq", "Syria", "Jordan", "Lebanon", "Israel", "Saudi Arabia", "Yemen",
        "Oman", "United Arab Emirates", "Qatar", "Bahrain", "Kuwait", "Mongolia", "North Korea",
        "South Korea", "Vietnam", "Laos", "Cambodia", "Thailand", "Myanmar", "Malaysia", "Singapore",
        "Philippines", "Brunei", "Uzbekistan", "Turkmenistan", "Tajikistan", "Kyrgyzstan",
    ],
    "Europe": [
        "France", "Germany", "Spain", "Portugal", "Italy", "United Kingdom", "Ireland", "Netherlands",
        "Belgium", "Luxembourg", "Switzerland", "Austria", "Poland", "Czech Republic", "Slovakia", "Hungary",
        "Romania", "Bulgaria", "Greece", "Croatia", "Serbia", "Slovenia", "Bosnia and Herzegovina",
        "Montenegro", "Albania", "North Macedonia", "Denmark", "Norway", "Sweden", "Finland", "Iceland",
        "Estonia", "Latvia", "Lithuania", "Ukraine", "Belarus", "Moldova", "Malta", "Monaco", "Andorra",
        "Liechtenstein", "San Marino",
    ],
    "North America": [
        "United States", "Canada", "Mexico", "Guatemala", "Belize", "Honduras", "El Salvador", "Nicaragua",
        "Costa Rica", "Panama", "Cuba", "Jamaica", "Haiti", "Dominican Republic", "Bahamas", "Barbados",
        "Grenada", "Saint Lucia", "Dominica", "Antigua and Barbuda", "Saint Kitts and Nevis",
    ],
    "South America": [
        "Argentina", "Bolivia", "Brazil", "Chile", "Colombia", "Ecuador", "Guyana", "Paraguay", "Peru",
        "Suriname", "Uruguay", "Venezuela",
    ],
    "Oceania": [
        "Australia", "New Zealand", "Papua New Guinea", "Fiji", "Solomon Islands", "Vanuatu", "Samoa",
        "Tonga", "Kiribati", "Micronesia", "Marshall Islands", "Palau", "Nauru", "Tuvalu",
    ],
}
_CONTINENT_OF = {c.lower(): k for k, cs in _COUNTRIES_BY_CONTINENT.items() for c in cs}
_CONTINENTS = ("Africa", "Asia", "Europe", "North America", "South America", "Oceania")


def continent_of(country: str) -> str:
    return _CONTINENT_OF[country.strip().lower()]


def _country_sample(rng: random.Random) -> Example:
    country = rng.choice(_COUNTRIES_BY_CONTINENT[rng.choice(_CONTINENTS)])
    text = rng.choice([
        country, country.lower(), country.upper(), f"Country: {country}", f"country: {country.lower()}",
        f"The country is {country}.", f"{country}?",
    ])
    return Example(input=text, args=(text,))


COUNTRIES = Family(
    name="country_continent",
    kind="knowledge",
    instructions=(
        "On which continent is this country? Answer with one of: Africa, Asia, Europe, North America, "
        "South America, Oceania.",
    ),
    programs=(
        r'''import re

def country_continent(text):
    """Name the continent a country lies on."""
    # Step 1: Remove labels and punctuation to get the bare country name.
    name = text.strip().rstrip('.?')
    name = re.sub(r"^(country:|the country is)\s+", '', name, flags=re.I)
    # Step 2: Look up the continent (knowledge, not computation).
    answer = continent_of(name)
    return {'country': name, 'answer': answer}
''',
    ),
    helpers=(
        "_CONTINENT_OF = " + repr(_CONTINENT_OF) + "\n\n\n"
        "def continent_of(country):\n    return _CONTINENT_OF[country.strip().lower()]\n"
    ),
    sample=_country_sample,
    answer_format="label",
    labels=_CONTINENTS,
)

# ---------------------------------------------------------------------------------------------
# 7. Weekday offset
# ---------------------------------------------------------------------------------------------

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _weekday_sample(rng: random.Random) -> Example:
    start = rng.choice(_WEEKDAYS)
    n = rng.randint(1, 30) if rng.random() < 0.5 else rng.randint(31, 150)
    unit = "day" if n == 1 else "days"
    question = rng.choice([
        f"What day of the week will it be in {n} {unit}?",
        f"What day of the week will it be {n} {unit} from now?",
        f"What day of the week was it {n} {unit} ago?",
        f"Which day of the week was it {n} {unit} ago?",
    ])
    text = f"Today is {start}. {question}"
    return Example(input=text, args=(text,))


WEEKDAYS = Family(
    name="weekday_offset",
    kind="compute",
    instructions=("Answer the question about the day of the week. Answer with the name of the day only.",),
    programs=(
        r'''import re

def weekday_offset(text):
    """Find the weekday a number of days after or before today's weekday."""
    # Step 1: Read today's weekday, the number of days and the direction.
    days = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']
    start = re.search(r"Today is (\w+)", text).group(1)
    n = int(re.search(r"(\d+) days?", text).group(1))
    offset = -n if 'ago' in text else n
    # Step 2: Move around the seven-day week.
    answer = days[(days.index(start) + offset) % 7]
    return {'start': start, 'offset': offset, 'answer': answer}
''',
    ),
    sample=_weekday_sample,
    answer_format="label",
    labels=_WEEKDAYS,
)

# ---------------------------------------------------------------------------------------------
# 8. Reverse words
# ---------------------------------------------------------------------------------------------

_DETS = ["the", "a", "my", "your", "our", "this", "that", "every"]
_ADJS = ["small", "quiet", "bright", "old", "happy", "green", "tall", "cold", "lazy", "brave", "tiny",
         "noisy", "gentle", "clever", "empty", "heavy", "sweet", "round", "wild", "busy"]
_NOUNS = ["cat", "river", "teacher", "garden", "train", "window", "baker", "lamp", "horse", "city",
          "child", "book", "cloud", "farmer", "ship", "kitchen", "bird", "road", "pilot", "mountain",
          "letter", "piano", "forest", "student", "apple", "bridge", "painter", "table", "storm", "village"]
_VERBS = ["sees", "likes", "follows", "finds", "paints", "carries", "watches", "visits", "crosses",
          "opens", "builds", "reads", "cleans", "passes", "helps", "sings", "waits", "sleeps", "runs"]
_PREPS = ["near", "under", "behind", "over", "beside", "across", "inside", "past"]
_ADVS = ["slowly", "today", "again", "quickly", "often", "quietly", "early", "together", "outside", "now"]
_ALL_WORDS = sorted(set(_DETS + _ADJS + _NOUNS + _VERBS + _PREPS + _ADVS))


def _reverse_sample(rng: random.Random) -> Example:
    n = rng.randint(3, 9)
    if rng.random() < 0.5:
        words = [rng.choice(_ALL_WORDS) for _ in range(n)]
    else:
        pattern = [_DETS, _ADJS, _NOUNS, _VERBS, _PREPS, _DETS, _ADJS, _NOUNS, _ADVS]
        start = rng.randint(0, 9 - n)
        words = [rng.choice(pool) for pool in pattern[start:start + n]]
    sentence = " ".join(words)
    return Example(input=sentence, args=(sentence,))


REVERSE = Family(
    name="reverse_words",
    kind="compute",
    instructions=("Reverse the order of the words in the sentence. Answer with the reversed sentence only.",),
    programs=(
        r'''def reverse_words(sentence):
    """Reverse the order of the words in a sentence."""
    # Step 1: Split the sentence into words.
    words = sentence.split()
    # Step 2: Reverse the list and join it back with single spaces.
    reversed_words = words[::-1]
    answer = ' '.join(reversed_words)
    return {'words': words, 'answer': answer}
''',
    ),
    sample=_reverse_sample,
    answer_format="text",
)

# ---------------------------------------------------------------------------------------------
# 9. Better deal
# ---------------------------------------------------------------------------------------------

_ITEMS = ["pens", "notebooks", "apples", "pencils", "batteries", "candles", "mugs", "socks", "towels",
          "light bulbs", "bars of soap", "bottles of water", "cans of soup", "muffins", "oranges", "erasers",
          "markers", "tennis balls", "plates", "glue sticks", "packs of gum", "bagels", "lemons", "rolls of tape",
          "cookies", "t-shirts", "paintbrushes", "spoons", "envelopes", "jars of honey"]


def _deal_sample(rng: random.Random) -> Example:
    while True:
        qa, qb = rng.randint(2, 12), rng.randint(2, 12)
        unit = rng.choice([rng.uniform(0.2, 2.0), rng.uniform(2.0, 9.0)])
        factor = rng.uniform(0.65, 0.95)  # the better offer's unit price relative to the worse one
        ca, cb = round(qa * unit * 100), round(qb * unit * factor * 100)  # B better for now
        if ca <= 0 or cb <= 0:
            continue
        ua, ub = ca / qa, cb / qb
        if ub < ua * 0.97:
            break
    if rng.random() < 0.5:  # make A the better offer instead
        (qa, ca), (qb, cb) = (qb, cb), (qa, ca)
    item = rng.choice(_ITEMS)
    question = rng.choice(["Which is the better deal per item?", "Which offer is cheaper per item?",
                           "Which option has the lower price per item?"])

    def offer(q: int, cents: int) -> str:
        return f"{q} {item} for ${cents // 100}.{cents % 100:02d}"

    text = f"A: {offer(qa, ca)}. B: {offer(qb, cb)}. {question}"
    return Example(input=text, args=(text,))


DEALS = Family(
    name="better_deal",
    kind="compute",
    instructions=("Which offer has the lower price per item? Answer with A or B.",),
    programs=(
        r'''import re

def better_deal(text):
    """Pick the offer with the lower price per item."""
    # Step 1: Read the quantity and total price of each offer.
    offers = re.findall(r"([AB]): (\d+) .*? for \$(\d+\.\d\d)", text)
    # Step 2: Divide each price by its quantity.
    per_item = {label: round(float(price) / int(qty), 4) for label, qty, price in offers}
    # Step 3: The better deal is the one that is cheaper per item.
    answer = min(per_item, key=per_item.get)
    return {'per_item': per_item, 'answer': answer}
''',
    ),
    sample=_deal_sample,
    answer_format="letter",
    labels=("A", "B"),
)

# ---------------------------------------------------------------------------------------------
# 10. Verb tense
# ---------------------------------------------------------------------------------------------

# (base, third person singular, past, complements)
_VERB_TABLE = [
    ("walk", "walks", "walked", ["to school", "in the park", "along the beach"]),
    ("play", "plays", "played", ["football", "the piano", "chess"]),
    ("cook", "cooks", "cooked", ["dinner", "a big meal", "rice"]),
    ("watch", "watches", "watched", ["a movie", "the news", "the birds"]),
    ("clean", "cleans", "cleaned", ["the kitchen", "the windows", "the car"]),
    ("paint", "paints", "painted", ["the fence", "a portrait", "the door"]),
    ("visit", "visits", "visited", ["the museum", "their aunt", "the zoo"]),
    ("open", "opens", "opened", ["the window", "the shop", "a box"]),
    ("wash", "washes", "washed", ["the dishes", "the dog", "the clothes"]),
    ("call", "calls", "called", ["the doctor", "a taxi", "home"]),
    ("carry", "carries", "carried", ["the boxes", "a heavy bag", "the groceries"]),
    ("study", "studies", "studied", ["math", "for the exam", "history"]),
    ("fix", "fixes", "fixed", ["the bike", "the sink", "the roof"]),
    ("plant", "plants", "planted", ["tomatoes", "a tree", "flowers"]),
    ("climb", "climbs", "climbed", ["the hill", "the stairs", "a tree"]),
    ("listen", "listens", "listened", ["to the radio", "to music", "to the teacher"]),
    ("help", "helps", "helped", ["the neighbours", "a friend", "in the garden"]),
    ("finish", "finishes", "finished", ["the report", "the puzzle", "the homework"]),
    ("order", "orders", "ordered", ["a pizza", "new shoes", "coffee"]),
    ("bake", "bakes", "baked", ["bread", "a cake", "cookies"]),
    ("dance", "dances", "danced", ["at the party", "in the kitchen", "all night"]),
    ("answer", "answers", "answered", ["the question", "the phone", "the email"]),
    ("eat", "eats", "ate", ["lunch", "an apple", "soup"]),
    ("go", "goes", "went", ["to the market", "to bed", "to the library"]),
    ("write", "writes", "wrote", ["a letter", "a poem", "in a diary"]),
    ("see", "sees", "saw", ["the stars", "a rainbow", "the sea"]),
    ("take", "takes", "took", ["the bus", "a photo", "the train"]),
    ("drink", "drinks", "drank", ["tea", "some water", "orange juice"]),
    ("sing", "sings", "sang", ["a song", "in the choir", "loudly"]),
    ("swim", "swims", "swam", ["in the lake", "in the pool", "across the river"]),
    ("drive", "drives", "drove", ["to work", "a truck", "to the coast"]),
    ("buy", "buys", "bought", ["groceries", "a new phone", "some flowers"]),
    ("bring", "brings", "brought", ["snacks", "an umbrella", "the tickets"]),
    ("teach", "teaches", "taught", ["science", "a yoga class", "music"]),
    ("build", "builds", "built", ["a sandcastle", "a shed", "a model plane"]),
    ("catch", "catches", "caught", ["the ball", "a fish", "the early train"]),
    ("ride", "rides", "rode", ["a bicycle", "a horse", "the subway"]),
    ("speak", "speaks", "spoke", ["French", "at the meeting", "softly"]),
    ("find", "finds", "found", ["the keys", "a coin", "the answer"]),
    ("make", "makes", "made", ["breakfast", "a mess", "a plan"]),
    ("give", "gives", "gave", ["a speech", "a present", "advice"]),
    ("throw", "throws", "threw", ["the ball", "a party", "a stone"]),
    ("wear", "wears", "wore", ["a hat", "a blue coat", "glasses"]),
    ("draw", "draws", "drew", ["a picture", "a map", "cartoons"]),
    ("sell", "sells", "sold", ["old books", "fresh fish", "tickets"]),
    ("forget", "forgets", "forgot", ["the password", "her umbrella", "the date"]),
    ("run", "runs", "ran", ["in the park", "a marathon", "to the station"]),
    ("grow", "grows", "grew", ["vegetables", "roses", "herbs"]),
    ("feed", "feeds", "fed", ["the cat", "the ducks", "the baby"]),
    ("sleep", "sleeps", "slept", ["on the sofa", "in a tent", "late"]),
    ("meet", "meets", "met", ["friends", "the new manager", "a client"]),
]
_BE_COMPLEMENTS = ["happy", "busy", "at home", "late", "hungry", "ready", "in the garden", "very tired", "calm"]
# (subject, person): "1s" = I, "3s" = he/she/it/singular noun, "pl" = you/we/they/plural noun
_SUBJECTS = [("I", "1s"), ("You", "pl"), ("We", "pl"), ("They", "pl"), ("He", "3s"), ("She", "3s"),
             ("Maria", "3s"), ("Tom", "3s"), ("My brother", "3s"), ("The teacher", "3s"), ("Our neighbour", "3s"),
             ("The children", "pl"), ("My parents", "pl"), ("The students", "pl"), ("Grandma", "3s"),
             ("Ravi", "3s"), ("Lucy and Ben", "pl"), ("The chef", "3s")]
_TIME_WORDS = {
    "past": ["yesterday", "last week", "last night", "two days ago", "last summer"],
    "present": ["every day", "every morning", "on Sundays", "most evenings", "every weekend"],
    "future": ["tomorrow", "next week", "tonight", "next summer", "soon"],
}
_TENSES = ("past", "present", "future")
_PAST_FORMS = sorted({v[2] for v in _VERB_TABLE} | {"was", "were"})


def tense_of(sentence: str) -> str:
    words = sentence.lower().replace(".", "").split()
    if "will" in words:
        return "future"
    if any(w in _PAST_FORMS for w in words):
        return "past"
    return "present"


def _tense_sample(rng: random.Random) -> Example:
    subject, person = rng.choice(_SUBJECTS)
    use_be = rng.random() < 0.2
    tense = rng.choice(_TENSES)
    if use_be:
        complement = rng.choice(_BE_COMPLEMENTS)
        if tense == "future":
            verb = "will be"
        elif tense == "past":
            verb = "were" if person == "pl" else "was"
        else:
            verb = {"1s": "am", "3s": "is", "pl": "are"}[person]
    else:
        base, third, past, complements = rng.choice(_VERB_TABLE)
        complement = rng.choice(complements)
        verb = {"future": f"will {base}", "past": past, "present": third if person == "3s" else base}[tense]
    sentence = f"{subject} {verb} {complement}"
    if rng.random() < 0.5:
        sentence += " " + rng.choice(_TIME_WORDS[tense])
    sentence += "."
    return Example(input=sentence, args=(sentence,))


TENSE = Family(
    name="verb_tense",
    kind="knowledge",
    instructions=("What is the tense of the sentence? Answer with past, present or future.",),
    programs=(
        r'''import re

def verb_tense(sentence):
    """Classify the tense of a sentence as past, present or future."""
    # Step 1: Normalise the sentence to lower-case words without punctuation.
    clean = re.sub(r"[^a-z ]", '', sentence.lower()).strip()
    words = clean.split()
    # Step 2: Judge the tense of the main verb (knowledge about verb forms).
    answer = tense_of(clean)
    return {'sentence': clean, 'words': len(words), 'answer': answer}
''',
    ),
    helpers=(
        "_PAST_FORMS = " + repr(set(_PAST_FORMS)) + "\n\n\n"
        "def tense_of(sentence):\n"
        "    words = sentence.lower().replace('.', '').split()\n"
        "    if 'will' in words:\n"
        "        return 'future'\n"
        "    if any(w in _PAST_FORMS for w in words):\n"
        "        return 'past'\n"
        "    return 'present'\n"
    ),
    sample=_tense_sample,
    answer_format="label",
    labels=_TENSES,
)

FAMILIES = [ROMAN, CAESAR, BRACKETS, SWAPS, ANIMALS, COUNTRIES, WEEKDAYS, REVERSE, DEALS, TENSE]
