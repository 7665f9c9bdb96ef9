"""Knowledge and judgement families: an undefined helper knows or judges, real Python does the rest.

Every program calls at least one helper that is *not* defined in the program (``capital_of``,
``is_spam``, ``plural_of`` ...). The family's ``helpers`` string defines it correctly for every
item the sampler can draw (a table lookup over those items), so the recorded outputs come from
real execution. Around the helper the program does ordinary Python: parse and split the input,
loop, count, filter, group, sort by the looked-up value, map booleans to the final label.
"""

from __future__ import annotations

import random

from .base import Example, Family


def _fam(name, instructions, programs, sample, helpers, answer_format="text", labels=()):
    if isinstance(programs, str):
        programs = (programs,)
    return Family(name=name, kind="knowledge", instructions=tuple(instructions), programs=tuple(programs),
                  sample=sample, helpers=helpers, answer_format=answer_format, labels=tuple(labels))


def _lookup(func: str, param: str, table: dict) -> str:
    """Source of a one-argument helper answering from ``table`` (case- and space-insensitive)."""
    norm = {k.strip().lower(): v for k, v in table.items()}
    return (f"def {func}({param}):\n"
            f"    table = {norm!r}\n"
            f"    return table[{param}.strip().lower()]\n")


def _member(func: str, param: str, members) -> str:
    """Source of a one-argument yes/no helper: True exactly for the listed texts."""
    norm = sorted({m.strip().lower() for m in members})
    return (f"def {func}({param}):\n"
            f"    members = set({norm!r})\n"
            f"    return {param}.strip().lower() in members\n")


def _sample(rng: random.Random, pool, k: int) -> list:
    return rng.sample(sorted(pool), k)


def _join_list(rng: random.Random, items) -> str:
    """A list written the way a user might type it."""
    style = rng.randrange(4)
    if style == 0:
        return ", ".join(items)
    if style == 1:
        return "; ".join(items)
    if style == 2:
        return "\n".join(f"- {x}" for x in items)
    return "\n".join(items)


# ============================================================================================
# Geography: capitals, languages, currencies, flags, areas
# ============================================================================================

_CAPITALS = {
    "France": "Paris", "Japan": "Tokyo", "Kenya": "Nairobi", "Peru": "Lima", "Canada": "Ottawa",
    "Egypt": "Cairo", "Norway": "Oslo", "India": "New Delhi", "Chile": "Santiago", "Ghana": "Accra",
    "Germany": "Berlin", "Italy": "Rome", "Spain": "Madrid", "Portugal": "Lisbon", "Greece": "Athens",
    "Poland": "Warsaw", "Sweden": "Stockholm", "Finland": "Helsinki", "Denmark": "Copenhagen",
    "Ireland": "Dublin", "Austria": "Vienna", "Hungary": "Budapest", "Czech Republic": "Prague",
    "Russia": "Moscow", "Turkey": "Ankara", "Australia": "Canberra", "New Zealand": "Wellington",
    "Brazil": "Brasília", "Argentina": "Buenos Aires", "Mexico": "Mexico City", "Colombia": "Bogotá",
    "Cuba": "Havana", "China": "Beijing", "South Korea": "Seoul", "Thailand": "Bangkok", "Vietnam": "Hanoi",
    "Philippines": "Manila", "Nigeria": "Abuja", "Morocco": "Rabat", "Ethiopia": "Addis Ababa",
    "Iran": "Tehran", "Saudi Arabia": "Riyadh", "Pakistan": "Islamabad", "United States": "Washington, D.C.",
    "United Kingdom": "London", "Belgium": "Brussels", "Ukraine": "Kyiv",
}
_CAPITAL_HELPER = _lookup("capital_of", "country", _CAPITALS)


def _capitals_list_sample(rng):
    countries = _sample(rng, _CAPITALS, rng.randint(2, 7))
    text = _join_list(rng, countries)
    return Example(input=text, args=(countries,))


CAPITALS_LIST = _fam(
    "capitals_of_country_list",
    ["Give the capital city of each country.", "Name the capital of every country in the list.",
     "For each of these countries, what is its capital?", "Match each country with its capital city."],
    '''def capitals_of_countries(countries):
    """Map every country in a list to its capital city."""
    # Step 1: Clean up each country name.
    names = [c.strip() for c in countries]
    # Step 2: Look up the capital of each country (knowledge).
    answer = {name: capital_of(name) for name in names}
    return {'count': len(names), 'answer': answer}
''',
    _capitals_list_sample,
    _CAPITAL_HELPER,
)

_WRONG_CAPITALS = {
    "Australia": ["Sydney", "Melbourne"], "Canada": ["Toronto", "Montreal", "Vancouver"],
    "Turkey": ["Istanbul"], "Spain": ["Barcelona", "Seville"], "Brazil": ["Rio de Janeiro", "São Paulo"],
    "Nigeria": ["Lagos"], "Morocco": ["Casablanca", "Marrakesh"], "New Zealand": ["Auckland"],
    "India": ["Mumbai", "Kolkata"], "China": ["Shanghai", "Hong Kong"], "United States": ["New York"],
    "Italy": ["Milan", "Venice"], "Germany": ["Munich", "Hamburg"], "Russia": ["St. Petersburg"],
    "Poland": ["Krakow"], "Portugal": ["Porto"], "Egypt": ["Alexandria"], "Pakistan": ["Karachi", "Lahore"],
    "Vietnam": ["Ho Chi Minh City"], "South Korea": ["Busan"], "Kenya": ["Mombasa"], "Ghana": ["Kumasi"],
    "Saudi Arabia": ["Jeddah", "Mecca"], "Colombia": ["Medellín"],
}


def _capital_quiz_sample(rng):
    countries = _sample(rng, _CAPITALS, rng.randint(3, 8))
    lines = []
    for c in countries:
        if rng.random() < 0.6:
            guess = _CAPITALS[c]
        elif _WRONG_CAPITALS.get(c) and rng.random() < 0.7:
            guess = rng.choice(_WRONG_CAPITALS[c])
        else:
            guess = _CAPITALS[rng.choice([o for o in sorted(_CAPITALS) if o != c])]
        lines.append(rng.choice(["{c}: {g}", "{c} - {g}", "{c} = {g}"]).format(c=c, g=guess))
    text = "\n".join(lines)
    return Example(input=text, args=(text,))


CAPITAL_QUIZ = _fam(
    "capital_quiz_score",
    ["Grade this capital-city quiz: how many answers are correct?",
     "A student paired each country with a capital. Count the correct pairs.",
     "Score the quiz below (one point per correct capital).",
     "How many of these country-capital answers are right?"],
    r'''import re

def grade_capital_quiz(text):
    """Count how many country-capital answers in a quiz are correct."""
    # Step 1: Split each line into the country and the guessed capital.
    pairs = [re.split(r"\s*[:=]\s*|\s+-\s+", line.strip(), maxsplit=1) for line in text.splitlines() if line.strip()]
    # Step 2: Compare each guess with the real capital (knowledge).
    wrong = [country for country, guess in pairs if guess.lower() != capital_of(country).lower()]
    # Step 3: The score is the number of pairs that are not wrong.
    answer = len(pairs) - len(wrong)
    return {'wrong': wrong, 'total': len(pairs), 'answer': answer}
''',
    _capital_quiz_sample,
    _CAPITAL_HELPER,
    answer_format="number",
)

_COUNTRY_LANGUAGE = {
    "France": "French", "Monaco": "French", "Germany": "German", "Austria": "German", "Spain": "Spanish",
    "Mexico": "Spanish", "Argentina": "Spanish", "Colombia": "Spanish", "Chile": "Spanish", "Cuba": "Spanish",
    "Uruguay": "Spanish", "Venezuela": "Spanish", "Brazil": "Portuguese", "Portugal": "Portuguese",
    "Angola": "Portuguese", "Italy": "Italian", "Japan": "Japanese", "Russia": "Russian", "Poland": "Polish",
    "Greece": "Greek", "Turkey": "Turkish", "Sweden": "Swedish", "Norway": "Norwegian", "Denmark": "Danish",
    "Netherlands": "Dutch", "Hungary": "Hungarian", "Finland": "Finnish", "Czech Republic": "Czech",
    "Romania": "Romanian", "Egypt": "Arabic", "Saudi Arabia": "Arabic", "Jordan": "Arabic", "Libya": "Arabic",
    "South Korea": "Korean", "Thailand": "Thai", "Vietnam": "Vietnamese", "Iran": "Persian",
    "Ukraine": "Ukrainian", "United Kingdom": "English", "Australia": "English", "United States": "English",
    "New Zealand": "English",
}
_SHARED_LANGUAGES = sorted({v for v in _COUNTRY_LANGUAGE.values() if list(_COUNTRY_LANGUAGE.values()).count(v) >= 2})


def _language_filter_sample(rng):
    language = rng.choice(_SHARED_LANGUAGES)
    matching = [c for c in sorted(_COUNTRY_LANGUAGE) if _COUNTRY_LANGUAGE[c] == language]
    others = [c for c in sorted(_COUNTRY_LANGUAGE) if _COUNTRY_LANGUAGE[c] != language]
    chosen = rng.sample(matching, rng.randint(0 if rng.random() < 0.1 else 1, min(3, len(matching))))
    chosen += rng.sample(others, rng.randint(2, 5))
    rng.shuffle(chosen)
    return Example(input=_join_list(rng, chosen), args=(chosen, language), fields={"language": language})


LANGUAGE_FILTER = _fam(
    "countries_speaking_language",
    ["Which of these countries mainly speak {language}?", "List the countries where {language} is the main language.",
     "Pick out the countries whose main language is {language}.",
     "In which of the following countries is {language} the primary language?"],
    '''def countries_speaking(countries, language):
    """Keep the countries whose main language is the given language."""
    # Step 1: Find the main language of each country (knowledge).
    languages = {c: main_language_of(c) for c in countries}
    # Step 2: Keep the countries that match, in their original order.
    answer = [c for c in countries if languages[c].lower() == language.lower()]
    return {'languages': languages, 'answer': answer}
''',
    _language_filter_sample,
    _lookup("main_language_of", "country", _COUNTRY_LANGUAGE),
)

_CURRENCY = {
    "France": "euro", "Germany": "euro", "Italy": "euro", "Spain": "euro", "Portugal": "euro",
    "Netherlands": "euro", "Belgium": "euro", "Austria": "euro", "Finland": "euro", "Ireland": "euro",
    "Greece": "euro", "Slovakia": "euro", "Slovenia": "euro", "Estonia": "euro", "Latvia": "euro",
    "Lithuania": "euro", "Luxembourg": "euro", "Malta": "euro", "Croatia": "euro",
    "United Kingdom": "pound sterling", "Japan": "yen", "United States": "US dollar", "Canada": "Canadian dollar",
    "Australia": "Australian dollar", "Switzerland": "Swiss franc", "Sweden": "Swedish krona",
    "Norway": "Norwegian krone", "Denmark": "Danish krone", "Poland": "zloty", "India": "Indian rupee",
    "China": "renminbi", "Mexico": "Mexican peso", "Brazil": "Brazilian real", "South Africa": "rand",
    "Turkey": "Turkish lira", "South Korea": "won", "Thailand": "baht", "Hungary": "forint",
    "Czech Republic": "Czech koruna", "Russia": "ruble",
}


def _euro_sample(rng):
    countries = _sample(rng, _CURRENCY, rng.randint(3, 8))
    listed = ", ".join(countries[:-1]) + " and " + countries[-1]
    text = rng.choice(["{l}", "We are travelling to {l}.", "Countries on the trip: {l}",
                       "My business trips this year: {l}."]).format(l=listed)
    return Example(input=text, args=(text,))


EURO_COUNT = _fam(
    "euro_country_count",
    ["How many of these countries use the euro?", "Count the countries in the text whose currency is the euro.",
     "For how many of the listed countries would I need euros?",
     "Determine how many of the countries mentioned pay in euros."],
    r'''import re

def count_euro_countries(text):
    """Count the countries in a text whose currency is the euro."""
    # Step 1: Drop any lead-in before a colon or 'to', then split the list on commas and 'and'.
    body = re.split(r":|\bto\b", text)[-1]
    countries = [c.strip(" .") for c in re.split(r",|\band\b", body) if c.strip(" .")]
    # Step 2: Look up each country's currency (knowledge).
    currencies = {c: currency_of(c) for c in countries}
    # Step 3: Count the euro users.
    answer = sum(1 for cur in currencies.values() if cur == 'euro')
    return {'currencies': currencies, 'answer': answer}
''',
    _euro_sample,
    _lookup("currency_of", "country", _CURRENCY),
    answer_format="number",
)

_FLAGS = {
    "Japan": ["white", "red"], "France": ["blue", "white", "red"], "Italy": ["green", "white", "red"],
    "Canada": ["red", "white"], "Switzerland": ["red", "white"], "Poland": ["white", "red"],
    "Sweden": ["blue", "yellow"], "Ukraine": ["blue", "yellow"], "Finland": ["white", "blue"],
    "Greece": ["blue", "white"], "Nigeria": ["green", "white"], "Russia": ["white", "blue", "red"],
    "Netherlands": ["red", "white", "blue"], "Belgium": ["black", "yellow", "red"], "Austria": ["red", "white"],
    "Denmark": ["red", "white"], "Norway": ["red", "white", "blue"], "United States": ["red", "white", "blue"],
    "United Kingdom": ["red", "white", "blue"], "Colombia": ["yellow", "blue", "red"],
    "Estonia": ["blue", "black", "white"], "Lithuania": ["yellow", "green", "red"],
    "Hungary": ["red", "white", "green"], "Bulgaria": ["white", "green", "red"], "Romania": ["blue", "yellow", "red"],
    "Thailand": ["red", "white", "blue"], "Bangladesh": ["green", "red"], "Vietnam": ["red", "yellow"],
    "China": ["red", "yellow"], "Turkey": ["red", "white"], "Indonesia": ["red", "white"],
    "Ireland": ["green", "white", "orange"], "Brazil": ["green", "yellow", "blue", "white"],
    "Chile": ["white", "red", "blue"],
}


def _flag_sample(rng):
    colour = rng.choice(["red", "white", "blue", "green", "yellow", "black"])
    countries = _sample(rng, _FLAGS, rng.randint(3, 9))
    return Example(input=_join_list(rng, countries), args=(countries, colour), fields={"colour": colour})


FLAG_COLOUR = _fam(
    "flag_colour_count",
    ["How many of these countries have {colour} in their national flag?",
     "Count the flags in this list that contain the colour {colour}.",
     "Which of these countries' flags include {colour}, and how many are there?",
     "Tell me how many of the listed national flags use {colour}."],
    '''def count_flags_with_colour(countries, colour):
    """Count the countries whose national flag contains a given colour."""
    # Step 1: Get the colours of each country's flag (knowledge).
    flags = {c: flag_colours(c) for c in countries}
    # Step 2: Keep the countries whose flag includes the colour.
    with_colour = [c for c in countries if colour in flags[c]]
    # Step 3: Count them.
    answer = len(with_colour)
    return {'with_colour': with_colour, 'answer': answer}
''',
    _flag_sample,
    _lookup("flag_colours", "country", _FLAGS),
    answer_format="number",
)

_AREA = {
    "Russia": 17098246, "Canada": 9984670, "China": 9596961, "Brazil": 8515767, "Australia": 7692024,
    "India": 3287263, "Argentina": 2780400, "Algeria": 2381741, "Mexico": 1964375, "Peru": 1285216,
    "Egypt": 1002450, "Nigeria": 923768, "Turkey": 783562, "France": 643801, "Spain": 505990,
    "Sweden": 450295, "Japan": 377975, "Germany": 357022, "Italy": 301340, "United Kingdom": 242495,
    "Greece": 131957, "Portugal": 92212, "Ireland": 70273, "Switzerland": 41285, "Belgium": 30528,
    "Luxembourg": 2586, "Malta": 316,
}


def _area_sample(rng):
    countries = _sample(rng, _AREA, rng.randint(3, 6))
    return Example(input=_join_list(rng, countries), args=(countries,))


AREA_ORDER = _fam(
    "countries_by_area",
    ["Order these countries from largest to smallest by area.", "Rank the countries by land area, biggest first.",
     "Sort the following countries by size, starting with the largest.",
     "Arrange the countries in decreasing order of area."],
    '''def rank_by_area(countries):
    """Sort countries from the largest area to the smallest."""
    # Step 1: Look up the area of each country in square kilometres (knowledge).
    areas = {c: area_km2(c) for c in countries}
    # Step 2: Sort by area, largest first.
    answer = sorted(countries, key=lambda c: areas[c], reverse=True)
    return {'largest': answer[0], 'smallest': answer[-1], 'answer': answer}
''',
    _area_sample,
    _lookup("area_km2", "country", _AREA),
)

_CITY_LANGUAGE = {
    "Paris": "French", "Lyon": "French", "Marseille": "French", "Montreal": "French", "Quebec City": "French",
    "Geneva": "French", "Madrid": "Spanish", "Seville": "Spanish",
    "Buenos Aires": "Spanish", "Mexico City": "Spanish", "Lima": "Spanish", "Bogotá": "Spanish",
    "Berlin": "German", "Munich": "German", "Hamburg": "German", "Vienna": "German", "Zurich": "German",
    "Rome": "Italian", "Milan": "Italian", "Naples": "Italian", "Venice": "Italian", "Lisbon": "Portuguese",
    "Porto": "Portuguese", "Rio de Janeiro": "Portuguese", "São Paulo": "Portuguese", "Tokyo": "Japanese",
    "Osaka": "Japanese", "Kyoto": "Japanese", "Moscow": "Russian", "St. Petersburg": "Russian",
    "Seoul": "Korean", "Busan": "Korean", "Amsterdam": "Dutch", "Rotterdam": "Dutch", "Stockholm": "Swedish",
    "Warsaw": "Polish", "Krakow": "Polish", "Athens": "Greek", "Istanbul": "Turkish", "Bangkok": "Thai",
    "Hanoi": "Vietnamese", "London": "English", "Sydney": "English", "Chicago": "English", "Dublin": "English",
}


def _itinerary_sample(rng):
    cities = _sample(rng, _CITY_LANGUAGE, rng.randint(3, 7))
    sep = rng.choice([" -> ", " → ", ", then ", " > "])
    text = rng.choice(["", "Itinerary: ", "Our route: ", "Tour stops: "]) + sep.join(cities)
    return Example(input=text, args=(text,))


ITINERARY_LANGUAGES = _fam(
    "itinerary_languages",
    ["Which languages will I hear on this trip? List each once, in the order I reach them.",
     "List the main languages spoken along this route, without repeats.",
     "Name the distinct local languages for the cities on this itinerary, in order of first visit.",
     "What languages do the locals mainly speak at these stops? Give each language once."],
    r'''import re

def itinerary_languages(text):
    """List the distinct main languages of the cities on a route, in visiting order."""
    # Step 1: Remove any label and split the route into city names.
    route = text.split(":", 1)[1] if ":" in text else text
    cities = [c.strip() for c in re.split(r"->|→|, then|>", route) if c.strip()]
    # Step 2: Look up the main language of each city (knowledge).
    languages = [main_language_of_city(c) for c in cities]
    # Step 3: Keep each language the first time it appears.
    answer = []
    for lang in languages:
        if lang not in answer:
            answer.append(lang)
    return {'cities': cities, 'languages': languages, 'answer': answer}
''',
    _itinerary_sample,
    _lookup("main_language_of_city", "city", _CITY_LANGUAGE),
)


# ============================================================================================
# Science: elements, planets, states of matter
# ============================================================================================

_SYMBOLS = {
    "hydrogen": "H", "helium": "He", "lithium": "Li", "beryllium": "Be", "boron": "B", "carbon": "C",
    "nitrogen": "N", "oxygen": "O", "fluorine": "F", "neon": "Ne", "sodium": "Na", "magnesium": "Mg",
    "aluminium": "Al", "silicon": "Si", "phosphorus": "P", "sulfur": "S", "chlorine": "Cl", "argon": "Ar",
    "potassium": "K", "calcium": "Ca", "titanium": "Ti", "chromium": "Cr", "manganese": "Mn", "iron": "Fe",
    "cobalt": "Co", "nickel": "Ni", "copper": "Cu", "zinc": "Zn", "arsenic": "As", "bromine": "Br",
    "krypton": "Kr", "silver": "Ag", "tin": "Sn", "antimony": "Sb", "iodine": "I", "xenon": "Xe",
    "barium": "Ba", "tungsten": "W", "platinum": "Pt", "gold": "Au", "mercury": "Hg", "lead": "Pb",
    "radon": "Rn", "uranium": "U",
}
_SYMBOL_HELPER = _lookup("chemical_symbol", "element", _SYMBOLS)
_ODD_SYMBOLS = sorted(e for e, s in _SYMBOLS.items() if s[0].lower() != e[0])
_PLAIN_SYMBOLS = sorted(e for e, s in _SYMBOLS.items() if s[0].lower() == e[0])


def _symbols_sample(rng):
    elements = _sample(rng, _SYMBOLS, rng.randint(2, 8))
    if rng.random() < 0.3:
        elements = [e.capitalize() for e in elements]
    return Example(input=_join_list(rng, elements), args=(elements,))


SYMBOLS_LIST = _fam(
    "chemical_symbols_of_elements",
    ["Write the chemical symbol of each element.", "Give the element symbols for these elements, in order.",
     "What are the chemical symbols for the following elements?", "Convert each element name to its symbol."],
    '''def element_symbols(elements):
    """Give the chemical symbol of every element in a list."""
    # Step 1: Normalise the element names.
    names = [e.strip().lower() for e in elements]
    # Step 2: Look up each symbol (knowledge).
    answer = [chemical_symbol(name) for name in names]
    return {'elements': names, 'answer': answer}
''',
    _symbols_sample,
    _SYMBOL_HELPER,
)


def _odd_symbols_sample(rng):
    odd = rng.sample(_ODD_SYMBOLS, rng.randint(0 if rng.random() < 0.1 else 1, 3))
    elements = odd + rng.sample(_PLAIN_SYMBOLS, rng.randint(2, 6))
    rng.shuffle(elements)
    return Example(input=_join_list(rng, elements), args=(elements,))


ODD_SYMBOLS = _fam(
    "symbols_not_matching_name",
    ["Which of these elements have a chemical symbol that does not start with the element's first letter?",
     "Find the elements whose symbol begins with a different letter than their English name.",
     "List the elements in the group whose symbols don't start with the same letter as the name.",
     "Some element symbols come from Latin names. Which ones here don't begin with the name's first letter?"],
    '''def symbols_not_matching(elements):
    """Find elements whose chemical symbol starts with a different letter than the name."""
    # Step 1: Look up the symbol of every element (knowledge).
    symbols = {e: chemical_symbol(e) for e in elements}
    # Step 2: Compare the first letters of name and symbol.
    answer = [e for e in elements if symbols[e][0].lower() != e.strip()[0].lower()]
    return {'symbols': symbols, 'answer': answer}
''',
    _odd_symbols_sample,
    _SYMBOL_HELPER,
)

_METALS = {"iron", "copper", "gold", "silver", "sodium", "potassium", "calcium", "magnesium", "aluminium", "zinc",
           "lead", "tin", "nickel", "lithium", "mercury", "titanium", "platinum", "cobalt", "chromium", "barium",
           "uranium", "tungsten", "manganese"}
_NONMETALS = {"oxygen", "nitrogen", "carbon", "hydrogen", "helium", "neon", "sulfur", "phosphorus", "chlorine",
              "fluorine", "argon", "iodine", "bromine", "krypton", "xenon", "radon"}


def _metal_sample(rng):
    elements = _sample(rng, _METALS | _NONMETALS, rng.randint(4, 12))
    return Example(input=_join_list(rng, elements), args=(elements,))


METAL_COUNT = _fam(
    "metal_element_count",
    ["How many of these elements are metals?", "Count the metals in this list of elements.",
     "Of the elements listed, how many are metals? Also note which are not.",
     "Sort out the metals: how many elements here are metals?"],
    '''def count_metals(elements):
    """Count how many elements in a list are metals."""
    # Step 1: Judge each element (knowledge).
    flags = [is_metal(e) for e in elements]
    # Step 2: Collect the non-metals and count the metals.
    non_metals = [e for e, metal in zip(elements, flags) if not metal]
    answer = sum(flags)
    return {'non_metals': non_metals, 'answer': answer}
''',
    _metal_sample,
    _member("is_metal", "element", _METALS),
    answer_format="number",
)

_PLANETS = {"Mercury": 1, "Venus": 2, "Earth": 3, "Mars": 4, "Jupiter": 5, "Saturn": 6, "Uranus": 7, "Neptune": 8}


def _planet_sample(rng):
    planets = _sample(rng, _PLANETS, rng.randint(3, 8))
    if rng.random() < 0.3:
        planets = [p.lower() for p in planets]
    return Example(input=_join_list(rng, planets), args=(planets,))


PLANET_ORDER = _fam(
    "planets_from_sun_order",
    ["Put these planets in order of distance from the Sun, nearest first.",
     "Arrange the planets from closest to farthest from the Sun.",
     "Order the given planets by their distance from the Sun.",
     "Starting nearest the Sun, list these planets in order."],
    '''def order_planets(planets):
    """Sort planets by their distance from the Sun, nearest first."""
    # Step 1: Find each planet's position counted from the Sun (knowledge).
    positions = {p: planet_position(p) for p in planets}
    # Step 2: Sort by that position.
    answer = sorted(planets, key=lambda p: positions[p])
    return {'positions': positions, 'answer': answer}
''',
    _planet_sample,
    _lookup("planet_position", "planet", _PLANETS),
)

_PHASE_POINTS = {  # (melting point, boiling point) in °C at 1 atm, rounded
    "water": (0, 100), "ethanol": (-114, 78), "mercury": (-39, 357), "iron": (1538, 2862),
    "gold": (1064, 2970), "copper": (1085, 2562), "oxygen": (-218, -183), "nitrogen": (-210, -196),
    "sodium chloride": (801, 1465), "bromine": (-7, 59), "acetone": (-95, 56), "lead": (327, 1749),
    "aluminium": (660, 2470), "hydrogen": (-259, -253), "chlorine": (-102, -34), "methane": (-182, -162),
    "sulfur": (115, 445), "tin": (232, 2602), "silver": (962, 2162), "ammonia": (-78, -33),
    "glycerol": (18, 290), "argon": (-189, -186), "propane": (-188, -42),
}
_TEMPS = [-50, -20, -10, 20, 25, 30, 50, 70, 90, 150, 200, 400]


def _state_sample(rng):
    temp = rng.choice(_TEMPS)
    subs = _sample(rng, _PHASE_POINTS, rng.randint(2, 6))
    text = rng.choice(["At {t} °C: {s}", "Temperature: {t} °C\nSubstances: {s}",
                       "{s} (all at {t} °C)"]).format(t=temp, s=", ".join(subs))
    return Example(input=text, args=(temp, subs))


STATE_OF_MATTER = _fam(
    "state_of_matter_at_temperature",
    ["Is each substance a solid, liquid or gas at the given temperature (normal pressure)?",
     "Give the state of matter of every substance at the stated temperature.",
     "At this temperature and ordinary atmospheric pressure, what state is each substance in?",
     "Classify each substance as solid, liquid or gas at the temperature given."],
    '''def states_at_temperature(temp_c, substances):
    """Decide whether each substance is solid, liquid or gas at a temperature."""
    # Step 1: Look up the melting and boiling point of each substance in °C (knowledge).
    points = {s: (melting_point_c(s), boiling_point_c(s)) for s in substances}
    # Step 2: Compare the temperature with the two points.
    answer = {}
    for s, (melt, boil) in points.items():
        if temp_c < melt:
            answer[s] = 'solid'
        elif temp_c < boil:
            answer[s] = 'liquid'
        else:
            answer[s] = 'gas'
    return {'points': points, 'answer': answer}
''',
    _state_sample,
    _lookup("melting_point_c", "substance", {k: v[0] for k, v in _PHASE_POINTS.items()}) + "\n\n"
    + _lookup("boiling_point_c", "substance", {k: v[1] for k, v in _PHASE_POINTS.items()}),
)


# ============================================================================================
# Books, inventions
# ============================================================================================

_BOOKS = {
    "Pride and Prejudice": "Jane Austen", "Emma": "Jane Austen", "Sense and Sensibility": "Jane Austen",
    "Persuasion": "Jane Austen", "Nineteen Eighty-Four": "George Orwell", "Animal Farm": "George Orwell",
    "Hamlet": "William Shakespeare", "Macbeth": "William Shakespeare", "Othello": "William Shakespeare",
    "King Lear": "William Shakespeare", "Great Expectations": "Charles Dickens", "Oliver Twist": "Charles Dickens",
    "A Tale of Two Cities": "Charles Dickens", "David Copperfield": "Charles Dickens",
    "War and Peace": "Leo Tolstoy", "Anna Karenina": "Leo Tolstoy", "Crime and Punishment": "Fyodor Dostoevsky",
    "The Brothers Karamazov": "Fyodor Dostoevsky", "The Adventures of Tom Sawyer": "Mark Twain",
    "Adventures of Huckleberry Finn": "Mark Twain", "The Old Man and the Sea": "Ernest Hemingway",
    "A Farewell to Arms": "Ernest Hemingway", "The Sun Also Rises": "Ernest Hemingway",
    "The Hobbit": "J. R. R. Tolkien", "The Lord of the Rings": "J. R. R. Tolkien",
    "The Time Machine": "H. G. Wells", "The War of the Worlds": "H. G. Wells", "The Invisible Man": "H. G. Wells",
    "Of Mice and Men": "John Steinbeck", "The Grapes of Wrath": "John Steinbeck", "East of Eden": "John Steinbeck",
    "The Iliad": "Homer", "The Odyssey": "Homer", "Moby-Dick": "Herman Melville",
    "The Great Gatsby": "F. Scott Fitzgerald", "To Kill a Mockingbird": "Harper Lee", "Frankenstein": "Mary Shelley",
    "Dracula": "Bram Stoker", "Don Quixote": "Miguel de Cervantes", "Jane Eyre": "Charlotte Brontë",
    "Wuthering Heights": "Emily Brontë", "Brave New World": "Aldous Huxley", "Fahrenheit 451": "Ray Bradbury",
    "Les Misérables": "Victor Hugo", "One Hundred Years of Solitude": "Gabriel García Márquez",
    "The Catcher in the Rye": "J. D. Salinger", "Little Women": "Louisa May Alcott",
    "The Picture of Dorian Gray": "Oscar Wilde", "Alice's Adventures in Wonderland": "Lewis Carroll",
    "Treasure Island": "Robert Louis Stevenson", "Ulysses": "James Joyce",
}
_AUTHOR_HELPER = _lookup("author_of", "title", _BOOKS)
_MULTI_AUTHORS = sorted({a for a in _BOOKS.values() if list(_BOOKS.values()).count(a) >= 2})


def _books_of(author):
    return [t for t in sorted(_BOOKS) if _BOOKS[t] == author]


def _prolific_sample(rng):
    author = rng.choice(_MULTI_AUTHORS)
    own = _books_of(author)
    titles = rng.sample(own, rng.randint(2, min(3, len(own))))
    other_authors = rng.sample([a for a in sorted(set(_BOOKS.values())) if a != author], rng.randint(2, 4))
    titles += [rng.choice(_books_of(a)) for a in other_authors]
    rng.shuffle(titles)
    text = rng.choice(["\n".join(titles), "\n".join(f"- {t}" for t in titles), "; ".join(titles)])
    return Example(input=text, args=(titles,))


MOST_COMMON_AUTHOR = _fam(
    "most_represented_author",
    ["Which author wrote the most books on this shelf?", "Who is the author with the most titles in this list?",
     "Find the writer who appears most often among these books.",
     "Look at the reading list: which author has written more of these books than anyone else?"],
    '''from collections import Counter

def most_common_author(titles):
    """Find the author who wrote the most of the listed books."""
    # Step 1: Look up the author of each book (knowledge).
    authors = [author_of(t) for t in titles]
    # Step 2: Count the books per author and take the top one.
    counts = Counter(authors)
    answer, top = counts.most_common(1)[0]
    return {'authors': authors, 'books_by_top_author': top, 'answer': answer}
''',
    _prolific_sample,
    _AUTHOR_HELPER,
)


def _by_author_sample(rng):
    author = rng.choice(_MULTI_AUTHORS)
    own = _books_of(author)
    titles = rng.sample(own, rng.randint(1, min(3, len(own))))
    titles += rng.sample([t for t in sorted(_BOOKS) if _BOOKS[t] != author], rng.randint(2, 5))
    rng.shuffle(titles)
    return Example(input="\n".join(titles), args=(titles, author), fields={"author": author})


BOOKS_BY_AUTHOR = _fam(
    "books_by_author",
    ["Which of these books were written by {author}?", "Pick out the titles by {author}.",
     "List only the books in this list that {author} wrote.", "Find the works of {author} in the list below."],
    '''def books_by(titles, author):
    """Keep the books in a list that were written by the given author."""
    # Step 1: Look up who wrote each book (knowledge).
    authors = {t: author_of(t) for t in titles}
    # Step 2: Keep the titles by the requested author.
    answer = [t for t in titles if authors[t] == author]
    return {'authors': authors, 'answer': answer}
''',
    _by_author_sample,
    _AUTHOR_HELPER,
)

_INVENTORS = {
    "telephone": "Alexander Graham Bell", "phonograph": "Thomas Edison", "kinetoscope": "Thomas Edison",
    "dynamite": "Alfred Nobel", "World Wide Web": "Tim Berners-Lee", "polio vaccine": "Jonas Salk",
    "smallpox vaccine": "Edward Jenner", "bifocals": "Benjamin Franklin", "lightning rod": "Benjamin Franklin",
    "cotton gin": "Eli Whitney", "Morse code": "Samuel Morse", "diesel engine": "Rudolf Diesel",
    "Braille": "Louis Braille", "periodic table": "Dmitri Mendeleev", "vulcanized rubber": "Charles Goodyear",
    "Bakelite": "Leo Baekeland", "mercury thermometer": "Daniel Gabriel Fahrenheit",
    "pasteurization": "Louis Pasteur", "Kevlar": "Stephanie Kwolek", "ballpoint pen": "László Bíró",
    "Rubik's Cube": "Ernő Rubik", "Tetris": "Alexey Pajitnov", "Linux kernel": "Linus Torvalds",
    "Python programming language": "Guido van Rossum", "stethoscope": "René Laennec",
    "Jacquard loom": "Joseph Marie Jacquard", "cat's eye road reflector": "Percy Shaw",
}


def _inventor_sample(rng):
    items = _sample(rng, _INVENTORS, rng.randint(2, 6))
    return Example(input=_join_list(rng, items), args=(items,))


INVENTORS = _fam(
    "inventors_of_inventions",
    ["Who is credited with inventing each of these?", "Name the inventor or creator of every item in the list.",
     "For each invention, give the person usually credited with it.", "Match each invention to its inventor."],
    '''def inventors_of(inventions):
    """Map each invention to the person credited with inventing it."""
    # Step 1: Clean up the invention names.
    names = [i.strip() for i in inventions]
    # Step 2: Look up each inventor (knowledge).
    answer = {name: inventor_of(name) for name in names}
    # Step 3: Note the distinct people involved.
    people = sorted(set(answer.values()))
    return {'people': people, 'answer': answer}
''',
    _inventor_sample,
    _lookup("inventor_of", "invention", _INVENTORS),
)


# ============================================================================================
# Food
# ============================================================================================

_PRODUCE_COLOUR = {
    "banana": "yellow", "lemon": "yellow", "sweetcorn": "yellow", "strawberry": "red", "tomato": "red",
    "cherry": "red", "raspberry": "red", "radish": "red", "pomegranate": "red", "cranberry": "red",
    "lime": "green", "spinach": "green", "broccoli": "green", "cucumber": "green", "pea": "green",
    "celery": "green", "kale": "green", "zucchini": "green", "lettuce": "green", "asparagus": "green",
    "carrot": "orange", "orange": "orange", "pumpkin": "orange", "tangerine": "orange", "apricot": "orange",
    "eggplant": "purple", "blueberry": "blue", "blackberry": "black", "cauliflower": "white", "garlic": "white",
    "parsnip": "white",
}


def _colour_filter_sample(rng):
    colour = rng.choice(["yellow", "red", "green", "orange", "white"])
    same = [f for f in sorted(_PRODUCE_COLOUR) if _PRODUCE_COLOUR[f] == colour]
    other = [f for f in sorted(_PRODUCE_COLOUR) if _PRODUCE_COLOUR[f] != colour]
    foods = rng.sample(same, rng.randint(1, min(3, len(same)))) + rng.sample(other, rng.randint(3, 7))
    rng.shuffle(foods)
    return Example(input=_join_list(rng, foods), args=(foods, colour), fields={"colour": colour})


PRODUCE_COLOUR = _fam(
    "produce_of_colour",
    ["Which of these fruits and vegetables are usually {colour}?", "Pick the {colour} items from this produce list.",
     "List the produce that is typically {colour} when ripe.",
     "From the list, keep only the fruits and vegetables whose usual colour is {colour}."],
    '''def produce_of_colour(foods, colour):
    """Keep the fruits and vegetables whose typical colour is the given one."""
    # Step 1: Find the usual colour of each item (knowledge).
    colours = [typical_colour(f) for f in foods]
    # Step 2: Keep the items with the requested colour.
    answer = [f for f, c in zip(foods, colours) if c == colour]
    return {'colours': colours, 'answer': answer}
''',
    _colour_filter_sample,
    _lookup("typical_colour", "food", _PRODUCE_COLOUR),
)

_FOOD_GROUP = {
    **{f: "fruit" for f in ["apples", "bananas", "grapes", "pears", "mangoes", "peaches", "oranges",
                            "strawberries", "blueberries", "pineapple", "plums", "cherries", "watermelon"]},
    **{f: "vegetable" for f in ["carrots", "broccoli", "spinach", "lettuce", "celery", "cabbage", "onions",
                                "cauliflower", "kale", "cucumbers", "zucchini", "potatoes", "bell peppers",
                                "asparagus"]},
    **{f: "grain" for f in ["rice", "bread", "oats", "pasta", "tortillas", "quinoa", "barley", "cereal",
                            "crackers", "bagels", "couscous", "noodles"]},
    **{f: "dairy" for f in ["milk", "cheese", "yogurt", "cottage cheese"]},
    **{f: "protein" for f in ["eggs", "chicken", "beef", "salmon", "tofu", "tuna", "pork", "shrimp", "almonds",
                              "turkey", "peanut butter", "walnuts", "lamb", "sardines"]},
}
_GROUPS = ["fruit", "vegetable", "grain", "dairy", "protein"]
_FOOD_GROUP_HELPER = _lookup("food_group_of", "food", _FOOD_GROUP)


def _food_group_sample(rng):
    foods = _sample(rng, _FOOD_GROUP, rng.randint(6, 18))
    text = rng.choice(["Shopping list: ", "Groceries: ", "", "To buy: "]) + ", ".join(foods)
    return Example(input=text, args=(text,))


FOOD_GROUP_COUNTS = _fam(
    "shopping_list_food_groups",
    ["Count how many items on the shopping list belong to each food group.",
     "Group the groceries into fruit, vegetable, grain, dairy and protein and count each group.",
     "How many items from each food group are on this list?",
     "Tally the shopping list by food group (fruit, vegetable, grain, dairy, protein)."],
    '''def food_group_counts(text):
    """Count the items of a shopping list in each food group."""
    # Step 1: Drop any label and split the list into items.
    body = text.split(":", 1)[1] if ":" in text else text
    items = [i.strip() for i in body.split(",") if i.strip()]
    # Step 2: Find the food group of each item (knowledge).
    groups = [food_group_of(i) for i in items]
    # Step 3: Count the items per group.
    answer = {g: groups.count(g) for g in ['fruit', 'vegetable', 'grain', 'dairy', 'protein']}
    return {'items': len(items), 'answer': answer}
''',
    _food_group_sample,
    _FOOD_GROUP_HELPER,
)


def _missing_group_sample(rng):
    present = rng.sample(_GROUPS, rng.randint(2, 4))
    foods = []
    for g in present:
        foods += rng.sample([f for f in sorted(_FOOD_GROUP) if _FOOD_GROUP[f] == g], rng.randint(1, 2))
    rng.shuffle(foods)
    meal = rng.choice(["Breakfast", "Lunch", "Dinner", "My lunchbox", "Tonight's meal", "Picnic basket"])
    text = f"{meal}: " + ", ".join(foods[:-1]) + " and " + foods[-1]
    return Example(input=text, args=(text,))


MISSING_FOOD_GROUP = _fam(
    "missing_food_groups",
    ["Which food groups are missing from this meal?",
     "Of fruit, vegetable, grain, dairy and protein, which groups does this meal lack?",
     "List the food groups not represented in the meal.",
     "To make the meal balanced, which food groups would I need to add?"],
    r'''import re

def missing_food_groups(text):
    """Find which of the five food groups a meal does not include."""
    # Step 1: Split the meal into its foods.
    body = text.split(":", 1)[1]
    foods = [f.strip() for f in re.split(r",|\band\b", body) if f.strip()]
    # Step 2: Find the group of each food (knowledge).
    present = {food_group_of(f) for f in foods}
    # Step 3: Keep the groups that do not appear.
    answer = [g for g in ['fruit', 'vegetable', 'grain', 'dairy', 'protein'] if g not in present]
    return {'present': sorted(present), 'answer': answer}
''',
    _missing_group_sample,
    _FOOD_GROUP_HELPER,
)

_EDIBLE = ["bread", "apple", "cheese", "rice", "carrot", "banana", "yogurt", "honey", "lettuce", "egg", "walnut",
           "potato", "cucumber", "chocolate", "pasta", "oatmeal", "strawberry", "tomato", "pear", "pretzel"]
_INEDIBLE = ["stone", "spoon", "pencil", "shoe", "marble", "candle", "sponge", "brick", "coin", "battery", "soap",
             "button", "key", "crayon", "rubber band", "nail", "sand", "towel", "paperclip", "plastic bag"]


def _edible_sample(rng):
    items = _sample(rng, _EDIBLE + _INEDIBLE, rng.randint(6, 16))
    text = rng.choice(["", "In the box: ", "Items found: "]) + ", ".join(items)
    return Example(input=text, args=(text,))


EDIBLE_ITEMS = _fam(
    "edible_items",
    ["Which of these things can be eaten?", "Pick out the edible items.",
     "List the items that are food and safe to eat.", "From the list, keep only what you could eat."],
    '''def edible_items(text):
    """Keep only the items in a list that are edible."""
    # Step 1: Remove any label and split into items.
    body = text.split(":", 1)[1] if ":" in text else text
    items = [i.strip() for i in body.split(",") if i.strip()]
    # Step 2: Judge each item (knowledge) and keep the edible ones.
    answer = [i for i in items if is_edible(i)]
    return {'total': len(items), 'edible_count': len(answer), 'answer': answer}
''',
    _edible_sample,
    _member("is_edible", "item", _EDIBLE),
)


# ============================================================================================
# Text judgement: spam, fact/opinion, sentence type, formality, sarcasm, headlines, names
# ============================================================================================

_SPAM = [
    "Congratulations! You have won a $1,000 gift card. Click the link to claim it now.",
    "URGENT: your account will be suspended unless you verify your password at this link today.",
    "You are the lucky winner of a free cruise! Reply YES to claim your prize.",
    "Earn $5,000 a week from home with no experience. Sign up now, limited spots!",
    "Hot singles in your area are waiting to meet you. Click here.",
    "Your package could not be delivered. Pay a $1.99 fee at this link to reschedule.",
    "Lose 20 pounds in 10 days with this one miracle pill! Order now.",
    "Final notice: claim your unclaimed lottery winnings before midnight.",
    "Get a pre-approved loan of $50,000 instantly, no credit check needed!",
    "Dear customer, we detected unusual activity. Send us your card number to unlock your account.",
    "Buy cheap designer watches at 90% off! Limited time offer, click now.",
    "You have been selected for a free phone. Just pay shipping to receive it.",
    "Double your bitcoin in 24 hours, guaranteed! Send any amount to this wallet.",
    "A prince needs your help moving $10 million. You will keep 30 percent.",
    "Act now! Your car warranty is about to expire. Call this number immediately.",
    "Claim your free vacation voucher today, only 3 left!",
    "Exclusive deal just for you: 80% off all pills, no prescription required.",
    "Your computer is infected! Download this cleaner now to remove 27 viruses.",
    "WIN WIN WIN! Text PRIZE to 80808 for a chance at a new car.",
    "Make money fast with this secret trading trick banks don't want you to know.",
]
_HAM = [
    "Hi Sam, are we still meeting for lunch at noon tomorrow?",
    "The quarterly report is attached. Let me know if you have questions.",
    "Mom says dinner is at 7, bring the salad if you can.",
    "Reminder: your dentist appointment is on Thursday at 3 pm.",
    "Thanks for helping me move last weekend, I owe you one.",
    "The team meeting has moved to room 204.",
    "Can you send me the slides from today's lecture?",
    "Your library book is due back next Monday.",
    "Happy birthday! Hope you have a wonderful day.",
    "I left my umbrella in your car, can I grab it later?",
    "The plumber will come by between 9 and 11 on Friday.",
    "Here are the photos from the hiking trip.",
    "Don't forget we have soccer practice at 5 today.",
    "Your order of printer paper has shipped and should arrive Wednesday.",
    "Could you review my pull request when you have a minute?",
    "The school bus will be 15 minutes late this morning.",
    "Let's push the project deadline to next Friday.",
    "I'm running late, start without me.",
    "Grandpa wants to know if you're coming for the holidays.",
    "The gym will be closed on Sunday for cleaning.",
]


def _spam_sample(rng):
    msgs = rng.sample(_SPAM, rng.randint(0, 3)) + rng.sample(_HAM, rng.randint(2, 5))
    rng.shuffle(msgs)
    text = "\n".join(f"{i}. {m}" for i, m in enumerate(msgs, 1))
    return Example(input=text, args=(text,))


SPAM_INBOX = _fam(
    "spam_messages_in_inbox",
    ["Which of these numbered messages are spam? Give their numbers.",
     "Flag the spam in this inbox by message number.",
     "Go through the messages and list the numbers of the ones that are spam or scams.",
     "Identify the junk messages below (answer with their numbers)."],
    r'''import re

def find_spam(text):
    """Return the numbers of the messages in an inbox that are spam."""
    # Step 1: Split the inbox into numbered messages.
    messages = re.findall(r"^(\d+)\.\s*(.+)$", text, flags=re.M)
    # Step 2: Judge each message (judgement) and keep the spam numbers.
    answer = [int(num) for num, body in messages if is_spam(body)]
    # Step 3: Count the legitimate ones as well.
    legit = len(messages) - len(answer)
    return {'legitimate': legit, 'answer': answer}
''',
    _spam_sample,
    _member("is_spam", "message", _SPAM),
)

_FACTS = [
    "Water boils at 100 degrees Celsius at sea level.", "The Pacific is the largest ocean on Earth.",
    "A week has seven days.", "Mount Everest is the tallest mountain above sea level.",
    "The Moon orbits the Earth.", "Paris is the capital of France.", "Spiders have eight legs.",
    "Light travels faster than sound.", "The human heart has four chambers.", "Ice is frozen water.",
    "There are 24 hours in a day.", "The Sun rises in the east.", "A triangle has three sides.",
    "Copper conducts electricity.", "The Nile flows into the Mediterranean Sea.", "Honey is made by bees.",
    "Plants use sunlight to make their food.", "Gold is a metal.", "The Earth orbits the Sun.",
    "Sound cannot travel through a vacuum.", "A leap year has 366 days.",
    "The first modern Olympic Games were held in 1896.", "Mars is often called the Red Planet.",
    "A square has four equal sides.", "A chessboard has 64 squares.", "Oxygen is a gas at room temperature.",
    "Brazil is the largest country in South America.", "Diamonds are made of carbon.",
    "The Amazon rainforest is in South America.", "Tokyo is a city in Japan.",
]
_OPINIONS = [
    "Summer is the best season of the year.", "Jazz is more relaxing than rock music.",
    "Pizza tastes better cold.", "Cats make better pets than dogs.", "That movie was far too long.",
    "Mathematics is the most interesting school subject.", "Paris is the most beautiful city in the world.",
    "Everyone should learn to play an instrument.", "Mondays are the worst day of the week.",
    "Chocolate ice cream is better than vanilla.", "Reading books is more fun than watching television.",
    "Modern art is hard to appreciate.", "The new stadium looks ugly.", "Winter is too cold to enjoy.",
    "Board games are more fun than video games.", "Tea is nicer than coffee.", "Poetry is boring.",
    "Our town needs more parks.", "Baseball is the most exciting sport to watch.", "Red is the prettiest colour.",
    "Homework should be banned.", "Early mornings are the most peaceful part of the day.",
    "The sequel was better than the original film.", "Spicy food is overrated.",
    "Cities are nicer to live in than villages.", "Learning French is easier than learning German.",
    "Sunsets at the beach are magical.", "Remote work is better than working in an office.",
    "The museum's new exhibit is fascinating.", "Classical music is the greatest kind of music.",
]


def _fact_opinion_sample(rng):
    n = rng.randint(3, 6)
    k = rng.randint(0, n)
    sents = rng.sample(_FACTS, n - k) + rng.sample(_OPINIONS, k)
    rng.shuffle(sents)
    text = " ".join(sents)
    return Example(input=text, args=(text,))


FACT_OPINION = _fam(
    "fact_or_opinion_sentences",
    ["Label each sentence in the passage as a fact or an opinion.",
     "For every statement, say whether it is a fact or an opinion.",
     "Go sentence by sentence: fact or opinion?",
     "Classify the sentences of this text as 'fact' or 'opinion'."],
    r'''import re

def fact_or_opinion(text):
    """Label every sentence of a passage as a fact or an opinion."""
    # Step 1: Split the passage into sentences.
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
    # Step 2: Judge each sentence (judgement) and map it to a label.
    answer = ['opinion' if is_opinion(s) else 'fact' for s in sentences]
    # Step 3: Count the facts.
    facts = answer.count('fact')
    return {'sentences': len(sentences), 'facts': facts, 'answer': answer}
''',
    _fact_opinion_sample,
    _member("is_opinion", "statement", _OPINIONS),
)

_COMMANDS = [
    "Close the door behind you.", "Please pass me the salt.", "Turn off the lights before you leave.",
    "Take your shoes off at the entrance.", "Write your name at the top of the page.", "Call me when you get home.",
    "Don't touch the wet paint!", "Bring an umbrella tomorrow.", "Stir the soup every few minutes.",
    "Please wait here.", "Feed the cat before school.", "Read the instructions carefully.",
    "Put the books back on the shelf.", "Send the invoice by Friday.", "Keep your hands inside the vehicle!",
    "Let the dough rest for an hour.", "Water the plants twice a week.", "Sign the form and return it to the office.",
    "Be quiet during the exam!", "Lock the back door tonight.",
]
_STATEMENTS = [
    "The train leaves at six.", "My sister lives in Lisbon.", "It rained all afternoon.",
    "The bakery opens early on Saturdays.", "Our dog sleeps on the sofa.", "The meeting ran over by twenty minutes.",
    "He plays the piano every evening.", "The museum is free on Sundays.", "I finished the puzzle last night.",
    "The river flooded the lower road.", "She bought a new bicycle.", "The soup needs more salt.",
    "We watched the stars from the roof.", "The printer is out of paper.", "Tom forgot his keys again.",
    "The garden is full of tomatoes this year.", "That shop sells old maps.", "The concert starts at eight.",
    "My phone battery died.", "The kids built a snowman.",
]
_QUESTIONS = [
    "Where did you park the car?", "Have you seen my glasses?", "What time does the film start?",
    "Is the library open today?", "Who left the window open?", "Can you help me carry this box?",
    "How far is the station?", "Did you lock the door?", "Why is the sky blue?", "Which bus goes downtown?",
    "When is your birthday?", "Are we there yet?",
]


def _sentence_type_sample(rng):
    n = rng.randint(3, 6)
    pool = [("c", s) for s in _COMMANDS] + [("s", s) for s in _STATEMENTS] + [("q", s) for s in _QUESTIONS]
    sents = [s for _, s in rng.sample(pool, n)]
    text = " ".join(sents)
    return Example(input=text, args=(text,))


SENTENCE_TYPES = _fam(
    "sentence_type_counts",
    ["Count the questions, commands and statements in the text.",
     "How many sentences are questions, how many are commands, and how many are statements?",
     "Classify each sentence as a question, command or statement and give the totals.",
     "Tally the sentence types (question / command / statement) in this passage."],
    r'''import re

def sentence_type_counts(text):
    """Count the questions, commands and statements in a passage."""
    # Step 1: Split the passage into sentences.
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
    # Step 2: A '?' marks a question; otherwise judge whether it is a command.
    types = []
    for s in sentences:
        if s.endswith('?'):
            types.append('question')
        elif is_command(s):
            types.append('command')
        else:
            types.append('statement')
    # Step 3: Count each type.
    answer = {t: types.count(t) for t in ['question', 'command', 'statement']}
    return {'types': types, 'answer': answer}
''',
    _sentence_type_sample,
    _member("is_command", "sentence", _COMMANDS),
)

_FORMAL = [
    "I am writing to enquire about the position advertised on your website.",
    "Please find attached the documents you requested.",
    "I would be grateful if you could confirm receipt of this letter.",
    "We regret to inform you that the event has been postponed.",
    "Kindly submit your application by the end of the month.",
    "I look forward to hearing from you at your earliest convenience.",
    "Should you require further information, please do not hesitate to contact me.",
    "We appreciate your patience while we resolve this matter.",
    "The committee will convene on the fourteenth of March.",
    "Thank you for your prompt attention to this matter.",
    "I wish to express my sincere gratitude for your assistance.",
    "Your request has been forwarded to the relevant department.",
    "We are pleased to inform you that your application has been approved.",
    "Please accept my apologies for any inconvenience caused.",
    "Attendance at the briefing is mandatory for all staff.",
]
_INFORMAL = [
    "Hey, what's up?", "Gonna be a bit late, sorry!", "That party was totally awesome.",
    "Wanna grab a pizza later?", "lol, I can't believe he said that.", "No worries, catch you tomorrow.",
    "Dude, you gotta see this video.", "Yeah, sounds good to me.", "Ugh, my phone died again.",
    "Thanks a ton, you're a lifesaver!", "Let's just chill at my place.", "I'm super tired, gonna crash early.",
    "Text me when you're home, okay?", "Haha, that's so cool.", "Can't wait to see you guys!",
]


def _formality_sample(rng):
    n = rng.choice([3, 5])
    major = rng.randint(n // 2 + 1, n)
    formal_major = rng.random() < 0.5
    a, b = (_FORMAL, _INFORMAL) if formal_major else (_INFORMAL, _FORMAL)
    sents = rng.sample(a, major) + rng.sample(b, n - major)
    rng.shuffle(sents)
    text = " ".join(sents)
    return Example(input=text, args=(text,))


FORMALITY = _fam(
    "message_formality",
    ["Is this message mostly formal or informal?", "Decide whether the text is written in a formal or informal register.",
     "Judge each sentence as formal or informal, then label the message by the majority.",
     "Overall, is the tone of this message formal or informal?"],
    r'''import re

def message_formality(text):
    """Label a message formal or informal by the majority of its sentences."""
    # Step 1: Split the message into sentences.
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
    # Step 2: Judge the register of each sentence (judgement).
    formal = sum(1 for s in sentences if is_formal(s))
    informal = len(sentences) - formal
    # Step 3: The majority decides the label.
    answer = 'formal' if formal > informal else 'informal'
    return {'formal': formal, 'informal': informal, 'answer': answer}
''',
    _formality_sample,
    _member("is_formal", "sentence", _FORMAL),
    answer_format="label",
    labels=("formal", "informal"),
)

_SARCASTIC = [
    "Oh great, another Monday. Just what I needed.",
    "Wow, a two-hour wait for a coffee. Amazing service.",
    "Sure, because leaving the oven on all day is a brilliant idea.",
    "Fantastic, it started raining the moment I washed my car.",
    "Oh yes, I just love being stuck in traffic for three hours.",
    "Nice job breaking the printer again, genius.",
    "What a surprise, the train is late. Again.",
    "Thanks for the spoiler, really made my day.",
    "Oh perfect, my laptop decided to update during the exam.",
    "Yeah, because everyone enjoys meetings that could have been an email.",
    "Brilliant, the one day I forget my umbrella it pours.",
    "Wow, you finished the report only a week late. Impressive.",
    "Oh sure, let's schedule another meeting about meetings.",
    "Lovely, the neighbours started drilling at six in the morning.",
    "Great, my flight got cancelled. Best holiday ever.",
    "Oh wonderful, the Wi-Fi is down right before my deadline.",
    "Clearly the best way to save time is to do everything twice.",
    "Oh joy, another password reset.",
    "Because what this city really needs is another parking garage.",
    "Of course the elevator breaks on moving day. Of course.",
]
_SINCERE = [
    "Thanks for the directions, I found the place easily.",
    "The concert last night was really well organised.",
    "I appreciate you covering my shift on Friday.",
    "The train was on time today, which helped a lot.",
    "This recipe turned out delicious, I will make it again.",
    "The museum guide explained everything clearly.",
    "I'm glad the rain stopped before the match.",
    "Our new neighbours brought us cookies, which was kind.",
    "The software update fixed the battery problem.",
    "The library extended its opening hours, very useful for students.",
    "Congratulations on your promotion, you earned it.",
    "The hotel staff were friendly and helpful.",
    "The hike was tiring but the view at the top was worth it.",
    "I finally fixed the leaking tap myself.",
    "The bus driver waited for me when I was running, so kind of him.",
    "Your presentation was clear and easy to follow.",
    "The park looks much nicer since they planted new trees.",
    "I learned a lot from today's workshop.",
    "The delivery arrived a day early.",
    "Thank you for remembering my birthday.",
]


def _sarcasm_sample(rng):
    comments = rng.sample(_SARCASTIC, rng.randint(0, 3)) + rng.sample(_SINCERE, rng.randint(1, 4))
    rng.shuffle(comments)
    text = "\n".join(rng.choice(["- {c}", "{c}", "> {c}"]).format(c=c) for c in comments)
    return Example(input=text, args=(text,))


SARCASM_COUNT = _fam(
    "sarcastic_comment_count",
    ["How many of these comments are sarcastic?", "Count the sarcastic remarks in this comment thread.",
     "Read the comments (one per line) and count the ones meant sarcastically.",
     "Which comments are sarcastic? Report how many there are."],
    '''def count_sarcastic(text):
    """Count the sarcastic comments in a thread with one comment per line."""
    # Step 1: Split the thread into comments and strip list markers.
    comments = [line.strip().lstrip('->').strip() for line in text.splitlines() if line.strip()]
    # Step 2: Judge each comment (judgement).
    sarcastic = [c for c in comments if is_sarcastic(c)]
    # Step 3: Count them.
    answer = len(sarcastic)
    return {'comments': len(comments), 'sarcastic': sarcastic, 'answer': answer}
''',
    _sarcasm_sample,
    _member("is_sarcastic", "comment", _SARCASTIC),
    answer_format="number",
)

_HEADLINES = {
    "sports": [
        "Local striker scores hat-trick in cup final", "Tennis champion retires after twenty-year career",
        "Marathon record falls in windy conditions", "Underdogs clinch basketball title in overtime",
        "Cricket captain named player of the series", "Swimmer wins third gold medal at world championships",
        "Football club sacks coach after losing streak", "Cyclist takes lead in mountain stage of tour",
        "Rugby team announces squad for autumn internationals", "Golfer sinks hole-in-one to win tournament",
    ],
    "politics": [
        "Parliament passes new budget after late-night vote", "Prime minister announces cabinet reshuffle",
        "Senate rejects proposed tax bill", "Opposition leader calls for early election",
        "City council votes to expand bus lanes", "President signs climate treaty at summit",
        "Voter turnout hits record high in regional election", "Foreign ministers meet to discuss border dispute",
        "Governor vetoes controversial housing bill", "New party wins seats in national assembly",
    ],
    "technology": [
        "Tech giant unveils foldable smartphone", "New app translates speech in real time",
        "Software update fixes major security flaw", "Company launches laptop with week-long battery",
        "Social network adds end-to-end encrypted messaging", "Chipmaker reveals faster processor for gaming PCs",
        "Popular browser to block third-party cookies", "Smart speaker gains offline voice control",
        "Streaming service rolls out new recommendation algorithm", "Programmers release open-source robot operating system",
    ],
    "science": [
        "Astronomers detect water vapour on distant exoplanet", "Fossil of feathered dinosaur found in desert",
        "Researchers map the genome of an ancient wheat", "New species of deep-sea fish discovered",
        "Physicists observe rare particle decay", "Study links gut bacteria to sleep quality",
        "Satellite data reveal glacier melting rate", "Telescope captures image of galaxy collision",
        "Biologists find bees can count to four", "Volcanologists record unusual seismic activity",
    ],
    "business": [
        "Retail chain reports record quarterly profits", "Central bank raises interest rates by half a point",
        "Airline merger creates continent's largest carrier", "Coffee company to open 500 new stores",
        "Shares tumble after carmaker misses earnings forecast", "Oil prices climb as supply tightens",
        "Supermarket giant buys rival for two billion dollars", "Bakery chain raises funding to expand abroad",
        "Toy maker cuts jobs amid falling sales", "Stock market closes at all-time high",
    ],
}
_HEADLINE_TOPIC = {h: t for t, hs in _HEADLINES.items() for h in hs}


def _headline_sample(rng):
    topics = sorted(_HEADLINES)
    top = rng.choice(topics)
    k = rng.randint(2, 4)
    heads = rng.sample(_HEADLINES[top], k)
    others = rng.sample([t for t in topics if t != top], rng.randint(1, 4))
    for t in others:
        heads += rng.sample(_HEADLINES[t], rng.randint(1, k - 1))
    rng.shuffle(heads)
    return Example(input="\n".join(heads), args=(heads,))


HEADLINE_TOPICS = _fam(
    "news_digest_main_topic",
    ["Which topic do most of these headlines cover: sports, politics, technology, science or business?",
     "Classify each headline by topic and say which topic dominates the digest.",
     "What is the most common news topic in this list of headlines?",
     "Sort the headlines into sports, politics, technology, science and business; which topic has the most?"],
    '''from collections import Counter

def main_topic(headlines):
    """Find the topic shared by the most headlines in a news digest."""
    # Step 1: Judge the topic of each headline (judgement).
    topics = [topic_of(h) for h in headlines]
    # Step 2: Count headlines per topic.
    counts = dict(Counter(topics))
    # Step 3: Pick the topic with the most headlines.
    answer = max(counts, key=counts.get)
    return {'counts': counts, 'answer': answer}
''',
    _headline_sample,
    _lookup("topic_of", "headline", _HEADLINE_TOPIC),
    answer_format="label",
    labels=("sports", "politics", "technology", "science", "business"),
)

_PERSON_NAMES = ["Priya", "Tomas", "Amara", "Lucas", "Sofia", "Kenji", "Fatima", "Oliver", "Mei", "Diego",
                 "Hannah", "Omar", "Ingrid", "Rahul", "Chloe", "Mateo", "Aisha", "Noah", "Yuki", "Elena", "Kwame",
                 "Lars", "Zara", "Pablo", "Leila", "Felix", "Nadia", "Ivan", "Ethan", "Bianca"]
_NAME_CITIES = ["Lisbon", "Denver", "Oslo", "Nairobi", "Toronto", "Madrid", "Berlin", "Seoul", "Lima", "Cairo",
                "Dublin", "Vienna", "Chicago", "Mumbai", "Prague", "Helsinki"]
_NAME_COMPANIES = ["Toyota", "Siemens", "Boeing", "Samsung", "Nokia", "Adidas", "Lego", "Philips", "Heineken",
                   "Volvo", "Canon", "Nintendo"]
_NAME_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_NAME_MONTHS = ["January", "February", "October", "November", "December"]
_NAME_TEMPLATES = [
    "On {day}, {p1} met {p2} in {city} to discuss the {company} contract.",
    "{p1} and {p2} flew from {city} to {city2} last {month}.",
    "Yesterday {p1} sent {p2} a postcard from {city}.",
    "After the {company} meeting in {city}, {p1} called {p2} and {p3}.",
    "During {month}, {p1} worked at the {company} office in {city}.",
    "In {city}, {p1} bought a gift for {p2} at the {company} store on {day}.",
    "The {company} team in {city2} hired {p1} in {month}, and {p2} trained her.",
    "Every {day}, {p1}, {p2} and {p3} play chess at a cafe in {city}.",
]


def _names_sample(rng):
    p = rng.sample(_PERSON_NAMES, 3)
    c = rng.sample(_NAME_CITIES, 2)
    text = rng.choice(_NAME_TEMPLATES).format(p1=p[0], p2=p[1], p3=p[2], city=c[0], city2=c[1],
                                               company=rng.choice(_NAME_COMPANIES), day=rng.choice(_NAME_DAYS),
                                               month=rng.choice(_NAME_MONTHS))
    return Example(input=text, args=(text,))


PERSON_NAMES = _fam(
    "person_names_in_sentence",
    ["Extract the names of the people mentioned in the sentence.", "Which words in this sentence are people's names?",
     "List every person named in the text, in order of appearance.",
     "Find the person names (not places, companies or dates) in the sentence."],
    r'''import re

def extract_person_names(text):
    """List the people's names that appear in a sentence."""
    # Step 1: Collect the capitalised words as candidate names.
    candidates = re.findall(r"\b[A-Z][a-z]+\b", text)
    # Step 2: Keep the candidates that are person names (judgement), without repeats.
    answer = []
    for word in candidates:
        if is_person_name(word) and word not in answer:
            answer.append(word)
    return {'candidates': candidates, 'answer': answer}
''',
    _names_sample,
    _member("is_person_name", "word", _PERSON_NAMES),
)


# ============================================================================================
# Words: synonyms, antonyms, rhymes, plurals, parts of speech, translation, odd one out
# ============================================================================================

_SYNONYM_PAIRS = [("big", "large"), ("small", "little"), ("fast", "quick"), ("happy", "glad"), ("begin", "start"),
                  ("end", "finish"), ("smart", "clever"), ("shut", "close"), ("hard", "difficult"),
                  ("easy", "simple"), ("rich", "wealthy"), ("sick", "ill"), ("quiet", "silent"), ("gift", "present"),
                  ("buy", "purchase"), ("answer", "reply"), ("brave", "courageous"), ("funny", "amusing"),
                  ("scared", "afraid"), ("fix", "repair"), ("shout", "yell"), ("jump", "leap"), ("tired", "weary"),
                  ("angry", "furious"), ("tiny", "minute")]
_ANTONYM_PAIRS = [("hot", "cold"), ("up", "down"), ("happy", "sad"), ("big", "small"), ("fast", "slow"),
                  ("rich", "poor"), ("buy", "sell"), ("win", "lose"), ("early", "late"), ("full", "empty"),
                  ("young", "old"), ("push", "pull"), ("laugh", "cry"), ("true", "false"), ("always", "never"),
                  ("wet", "dry"), ("loud", "quiet"), ("heavy", "light"), ("open", "shut"), ("easy", "hard"),
                  ("begin", "end"), ("brave", "cowardly"), ("question", "answer"), ("friend", "enemy")]
_SYN_HELPER = ("def are_synonyms(word1, word2):\n"
               f"    pairs = {sorted(_SYNONYM_PAIRS)!r}\n"
               "    a, b = word1.strip().lower(), word2.strip().lower()\n"
               "    return (a, b) in pairs or (b, a) in pairs\n")


def _syn_pairs_sample(rng):
    pairs = rng.sample(_SYNONYM_PAIRS, rng.randint(0, 4)) + rng.sample(_ANTONYM_PAIRS, rng.randint(1, 4))
    pairs = [list(p) if rng.random() < 0.5 else [p[1], p[0]] for p in pairs]
    rng.shuffle(pairs)
    sep = rng.choice([" - ", " / ", " and "])
    text = rng.choice(["\n", "; ", ", "]).join(f"{a}{sep}{b}" for a, b in pairs)
    return Example(input=text, args=(pairs,))


SYNONYM_PAIRS = _fam(
    "synonym_pair_count",
    ["How many of these word pairs are synonyms?", "Count the pairs whose two words mean the same thing.",
     "Some pairs are synonyms and some are opposites. How many are synonyms?",
     "Check each pair of words: count the ones with the same meaning."],
    '''def count_synonym_pairs(pairs):
    """Count the word pairs whose two words are synonyms."""
    # Step 1: Judge each pair (knowledge).
    same = [(a, b) for a, b in pairs if are_synonyms(a, b)]
    # Step 2: The remaining pairs are not synonyms.
    different = [[a, b] for a, b in pairs if (a, b) not in same]
    # Step 3: Count the synonym pairs.
    answer = len(same)
    return {'not_synonyms': different, 'answer': answer}
''',
    _syn_pairs_sample,
    _SYN_HELPER,
    answer_format="number",
)

_ANTONYM = {
    "hot": "cold", "cold": "hot", "up": "down", "down": "up", "win": "lose", "true": "false", "false": "true",
    "buy": "sell", "sell": "buy", "push": "pull", "pull": "push", "rich": "poor", "poor": "rich", "alive": "dead",
    "day": "night", "night": "day", "north": "south", "south": "north", "east": "west", "west": "east",
    "inside": "outside", "outside": "inside", "before": "after", "after": "before", "always": "never",
    "never": "always", "maximum": "minimum", "minimum": "maximum", "wet": "dry", "dry": "wet", "loud": "quiet",
    "early": "late", "late": "early", "thick": "thin", "thin": "thick", "wide": "narrow", "narrow": "wide",
    "enter": "exit", "import": "export", "export": "import", "increase": "decrease", "decrease": "increase",
    "accept": "reject", "victory": "defeat", "friend": "enemy", "enemy": "friend", "floor": "ceiling",
    "asleep": "awake", "awake": "asleep", "full": "empty", "empty": "full", "visible": "invisible",
    "possible": "impossible", "arrive": "depart", "question": "answer", "entrance": "exit", "forget": "remember",
    "remember": "forget", "ancient": "modern", "modern": "ancient", "borrow": "lend", "lend": "borrow",
    "above": "below", "below": "above", "minor": "major", "major": "minor",
}


def _antonym_sample(rng):
    words = _sample(rng, _ANTONYM, rng.randint(2, 8))
    return Example(input=_join_list(rng, words), args=(words,))


ANTONYMS = _fam(
    "antonyms_of_words",
    ["Give the opposite of each word.", "Write an antonym for every word in the list.",
     "What is the opposite of each of these words?", "Replace every word with its antonym."],
    '''def antonyms(words):
    """Give the antonym of each word in a list."""
    # Step 1: Normalise the words.
    cleaned = [w.strip().lower() for w in words]
    # Step 2: Look up each opposite (knowledge).
    answer = [antonym_of(w) for w in cleaned]
    return {'words': cleaned, 'answer': answer}
''',
    _antonym_sample,
    _lookup("antonym_of", "word", _ANTONYM),
)

_RHYMES = {
    "ay": ["day", "weigh", "sleigh", "they", "grey", "play", "obey", "stay", "neigh", "prey"],
    "oo": ["blue", "shoe", "through", "two", "flew", "zoo", "true", "knew", "queue", "view"],
    "ite": ["light", "bite", "kite", "white", "height", "night", "byte", "write", "sight", "fight"],
    "air": ["bear", "hair", "care", "where", "pear", "there", "stare", "chair", "wear", "square"],
    "oh": ["though", "snow", "toe", "sew", "dough", "go", "slow", "crow", "know", "throw"],
    "urd": ["word", "bird", "heard", "third", "nerd", "herd", "blurred", "stirred"],
    "ed": ["said", "bread", "red", "head", "fled", "shed", "thread", "bed"],
    "ate": ["weight", "eight", "great", "late", "straight", "plate", "freight", "bait"],
    "uff": ["tough", "rough", "stuff", "enough", "bluff", "cuff"],
    "ow": ["cow", "bough", "now", "plough", "how", "allow", "vow"],
    "ear": ["hear", "deer", "here", "clear", "pier", "cheer", "year", "sphere"],
}
_RHYME_KEY = {w: k for k, ws in _RHYMES.items() for w in ws}


def _rhyme_sample(rng):
    key = rng.choice(sorted(_RHYMES))
    target, *rhymes = rng.sample(_RHYMES[key], rng.randint(2, 4))
    others = rng.sample([w for w in sorted(_RHYME_KEY) if _RHYME_KEY[w] != key], rng.randint(2, 5))
    cands = rhymes + others
    rng.shuffle(cands)
    return Example(input=", ".join(cands), args=(target, cands), fields={"word": target})


RHYMES = _fam(
    "words_that_rhyme",
    ["Which of these words rhyme with '{word}'?", "Pick the words from the list that rhyme with \"{word}\".",
     "List every word below that rhymes with {word} (by sound, not spelling).",
     "Find the rhymes for '{word}' in this list."],
    '''def rhyming_words(target, candidates):
    """Keep the candidate words that rhyme with the target word."""
    # Step 1: Find the rhyme sound of the target (knowledge of pronunciation).
    sound = rhyme_sound(target)
    # Step 2: Find the rhyme sound of each candidate and keep the matches.
    sounds = {w: rhyme_sound(w) for w in candidates}
    answer = [w for w in candidates if sounds[w] == sound and w != target]
    return {'target_sound': sound, 'answer': answer}
''',
    _rhyme_sample,
    _lookup("rhyme_sound", "word", {w: "-" + k for w, k in _RHYME_KEY.items()}),
)

_PLURALS = {
    "mouse": "mice", "child": "children", "tooth": "teeth", "foot": "feet", "goose": "geese", "man": "men",
    "woman": "women", "person": "people", "ox": "oxen", "sheep": "sheep", "fish": "fish", "deer": "deer",
    "box": "boxes", "bus": "buses", "city": "cities", "baby": "babies", "knife": "knives", "leaf": "leaves",
    "wolf": "wolves", "potato": "potatoes", "tomato": "tomatoes", "hero": "heroes", "photo": "photos",
    "piano": "pianos", "day": "days", "toy": "toys", "church": "churches", "wish": "wishes", "fox": "foxes",
    "glass": "glasses", "loaf": "loaves", "shelf": "shelves", "key": "keys", "dish": "dishes", "moose": "moose",
    "louse": "lice", "crisis": "crises", "thesis": "theses", "phenomenon": "phenomena", "criterion": "criteria",
    "bacterium": "bacteria", "roof": "roofs", "chef": "chefs", "cliff": "cliffs", "book": "books", "cat": "cats",
}


def _plural_sample(rng):
    nouns = _sample(rng, _PLURALS, rng.randint(2, 6))
    counts = [rng.choice([1, rng.randint(2, 12), rng.randint(2, 5)]) for _ in nouns]
    sep = rng.choice([", ", "; "])
    text = sep.join(f"{n} {w}" for n, w in zip(counts, nouns))
    return Example(input=text, args=(text,))


PLURALS = _fam(
    "counted_noun_plurals",
    ["Fix the nouns so each agrees with its number (use the plural when needed).",
     "Rewrite the list using the correct singular or plural form of each noun.",
     "Make every noun agree with the count in front of it.",
     "Correct the noun forms: plural for counts above one, singular for one."],
    r'''import re

def pluralise_counts(text):
    """Put each counted noun in the singular or plural form that matches its number."""
    # Step 1: Read each count and noun, and the separator used.
    items = re.findall(r"(\d+)\s+([a-z]+)", text)
    sep = '; ' if ';' in text else ', '
    # Step 2: Keep the singular for one, otherwise look up the plural (knowledge).
    parts = [f"{n} {noun if int(n) == 1 else plural_of(noun)}" for n, noun in items]
    # Step 3: Join the phrases back together.
    answer = sep.join(parts)
    return {'items': len(items), 'answer': answer}
''',
    _plural_sample,
    _lookup("plural_of", "noun", _PLURALS),
)

_POS = {
    **{w: "noun" for w in ["mountain", "teacher", "pencil", "elephant", "bicycle", "kitchen", "library", "umbrella",
                           "island", "village", "banana", "piano", "window", "ocean", "student", "carrot",
                           "blanket", "sofa", "galaxy", "tiger"]},
    **{w: "verb" for w in ["eat", "sing", "write", "swim", "think", "arrive", "speak", "forget", "grow", "choose",
                           "bring", "become", "listen", "explain", "borrow", "steal", "breathe", "decide",
                           "remember", "imagine"]},
    **{w: "adjective" for w in ["happy", "tall", "bright", "enormous", "tiny", "gentle", "ancient", "shiny",
                                "honest", "careful", "famous", "curious", "delicious", "noisy", "lazy", "fragile",
                                "generous", "polite"]},
    **{w: "adverb" for w in ["quickly", "slowly", "often", "quietly", "carefully", "never", "always", "rarely",
                             "loudly", "gently", "happily", "soon", "seldom", "sometimes", "eagerly", "suddenly"]},
}


def _pos_sample(rng):
    words = _sample(rng, _POS, rng.randint(6, 18))
    return Example(input=" ".join(words) if rng.random() < 0.5 else ", ".join(words), args=(words,))


POS_COUNTS = _fam(
    "part_of_speech_counts",
    ["Count the nouns, verbs, adjectives and adverbs in this word list.",
     "How many words of each part of speech are in the list?",
     "Tag each word with its part of speech and give the totals per category.",
     "Group these words by part of speech (noun, verb, adjective, adverb) and count each group."],
    '''def pos_counts(words):
    """Count the words of each part of speech in a list."""
    # Step 1: Tag each word with its part of speech (knowledge).
    tags = [part_of_speech(w) for w in words]
    # Step 2: Count the tags in a fixed order.
    answer = {pos: tags.count(pos) for pos in ['noun', 'verb', 'adjective', 'adverb']}
    return {'tags': tags, 'answer': answer}
''',
    _pos_sample,
    _lookup("part_of_speech", "word", _POS),
)

_TRANSLATIONS = {
    "dog": ("perro", "chien"), "cat": ("gato", "chat"), "house": ("casa", "maison"), "water": ("agua", "eau"),
    "book": ("libro", "livre"), "sun": ("sol", "soleil"), "moon": ("luna", "lune"), "bread": ("pan", "pain"),
    "red": ("rojo", "rouge"), "green": ("verde", "vert"), "blue": ("azul", "bleu"), "black": ("negro", "noir"),
    "white": ("blanco", "blanc"), "one": ("uno", "un"), "two": ("dos", "deux"), "three": ("tres", "trois"),
    "apple": ("manzana", "pomme"), "tree": ("árbol", "arbre"), "flower": ("flor", "fleur"),
    "school": ("escuela", "école"), "milk": ("leche", "lait"), "cheese": ("queso", "fromage"),
    "window": ("ventana", "fenêtre"), "door": ("puerta", "porte"), "sea": ("mar", "mer"),
    "city": ("ciudad", "ville"), "day": ("día", "jour"), "night": ("noche", "nuit"), "hello": ("hola", "bonjour"),
    "thank you": ("gracias", "merci"), "yes": ("sí", "oui"), "man": ("hombre", "homme"),
    "woman": ("mujer", "femme"), "egg": ("huevo", "œuf"), "hand": ("mano", "main"), "head": ("cabeza", "tête"),
    "mother": ("madre", "mère"), "father": ("padre", "père"), "brother": ("hermano", "frère"),
    "sister": ("hermana", "sœur"), "wine": ("vino", "vin"), "king": ("rey", "roi"), "horse": ("caballo", "cheval"),
    "bird": ("pájaro", "oiseau"), "friend": ("amigo", "ami"), "good": ("bueno", "bon"),
}
_TRANSLATE_HELPER = (
    "def translate_word(word, language):\n"
    f"    spanish = {({k: v[0] for k, v in _TRANSLATIONS.items()})!r}\n"
    f"    french = {({k: v[1] for k, v in _TRANSLATIONS.items()})!r}\n"
    "    table = {'spanish': spanish, 'french': french}[language.strip().lower()]\n"
    "    return table[word.strip().lower()]\n"
)


def _translate_sample(rng):
    language = rng.choice(["Spanish", "French"])
    words = _sample(rng, _TRANSLATIONS, rng.randint(2, 9))
    return Example(input=_join_list(rng, words), args=(words, language), fields={"language": language})


TRANSLATE = _fam(
    "translate_word_list",
    ["Translate each word into {language}.", "Give the {language} word for each item in the list.",
     "What are these English words in {language}?", "Write the {language} translation of every word."],
    '''def translate_words(words, language):
    """Translate a list of English words into another language, word by word."""
    # Step 1: Clean up the English words.
    english = [w.strip().lower() for w in words]
    # Step 2: Look up each translation (knowledge).
    answer = [translate_word(w, language) for w in english]
    return {'language': language, 'answer': answer}
''',
    _translate_sample,
    _TRANSLATE_HELPER,
)

_CATEGORY = {
    **{w: "fruit" for w in ["apple", "banana", "cherry", "mango", "pear", "grape", "melon", "fig"]},
    **{w: "colour" for w in ["red", "blue", "green", "yellow", "purple", "pink", "brown", "grey"]},
    **{w: "tool" for w in ["hammer", "screwdriver", "wrench", "saw", "pliers", "drill", "chisel"]},
    **{w: "musical instrument" for w in ["violin", "trumpet", "flute", "drum", "guitar", "cello", "harp"]},
    **{w: "vehicle" for w in ["car", "bus", "truck", "bicycle", "train", "tram", "scooter", "van"]},
    **{w: "furniture" for w in ["chair", "table", "sofa", "desk", "wardrobe", "bookcase", "stool"]},
    **{w: "clothing" for w in ["shirt", "jacket", "scarf", "sock", "coat", "skirt", "sweater"]},
    **{w: "body part" for w in ["elbow", "knee", "ankle", "wrist", "shoulder", "chin"]},
    **{w: "weather" for w in ["rain", "snow", "hail", "fog", "thunder", "drizzle"]},
}
_CATEGORY_HELPER = _lookup("category_of", "word", _CATEGORY)


def _odd_one_sample(rng):
    cats = sorted(set(_CATEGORY.values()))
    main, odd = rng.sample(cats, 2)
    words = rng.sample([w for w in sorted(_CATEGORY) if _CATEGORY[w] == main], rng.randint(3, 5))
    words.append(rng.choice([w for w in sorted(_CATEGORY) if _CATEGORY[w] == odd]))
    rng.shuffle(words)
    return Example(input=", ".join(words), args=(words,))


ODD_ONE_OUT = _fam(
    "odd_one_out_by_category",
    ["Which word is the odd one out?", "Find the word that does not belong with the others.",
     "All but one of these words share a category. Which one is different?",
     "Spot the item that doesn't fit the group."],
    '''from collections import Counter

def odd_one_out(words):
    """Find the word whose category differs from all the others."""
    # Step 1: Find the category of each word (knowledge).
    categories = [category_of(w) for w in words]
    # Step 2: The most frequent category is the group's category.
    group = Counter(categories).most_common(1)[0][0]
    # Step 3: The odd one out is the word outside that category.
    answer = [w for w, c in zip(words, categories) if c != group][0]
    return {'group': group, 'answer': answer}
''',
    _odd_one_sample,
    _CATEGORY_HELPER,
)


# ============================================================================================
# Everyday objects: weights, sports, instruments, tools, rooms
# ============================================================================================

_WEIGHT_KG = {
    "grain of rice": 0.00002, "paperclip": 0.001, "pencil": 0.007, "egg": 0.06, "smartphone": 0.2,
    "laptop": 2.0, "bowling ball": 6.0, "adult human": 70.0, "horse": 500.0, "car": 1500.0,
    "elephant": 5000.0, "blue whale": 150000.0,
}


def _weight_sample(rng):
    objs = _sample(rng, _WEIGHT_KG, rng.randint(3, 6))
    return Example(input=_join_list(rng, objs), args=(objs,))


WEIGHT_ORDER = _fam(
    "objects_by_weight",
    ["Order these things from lightest to heaviest.", "Sort the objects by their typical weight, lightest first.",
     "Arrange the items in increasing order of how much they usually weigh.",
     "Rank these from the lightest to the heaviest."],
    '''def order_by_weight(objects):
    """Sort objects by their typical weight, lightest first."""
    # Step 1: Estimate the typical weight of each object in kilograms (knowledge).
    weights = {o: typical_weight_kg(o) for o in objects}
    # Step 2: Sort by weight.
    answer = sorted(objects, key=lambda o: weights[o])
    return {'heaviest': answer[-1], 'answer': answer}
''',
    _weight_sample,
    _lookup("typical_weight_kg", "thing", _WEIGHT_KG),
)

_SPORT_GEAR = {
    "tennis": ["tennis racket", "tennis balls"],
    "golf": ["golf clubs", "golf tee", "putter", "golf balls"],
    "baseball": ["baseball bat", "catcher's mitt", "baseball glove"],
    "cricket": ["cricket bat", "stumps", "bails", "wicket-keeping gloves"],
    "fencing": ["foil", "épée", "fencing mask", "sabre"],
    "badminton": ["shuttlecock", "badminton racket"],
    "ice hockey": ["puck", "ice hockey stick", "goalie pads"],
    "archery": ["arrows", "quiver", "recurve bow"],
    "swimming": ["swimming goggles", "swim cap", "kickboard"],
    "skiing": ["skis", "ski poles", "ski boots"],
    "boxing": ["boxing gloves", "punching bag", "hand wraps"],
    "basketball": ["basketball", "basketball hoop"],
}
_SPORT_OF = {g: s for s, gs in _SPORT_GEAR.items() for g in gs}


def _sport_sample(rng):
    sport = rng.choice(sorted(_SPORT_GEAR))
    own = _SPORT_GEAR[sport]
    items = rng.sample(own, rng.randint(2, len(own)))
    others = rng.sample([s for s in sorted(_SPORT_GEAR) if s != sport], rng.randint(0, min(3, len(items) - 1)))
    items += [rng.choice(_SPORT_GEAR[s]) for s in others]
    rng.shuffle(items)
    text = rng.choice(["In the bag: ", "Kit list: ", "", "Equipment: "]) + ", ".join(items)
    return Example(input=text, args=(text,))


SPORT_BAG = _fam(
    "sport_of_equipment_bag",
    ["Most of this equipment is for one sport. Which sport?", "What sport is this kit bag mainly packed for?",
     "Identify the sport that most of these items belong to.",
     "Judging by the equipment, which sport is the owner going to play?"],
    '''from collections import Counter

def sport_of_bag(text):
    """Find the sport that most of the listed equipment belongs to."""
    # Step 1: Drop any label and split the equipment list.
    body = text.split(":", 1)[1] if ":" in text else text
    items = [i.strip() for i in body.split(",") if i.strip()]
    # Step 2: Find the sport of each item (knowledge).
    sports = [sport_of(i) for i in items]
    # Step 3: The most common sport wins.
    answer, count = Counter(sports).most_common(1)[0]
    return {'sports': sports, 'items_for_sport': count, 'answer': answer}
''',
    _sport_sample,
    _lookup("sport_of", "equipment", _SPORT_OF),
)

_INSTRUMENT_FAMILY = {
    **{i: "string" for i in ["violin", "viola", "cello", "double bass", "harp", "guitar", "banjo", "mandolin",
                             "ukulele", "sitar", "lute"]},
    **{i: "wind" for i in ["flute", "clarinet", "oboe", "bassoon", "saxophone", "trumpet", "trombone", "tuba",
                           "French horn", "piccolo", "recorder", "bagpipes"]},
    **{i: "percussion" for i in ["snare drum", "bass drum", "xylophone", "marimba", "tambourine", "cymbals",
                                 "triangle", "timpani", "bongos", "castanets", "glockenspiel"]},
    **{i: "keyboard" for i in ["piano", "organ", "harpsichord", "synthesizer", "clavichord"]},
}


def _ensemble_sample(rng):
    insts = _sample(rng, _INSTRUMENT_FAMILY, rng.randint(3, 8))
    style = rng.randrange(3)
    if style == 0:
        text = "\n".join(f"{i}: {rng.randint(1, 8)}" for i in insts)
    elif style == 1:
        text = ", ".join(f"{rng.randint(1, 8)} x {i}" for i in insts)
    else:
        text = "\n".join(f"{i} - {rng.randint(1, 8)} players" for i in insts)
    return Example(input=text, args=(text,))


ENSEMBLE_FAMILIES = _fam(
    "ensemble_players_by_instrument_family",
    ["How many players are there in each instrument family (string, wind, percussion, keyboard)?",
     "Total the musicians by instrument family.",
     "Group this ensemble's players into string, wind, percussion and keyboard sections and count each.",
     "For the line-up below, give the number of players per instrument family."],
    r'''import re

def players_per_family(text):
    """Total the players of an ensemble by instrument family."""
    # Step 1: Read each (instrument, number of players) entry.
    entries = []
    for part in re.split(r"\n|,", text):
        number = int(re.search(r"\d+", part).group())
        name = re.sub(r"\d+|\bx\b|players|[:\-]", " ", part).strip()
        entries.append((name, number))
    # Step 2: Find each instrument's family (knowledge) and add up the players.
    totals = {}
    for name, number in entries:
        family = instrument_family(name)
        totals[family] = totals.get(family, 0) + number
    # Step 3: Report the families in a fixed order.
    answer = {f: totals[f] for f in ['string', 'wind', 'percussion', 'keyboard'] if f in totals}
    return {'entries': entries, 'answer': answer}
''',
    _ensemble_sample,
    _lookup("instrument_family", "instrument", _INSTRUMENT_FAMILY),
)

_TOOL_WORKER = {
    "stethoscope": "doctor", "gavel": "judge", "easel": "painter", "fire hose": "firefighter",
    "handcuffs": "police officer", "rolling pin": "baker", "sewing machine": "tailor", "telescope": "astronomer",
    "dental drill": "dentist", "hair clippers": "barber", "plunger": "plumber", "tractor": "farmer",
    "scalpel": "surgeon", "anvil": "blacksmith", "loom": "weaver", "potter's wheel": "potter",
    "fishing net": "fisher", "pruning shears": "gardener", "chef's knife": "chef", "cash register": "cashier",
    "conductor's baton": "conductor", "mail bag": "mail carrier",
}


def _tool_sample(rng):
    tools = _sample(rng, _TOOL_WORKER, rng.randint(2, 5))
    art = [("an " if t[0] in "aeiou" else "a ") + t if t not in ("handcuffs", "pruning shears", "hair clippers")
           else "some " + t for t in tools]
    listed = ", ".join(art[:-1]) + " and " + art[-1]
    text = rng.choice(["In the lost-property room we found {l}.", "The storage unit contains {l}.",
                       "Delivered today: {l}.", "The exhibition shows {l}."]).format(l=listed)
    return Example(input=text, args=(text,))


TOOL_WORKERS = _fam(
    "tools_to_workers",
    ["Which worker would use each of the tools mentioned?", "Name the job that goes with each tool in the text.",
     "For every tool listed, who uses it at work?", "Match the tools in the sentence to the professions that use them."],
    r'''import re

def workers_for_tools(text):
    """Map each tool mentioned in a sentence to the worker who uses it."""
    # Step 1: Take the list after the verb and split it on commas and 'and'.
    listed = re.sub(r"^.*?(found|contains|today:|shows)\s+", "", text.strip()).rstrip(".")
    parts = [p.strip() for p in re.split(r",|\band\b", listed) if p.strip()]
    # Step 2: Remove the articles in front of each tool.
    tools = [re.sub(r"^(a|an|some)\s+", "", p) for p in parts]
    # Step 3: Look up the worker for each tool (knowledge).
    answer = {t: worker_using(t) for t in tools}
    return {'tools': tools, 'answer': answer}
''',
    _tool_sample,
    _lookup("worker_using", "tool", _TOOL_WORKER),
)

_ROOM = {
    **{o: "bathroom" for o in ["toothbrush", "shower curtain", "bathtub", "toilet brush", "bath mat"]},
    **{o: "kitchen" for o in ["refrigerator", "oven", "dishwasher", "toaster", "kettle", "frying pan"]},
    **{o: "bedroom" for o in ["bed", "wardrobe", "pillow", "nightstand", "dresser"]},
    **{o: "living room" for o in ["sofa", "coffee table", "armchair", "fireplace"]},
    **{o: "garage" for o in ["lawnmower", "toolbox", "workbench", "car jack"]},
}


def _room_sample(rng):
    objs = _sample(rng, _ROOM, rng.randint(4, 12))
    text = rng.choice(["Moving boxes: ", "Items to unpack: ", ""]) + ", ".join(objs)
    return Example(input=text, args=(text,))


ROOM_COUNTS = _fam(
    "household_items_by_room",
    ["Count how many of these items belong in each room of the house.",
     "Sort the items into rooms and give the number for each room.",
     "Which room does each item go in? Give a count per room.",
     "Group the household items by the room they are usually kept in and count them."],
    '''def items_per_room(text):
    """Count how many listed household items belong in each room."""
    # Step 1: Drop any label and split the list into items.
    body = text.split(":", 1)[1] if ":" in text else text
    items = [i.strip() for i in body.split(",") if i.strip()]
    # Step 2: Find the usual room of each item (knowledge).
    rooms = [room_of(i) for i in items]
    # Step 3: Count the items per room, in alphabetical order of room.
    answer = {r: rooms.count(r) for r in sorted(set(rooms))}
    return {'rooms': rooms, 'answer': answer}
''',
    _room_sample,
    _lookup("room_of", "item", _ROOM),
)


# ============================================================================================
# Holidays
# ============================================================================================

_HOLIDAY_DATE = {
    "Christmas Day": (12, 25), "New Year's Day": (1, 1), "Valentine's Day": (2, 14), "Halloween": (10, 31),
    "US Independence Day": (7, 4), "Bastille Day": (7, 14), "Canada Day": (7, 1), "Guy Fawkes Night": (11, 5),
    "St. Patrick's Day": (3, 17), "April Fools' Day": (4, 1), "Earth Day": (4, 22), "May Day": (5, 1),
    "International Women's Day": (3, 8), "Boxing Day": (12, 26), "Remembrance Day": (11, 11),
    "Groundhog Day": (2, 2), "Cinco de Mayo": (5, 5), "Juneteenth": (6, 19), "Australia Day": (1, 26),
    "Epiphany": (1, 6), "All Saints' Day": (11, 1), "Christmas Eve": (12, 24), "New Year's Eve": (12, 31),
    "World Environment Day": (6, 5), "Pi Day": (3, 14), "US Flag Day": (6, 14),
}
_HOLIDAY_MONTH = {**{h: d[0] for h, d in _HOLIDAY_DATE.items()},
                  "US Thanksgiving": 11, "US Labor Day": 9, "US Memorial Day": 5, "US Mother's Day": 5,
                  "US Father's Day": 6, "Martin Luther King Jr. Day": 1, "US Presidents' Day": 2,
                  "US Columbus Day": 10}


def _holiday_order_sample(rng):
    hols = _sample(rng, _HOLIDAY_DATE, rng.randint(3, 7))
    return Example(input=_join_list(rng, hols), args=(hols,))


HOLIDAY_ORDER = _fam(
    "holidays_in_calendar_order",
    ["Put these holidays in calendar order, starting from January.",
     "Sort the holidays by the date they fall on in the year.",
     "List these days in the order they occur from 1 January onwards.",
     "Arrange the holidays chronologically within a calendar year."],
    '''def holidays_in_order(holidays):
    """Sort fixed-date holidays into calendar order."""
    # Step 1: Look up the (month, day) of each holiday (knowledge).
    dates = {h: date_of_holiday(h) for h in holidays}
    # Step 2: Sort by month, then day.
    answer = sorted(holidays, key=lambda h: dates[h])
    return {'dates': dates, 'answer': answer}
''',
    _holiday_order_sample,
    "def date_of_holiday(holiday):\n"
    f"    table = {({k.lower(): v for k, v in _HOLIDAY_DATE.items()})!r}\n"
    "    return table[holiday.strip().lower()]\n",
)


def _holiday_season_sample(rng):
    hols = _sample(rng, _HOLIDAY_MONTH, rng.randint(3, 9))
    return Example(input=_join_list(rng, hols), args=(hols,))


HOLIDAY_SEASONS = _fam(
    "holidays_per_season",
    ["How many of these holidays fall in each season (Northern Hemisphere; winter is December to February)?",
     "Count the holidays per meteorological season in the Northern Hemisphere.",
     "Using Northern Hemisphere seasons (spring = March to May, and so on), count the holidays in each season.",
     "Group these holidays by season (winter Dec-Feb, spring Mar-May, summer Jun-Aug, autumn Sep-Nov) and count."],
    '''def holidays_per_season(holidays):
    """Count holidays per Northern Hemisphere meteorological season."""
    # Step 1: Find the month of each holiday (knowledge).
    months = [month_of_holiday(h) for h in holidays]
    # Step 2: Map each month to its season.
    season_of = {12: 'winter', 1: 'winter', 2: 'winter', 3: 'spring', 4: 'spring', 5: 'spring',
                 6: 'summer', 7: 'summer', 8: 'summer', 9: 'autumn', 10: 'autumn', 11: 'autumn'}
    seasons = [season_of[m] for m in months]
    # Step 3: Count the holidays in each season.
    answer = {s: seasons.count(s) for s in ['winter', 'spring', 'summer', 'autumn']}
    return {'months': months, 'answer': answer}
''',
    _holiday_season_sample,
    _lookup("month_of_holiday", "holiday", _HOLIDAY_MONTH),
)


FAMILIES = [
    CAPITALS_LIST, CAPITAL_QUIZ, LANGUAGE_FILTER, EURO_COUNT, FLAG_COLOUR, AREA_ORDER, ITINERARY_LANGUAGES,
    SYMBOLS_LIST, ODD_SYMBOLS, METAL_COUNT, PLANET_ORDER, STATE_OF_MATTER,
    MOST_COMMON_AUTHOR, BOOKS_BY_AUTHOR, INVENTORS,
    PRODUCE_COLOUR, FOOD_GROUP_COUNTS, MISSING_FOOD_GROUP, EDIBLE_ITEMS,
    SPAM_INBOX, FACT_OPINION, SENTENCE_TYPES, FORMALITY, SARCASM_COUNT, HEADLINE_TOPICS, PERSON_NAMES,
    SYNONYM_PAIRS, ANTONYMS, RHYMES, PLURALS, POS_COUNTS, TRANSLATE, ODD_ONE_OUT,
    WEIGHT_ORDER, SPORT_BAG, ENSEMBLE_FAMILIES, TOOL_WORKERS, ROOM_COUNTS,
    HOLIDAY_ORDER, HOLIDAY_SEASONS,
]
