"""Training families: string and text processing computed in real Python.

Every family parses or transforms the given text itself (split, re, collections, textwrap);
a few knowledge families look single words up in a helper table (contractions, colours,
irregular plurals) and do the rest of the work in Python.
"""

from __future__ import annotations

import random
import re

from .base import Example, Family

# --------------------------------------------------------------------------------------
# Shared word pools and text generators
# --------------------------------------------------------------------------------------

_FIRST = ["Ana", "Ben", "Chloe", "Dev", "Elif", "Farid", "Grace", "Hugo", "Ines", "Jun", "Kofi", "Lena",
          "Marta", "Nikhil", "Olga", "Pablo", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera", "Wes",
          "Ximena", "Yusuf", "Zoe", "Amir", "Bianca", "Caleb", "Dana", "Emil", "Freya", "Gideon",
          "Hana", "Ivan", "Jasmine", "Kenji", "Leila", "Mateo", "Nora"]
_LAST = ["Smith", "Okafor", "Tanaka", "Garcia", "Novak", "Larsen", "Rossi", "Haddad", "Kowalski", "Mendes",
         "Fischer", "Nguyen", "Patel", "Dubois", "Ivanova", "Moreau", "Santos", "Kim", "Lindqvist", "Adeyemi",
         "Brennan", "Castillo", "Demir", "Eriksen", "Fontaine", "Gallo", "Horvath", "Jansen", "Keller",
         "Lopez-Garcia", "Marsh", "O'Neill", "Petrov", "Quintero", "Reyes", "Sato", "Thorne", "Ueda",
         "Vargas", "Wright"]
_VERB_PAST = ["painted", "repaired", "carried", "found", "bought", "sold", "cleaned", "moved", "borrowed",
              "measured", "packed", "polished", "counted", "hid", "opened", "wrapped", "tested", "sketched",
              "photographed", "delivered", "lifted", "labeled", "returned", "washed", "dropped", "shared",
              "ordered", "built", "chose", "examined"]
_VERB_INF = ["paint", "repair", "carry", "clean", "move", "borrow", "measure", "pack", "polish", "open",
             "wrap", "test", "sketch", "deliver", "lift", "label", "return", "wash", "share", "order",
             "build", "examine", "inspect", "sell", "weigh", "fold", "store", "check", "finish", "photograph"]
_ADJ = ["old", "tiny", "heavy", "bright", "wooden", "rusty", "broken", "shiny", "narrow", "dusty",
        "velvet", "plastic", "striped", "ancient", "fragile", "enormous", "quiet", "curious", "crooked",
        "spotted", "hollow", "square", "round", "soft", "cold", "warm", "sturdy", "elegant", "battered",
        "polished"]
_ADJ2 = ["heavy", "expensive", "noisy", "crowded", "empty", "slippery", "fragile", "tidy", "messy",
         "bright", "dim", "cold", "warm", "fragrant", "sticky", "useful", "popular", "strange", "quiet",
         "delicate", "sturdy", "dusty", "beautiful", "awkward", "charming", "tiny", "huge", "perfect",
         "ready", "clean"]
_OBJ = ["lamp", "bicycle", "ladder", "kettle", "suitcase", "piano", "bookshelf", "telescope", "umbrella",
        "blanket", "map", "clock", "basket", "mirror", "violin", "canoe", "tent", "jar", "toolbox",
        "notebook", "camera", "rug", "vase", "wheelbarrow", "chair", "lantern", "drum", "kite", "compass",
        "sculpture"]
_PLACE = ["near the door", "in the garage", "by the river", "at the market", "behind the shed",
          "on the balcony", "in the attic", "at the station", "under the bridge", "beside the fountain",
          "in the kitchen", "at the harbor", "on the hill", "in the library", "at the bakery",
          "near the school", "in the garden", "on the roof", "at the museum", "by the lake"]
_TIME = ["this morning", "last night", "yesterday", "after lunch", "before dawn", "on Sunday", "at noon",
         "during the storm", "last week", "at midnight", "on Friday evening", "in the afternoon"]
_ROOM = ["hallway", "kitchen", "studio", "workshop", "basement", "attic", "office", "classroom", "cellar",
         "lobby", "garage", "greenhouse"]
_EVENT = ["the guests arrived", "the rain started", "the shop closed", "sunset", "the train left",
          "dinner", "the meeting", "the festival", "the concert", "the inspection", "the holidays",
          "the move"]
_TOPICS = ["gardening", "beekeeping", "pottery", "sailing", "bookbinding", "cycling", "baking bread",
           "birdwatching", "chess", "knitting", "composting", "astronomy", "woodworking", "photography",
           "hiking", "calligraphy", "origami", "fermentation", "juggling", "rock climbing", "kayaking",
           "map reading", "soap making", "weaving", "urban sketching", "tea tasting", "coding",
           "journaling", "running", "camping"]
_CITIES = ["Lisbon", "Nairobi", "Osaka", "Quito", "Tallinn", "Hanoi", "Porto", "Accra", "Bergen",
           "Cusco", "Dublin", "Gdansk", "Kyoto", "Lagos", "Malmo", "Perth", "Seville", "Tbilisi",
           "Valencia", "Zagreb", "Ghent", "Leeds", "Turin", "Bilbao", "Krakow", "Austin", "Denver",
           "Halifax", "Adelaide", "Wellington"]
_NOUNS = ["apple", "anchor", "arrow", "badge", "banner", "barrel", "beacon", "blanket", "bottle", "bridge",
          "candle", "carpet", "castle", "cherry", "cloud", "copper", "crystal", "desert", "dragon", "engine",
          "feather", "forest", "garden", "glacier", "hammer", "harbor", "helmet", "island", "jacket",
          "jungle", "kettle", "ladder", "lantern", "lemon", "magnet", "marble", "meadow", "mirror", "needle",
          "orchard", "paddle", "pebble", "pencil", "pepper", "planet", "pocket", "rabbit", "ribbon", "saddle",
          "shadow", "silver", "spider", "summit", "teapot", "thunder", "ticket", "tunnel", "valley", "velvet",
          "window", "wizard", "yogurt", "zipper", "oyster", "echo", "umbrella", "igloo", "orbit", "otter",
          "acorn"]
_GROCERY = ["apples", "bread", "milk", "eggs", "butter", "rice", "pasta", "cheese", "tomatoes", "onions",
            "garlic", "carrots", "spinach", "yogurt", "lemons", "coffee", "tea", "honey", "flour", "sugar",
            "oats", "beans", "lentils", "peppers", "mushrooms", "cucumbers", "grapes", "pears", "plums",
            "bananas", "salt", "olive oil", "soap", "batteries", "candles"]


def _name(rng: random.Random) -> str:
    return rng.choice(_FIRST)


def _sentence(rng: random.Random, objs: list[str] | None = None) -> str:
    """One original sentence from a template (ends with . ! or ?)."""
    objs = objs or _OBJ
    n1, n2 = rng.sample(_FIRST, 2)
    o1, o2 = rng.sample(objs, 2)
    slots = dict(name=n1, name2=n2, verb=rng.choice(_VERB_PAST), inf=rng.choice(_VERB_INF),
                 adj=rng.choice(_ADJ), adj2=rng.choice(_ADJ2), obj=o1, obj2=o2,
                 place=rng.choice(_PLACE), time=rng.choice(_TIME), room=rng.choice(_ROOM),
                 event=rng.choice(_EVENT), city=rng.choice(_CITIES), n=rng.randint(2, 19))
    templates = [
        "{name} {verb} the {adj} {obj} {place}.",
        "{name} and {name2} {verb} a {adj} {obj} {time}.",
        "The {obj} in the {room} was {adj2} {time}.",
        "{name} wanted to {inf} the {obj} before {event}.",
        "Nobody expected the {obj} to be so {adj2}!",
        "Why did {name} leave the {obj} {place}?",
        "A {adj} {obj} arrived from {city} {time}.",
        "{name} {verb} {n} old maps and a {adj} {obj}.",
        "Everyone agreed that the {obj} looked {adj2} {place}.",
        "Could {name2} {inf} the {obj} {time}?",
        "After {event}, {name} {verb} the {obj2}.",
        "The {adj} {obj} and the {obj2} stayed {place} for {n} days.",
    ]
    return _articles(rng.choice(templates).format(**slots))


def _articles(text: str) -> str:
    """Fix 'a' before a vowel sound ('a old' -> 'an old')."""
    return re.sub(r"\b([Aa]) (?=[aeiouAEIOU])", r"\1n ", text)


def _paragraph(rng: random.Random, lo: int = 3, hi: int = 6, objs: list[str] | None = None) -> str:
    return " ".join(_sentence(rng, objs) for _ in range(rng.randint(lo, hi)))


def _heading(rng: random.Random) -> str:
    t1, t2 = rng.sample(_TOPICS, 2)
    slots = dict(t=t1, t2=t2, n=rng.randint(3, 12), inf=rng.choice(_VERB_INF), obj=rng.choice(_OBJ),
                 adj=rng.choice(_ADJ), city=rng.choice(_CITIES), name=_name(rng))
    templates = [
        "{n} ways to {inf} your {obj}", "a beginner's guide to {t}", "the history of the {obj} in {city}",
        "how to {inf} a {adj} {obj} on a budget", "notes on {t} and {t2}", "why {t} is good for the mind",
        "what {name} learned from {t}", "the art of {t} for busy people", "{t} in {city}: a weekend plan",
        "an introduction to {t} with {name}", "from {t} to {t2} in one year", "is {t} worth the effort?",
    ]
    return rng.choice(templates).format(**slots)


def _F(name, instructions, program, sample, answer_format="text", labels=(), kind="compute", helpers=""):
    programs = program if isinstance(program, tuple) else (program,)
    return Family(name=name, kind=kind, instructions=tuple(instructions), programs=programs, sample=sample,
                  helpers=helpers, answer_format=answer_format, labels=tuple(labels))


def _text_example(text: str, **fields) -> Example:
    return Example(input=text, args=(text,), fields=fields)


# --------------------------------------------------------------------------------------
# Families
# --------------------------------------------------------------------------------------

_ORG_ADJ = ["National", "Global", "United", "Regional", "Northern", "Open", "Digital", "Civic", "Royal",
            "Independent", "Modern", "Rural", "Urban", "Coastal", "Central", "Federal", "Public", "Applied",
            "Advanced", "Maritime", "Solar", "Alpine", "Southern", "Western", "International", "Young"]
_ORG_NOUN = ["Bureau", "Council", "Institute", "Society", "Agency", "League", "Network", "Alliance",
             "Foundation", "Office", "Center", "Association", "Union", "Board", "Academy", "Service", "Guild",
             "Forum", "Trust", "Federation", "Laboratory", "Committee", "Partnership", "Program"]
_ORG_TOPIC = ["Research", "Science", "Transport", "Health", "Energy", "Fisheries", "Weather", "Archives",
              "Music", "Forestry", "Aviation", "Robotics", "Literacy", "Wildlife", "Housing", "Gardening",
              "Chess", "Astronomy", "Nutrition", "Cycling", "Water", "Software", "Design", "Mapping", "Safety"]


def _acronym_sample(rng):
    a, n = rng.choice(_ORG_ADJ), rng.choice(_ORG_NOUN)
    t1, t2 = rng.sample(_ORG_TOPIC, 2)
    phrase = rng.choice([
        "{a} {t1} {n}", "{n} of {a} {t1}", "{a} {n} for {t1} and {t2}", "{a} {t1} and {t2} {n}",
        "The {a} {n} of {t1}", "{t1} {n} of the {a} {t2} {n2}",
    ]).format(a=a, n=n, t1=t1, t2=t2, n2=rng.choice(_ORG_NOUN))
    if rng.random() < 0.25:
        phrase = phrase.lower()
    return _text_example(phrase)


ACRONYM = _F(
    "acronym_from_phrase",
    ["Make an acronym from the phrase.", "What acronym do the main words of this name form?",
     "Create the acronym for this organisation name (skip small words like 'of', 'and', 'the').",
     "Abbreviate the phrase to its initials in capital letters."],
    r'''def make_acronym(phrase):
    """Build an acronym from the first letters of the main words of a phrase."""
    # Step 1: Split the phrase into words and drop short linking words.
    minor = {'of', 'and', 'the', 'for', 'in', 'on', 'a', 'an', 'to', 'at', 'by'}
    words = [w for w in phrase.replace('-', ' ').split() if w.lower() not in minor]
    # Step 2: Join the first letter of each remaining word in capitals.
    answer = ''.join(w[0].upper() for w in words)
    return {'main_words': words, 'answer': answer}
''',
    _acronym_sample,
)


def _title_sample(rng):
    h = _heading(rng)
    h = rng.choice([h, h.lower(), h.upper(), h[0].upper() + h[1:]])
    return _text_example(h)


TITLE_CASE = _F(
    "title_case_heading",
    ["Convert the heading to title case.", "Rewrite this title with each major word capitalised.",
     "Title-case the heading (keep short words like 'a', 'of', 'the' lowercase unless first or last).",
     "Format the following as a proper headline in title case."],
    r'''def title_case_heading(heading):
    """Title-case a heading, keeping short linking words lowercase unless first or last."""
    # Step 1: Split the heading into lowercase words.
    small = {'a', 'an', 'the', 'and', 'or', 'but', 'of', 'to', 'in', 'on', 'at', 'for', 'with', 'from', 'by'}
    words = heading.lower().split()
    # Step 2: Capitalise every word except small words in the middle.
    result = []
    for i, word in enumerate(words):
        if 0 < i < len(words) - 1 and word in small:
            result.append(word)
        else:
            result.append(word[0].upper() + word[1:])
    answer = ' '.join(result)
    return {'word_count': len(words), 'answer': answer}
''',
    _title_sample,
)


COUNT_WORDS = _F(
    "count_words_in_paragraph",
    ["How many words are in this paragraph?", "Count the words in the text.",
     "Give the word count of the passage below.", "Determine the number of words in the following text."],
    r'''def count_words(text):
    """Count the words in a text, where words are separated by whitespace."""
    # Step 1: Split the text on whitespace.
    words = text.split()
    # Step 2: Count the pieces.
    answer = len(words)
    return {'first_words': words[:3], 'answer': answer}
''',
    lambda rng: _text_example(_paragraph(rng, 2, 6)),
    answer_format="number",
)


COUNT_SENTENCES = _F(
    "count_sentences_in_paragraph",
    ["How many sentences does this paragraph contain?", "Count the sentences in the text.",
     "Find the number of sentences (ending in '.', '!' or '?') in the passage.",
     "Tell me how many sentences are in the following text."],
    r'''import re

def count_sentences(text):
    """Count sentences ending in a period, exclamation mark or question mark."""
    # Step 1: Split the text after each run of sentence-ending punctuation.
    pieces = re.split(r'[.!?]+', text)
    # Step 2: Keep the non-empty pieces; each one is a sentence.
    sentences = [p.strip() for p in pieces if p.strip()]
    answer = len(sentences)
    return {'first_sentence': sentences[0], 'answer': answer}
''',
    lambda rng: _text_example(_paragraph(rng, 2, 7)),
    answer_format="number",
)


def _letter_sample(rng):
    text = _paragraph(rng, 1, 3) if rng.random() < 0.6 else _sentence(rng)
    letters = sorted({c.lower() for c in text if c.isalpha()})
    letter = rng.choice(letters) if rng.random() < 0.9 else rng.choice("qxzjvkw")
    return Example(input=text, args=(text, letter), fields={"letter": letter})


COUNT_LETTER = _F(
    "count_letter_occurrences",
    ["How many times does the letter '{letter}' appear in the text?",
     "Count the occurrences of '{letter}' (upper or lower case) in the passage.",
     "Find how often the letter {letter} occurs in the following text, ignoring case.",
     "In the text below, count every '{letter}', capital or small."],
    r'''def count_letter(text, letter):
    """Count how often a letter occurs in a text, ignoring case."""
    # Step 1: Lowercase the text and the letter.
    lowered = text.lower()
    target = letter.lower()
    # Step 2: Count the matching characters.
    answer = lowered.count(target)
    return {'letter': target, 'answer': answer}
''',
    _letter_sample,
    answer_format="number",
)


LONGEST_WORD = _F(
    "longest_word_in_text",
    ["What is the longest word in the text?", "Find the longest word in this sentence (the first one if tied).",
     "Which word in the passage has the most letters?", "Identify the longest word below."],
    r'''import re

def longest_word(text):
    """Find the longest word in a text; ties go to the word that appears first."""
    # Step 1: Extract the words, ignoring punctuation.
    words = re.findall(r"[A-Za-z']+", text)
    # Step 2: Keep the first word of maximum length.
    answer = max(words, key=len)
    return {'length': len(answer), 'answer': answer}
''',
    lambda rng: _text_example(_paragraph(rng, 1, 3)),
)


def _dup_words_sample(rng):
    base = rng.sample(_NOUNS, rng.randint(4, 8)) + rng.sample(["the", "a", "and", "of", "to", "in"], 2)
    rng.shuffle(base)
    words = base + [rng.choice(base) for _ in range(rng.randint(2, 6))]
    rng.shuffle(words)
    return _text_example(" ".join(words))


REMOVE_DUP_WORDS = _F(
    "remove_duplicate_words",
    ["Remove repeated words, keeping only the first occurrence of each.",
     "Delete duplicate words from the text while keeping the original order.",
     "Rewrite the word sequence without any repeats (first occurrence stays).",
     "Keep each word once, in the order it first appears."],
    r'''def remove_duplicate_words(text):
    """Drop repeated words, keeping the first occurrence of each in order."""
    # Step 1: Split the text into words.
    words = text.split()
    # Step 2: Walk through the words, keeping those not seen before.
    seen, kept = set(), []
    for word in words:
        if word.lower() not in seen:
            seen.add(word.lower())
            kept.append(word)
    answer = ' '.join(kept)
    return {'removed': len(words) - len(kept), 'answer': answer}
''',
    _dup_words_sample,
)


_DOMAINS = ["bluefinch.net", "orchardlane.org", "citylib.edu", "mapleworks.com", "tidepool.io",
            "northgate.co.uk", "sunmail.com", "quillpost.net", "harborview.org", "greenleaf.dev",
            "kitecloud.com", "stonebridge.ac.uk"]


def _email_for(rng, first, last):
    user = rng.choice(["{f}.{l}", "{f}{l}", "{i}{l}", "{f}_{l}", "{f}{n}", "{l}.{f}"]).format(
        f=first.lower(), l=last.lower().replace("'", "").replace("-", ""), i=first[0].lower(), n=rng.randint(1, 99))
    return f"{user}@{rng.choice(_DOMAINS)}"


def _emails_sample(rng):
    k = rng.randint(1, 3)
    parts = []
    for _ in range(k):
        f, l = rng.choice(_FIRST), rng.choice(_LAST)
        e = _email_for(rng, f, l)
        parts.append(rng.choice([
            f"You can reach {f} at {e} for questions about the {rng.choice(_OBJ)}.",
            f"Send the invoice to {e} before Friday.",
            f"{f} {l} ({e}) will lead the workshop.",
            f"For bookings, write to {e}.",
            f"Contact: {e}",
        ]))
        if rng.random() < 0.6:
            parts.append(_sentence(rng))
    rng.shuffle(parts)
    return _text_example(" ".join(parts))


EXTRACT_EMAILS = _F(
    "extract_email_addresses",
    ["Extract all e-mail addresses from the text.", "List every email address mentioned in the passage.",
     "Find the e-mail addresses in this message, in order of appearance.",
     "Pull out the email addresses from the following text."],
    r'''import re

def extract_emails(text):
    """Find every e-mail address in a text, in order of appearance."""
    # Step 1: Match user@domain patterns whose domain has at least one dot.
    found = re.findall(r'[\w.+-]+@[\w-]+(?:\.[\w-]+)+', text)
    # Step 2: Return them in order.
    answer = found
    return {'count': len(found), 'answer': answer}
''',
    _emails_sample,
)


def _numbers_sample(rng):
    parts = []
    for _ in range(rng.randint(2, 4)):
        n = rng.randint(1, 500)
        parts.append(rng.choice([
            f"The shelf holds {n} jars and {rng.randint(2, 60)} boxes.",
            f"{_name(rng)} walked {rng.randint(2, 20)}.{rng.randint(1, 9)} km {rng.choice(_TIME)}.",
            f"Room {n} needs {rng.randint(2, 12)} new chairs.",
            f"We counted {n} birds near the lake.",
            f"The {rng.choice(_OBJ)} costs {rng.randint(3, 90)} dollars.",
            f"Only {rng.randint(1, 9)} of the {n} tickets were left.",
            _sentence(rng).replace(" a ", " one ") if rng.random() < 0.3 else f"Bus {n} was late again.",
        ]))
    return _text_example(" ".join(parts))


EXTRACT_NUMBERS = _F(
    "extract_numbers_from_text",
    ["Extract all the numbers from the text.", "List the numbers that appear in the passage, in order.",
     "Find every number (whole or decimal) written in digits in the text.",
     "Which numbers are mentioned in this paragraph?"],
    r'''import re

def extract_numbers(text):
    """Extract the numbers written in digits, keeping decimals as floats."""
    # Step 1: Find digit groups, with an optional decimal part.
    tokens = re.findall(r'\d+(?:\.\d+)?', text)
    # Step 2: Convert each token to int or float.
    answer = [float(t) if '.' in t else int(t) for t in tokens]
    return {'tokens': tokens, 'answer': answer}
''',
    _numbers_sample,
)


_TAGS = ["travel", "foodie", "sunset", "MondayMotivation", "gardening", "bookclub", "coffee", "hiking",
         "TBT", "photography", "DIY", "running", "catsofinstagram", "nofilter", "weekend", "art", "music",
         "chess", "baking", "citylife", "nature", "fitness", "vegan", "rainyday", "goals", "throwback",
         "learning", "opensource", "family", "summer2024"]


def _hashtag_sample(rng):
    tags = rng.sample(_TAGS, rng.randint(1, 5))
    text = rng.choice([
        "Just {verb} my {adj} {obj} {place}!", "Finally back in {city} after a long week.",
        "Who else loves a {adj} {obj} {time}?", "Spent the day {place} with {name}.",
        "New post: {n} tips for {t}.",
    ]).format(verb=rng.choice(_VERB_PAST), adj=rng.choice(_ADJ), obj=rng.choice(_OBJ), place=rng.choice(_PLACE),
              city=rng.choice(_CITIES), time=rng.choice(_TIME), name=_name(rng), n=rng.randint(3, 10),
              t=rng.choice(_TOPICS))
    words = _articles(text).split()
    for tag in tags:
        if rng.random() < 0.4:
            words.insert(rng.randint(1, len(words)), "#" + tag)
        else:
            words.append("#" + tag)
    return _text_example(" ".join(words))


EXTRACT_HASHTAGS = _F(
    "extract_hashtags",
    ["List the hashtags in this post.", "Extract every hashtag from the social media message.",
     "Which hashtags does the post use? Give them in order.", "Find all the hashtags in the text."],
    r'''import re

def extract_hashtags(post):
    """Collect the hashtags of a post in order of appearance."""
    # Step 1: Match '#' followed by letters, digits or underscores.
    tags = re.findall(r'#\w+', post)
    # Step 2: Return the list.
    answer = tags
    return {'count': len(tags), 'answer': answer}
''',
    _hashtag_sample,
)


_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]


def _dates_sample(rng):
    parts = []
    for _ in range(rng.randint(1, 3)):
        d = f"{rng.choice(_MONTHS)} {rng.randint(1, 28)}, {rng.randint(1990, 2030)}"
        parts.append(rng.choice([
            f"The {rng.choice(['concert', 'festival', 'meeting', 'inspection', 'workshop', 'launch', 'reunion', 'auction'])} is planned for {d}.",
            f"{_name(rng)} moved to {rng.choice(_CITIES)} on {d}.",
            f"Applications close on {d} at noon.",
            f"The {rng.choice(_OBJ)} was delivered on {d}, two days late.",
            f"On {d}, the library reopened.",
        ]))
        if rng.random() < 0.5:
            parts.append(_sentence(rng))
    return _text_example(" ".join(parts))


EXTRACT_DATES = _F(
    "extract_dates_to_iso",
    ["Find the dates in the text and write them in YYYY-MM-DD format.",
     "Extract every date mentioned (like 'March 3, 2021') and convert it to ISO format.",
     "List the dates from this passage as YYYY-MM-DD strings, in order.",
     "Convert each written date in the paragraph to ISO 8601 form."],
    r'''import re
import calendar
import datetime

def extract_dates(text):
    """Find dates written as 'Month D, YYYY' and convert them to YYYY-MM-DD."""
    # Step 1: Match month name, day and year.
    months = '|'.join(calendar.month_name[1:])
    found = re.findall(r'(' + months + r') (\d{1,2}), (\d{4})', text)
    # Step 2: Parse each match and format it as an ISO date.
    answer = []
    for month, day, year in found:
        date = datetime.datetime.strptime(f'{month} {day} {year}', '%B %d %Y').date()
        answer.append(date.isoformat())
    return {'matches': len(found), 'answer': answer}
''',
    _dates_sample,
)


_ANAGRAMS = [("listen", "silent"), ("earth", "heart"), ("night", "thing"), ("below", "elbow"),
             ("state", "taste"), ("dusty", "study"), ("angel", "glean"), ("cider", "cried"), ("inch", "chin"),
             ("lemon", "melon"), ("peach", "cheap"), ("brag", "grab"), ("save", "vase"), ("fired", "fried"),
             ("rescue", "secure"), ("thorn", "north"), ("meat", "team"), ("post", "stop"), ("evil", "vile"),
             ("race", "care"), ("lager", "regal"), ("stain", "satin"), ("skate", "steak"), ("pears", "spare"),
             ("ocean", "canoe"), ("least", "slate"), ("note", "tone"), ("bored", "robed"), ("diary", "dairy"),
             ("alert", "alter"), ("hated", "death"), ("loop", "pool"), ("wolf", "flow"), ("sink", "skin"),
             ("lime", "mile"), ("sword", "words"), ("mango", "among"), ("coin", "icon"), ("lamp", "palm"),
             ("dormitory", "dirty room"), ("school master", "the classroom"), ("astronomer", "moon starer")]


def _anagram_sample(rng):
    a, b = rng.choice(_ANAGRAMS)
    r = rng.random()
    if r < 0.45:
        pass
    elif r < 0.75:  # near miss: change one letter
        i = rng.randrange(len(b))
        while b[i] == " ":
            i = rng.randrange(len(b))
        b = b[:i] + rng.choice([c for c in "aeioustrnl" if c != b[i]]) + b[i + 1:]
    else:
        b = rng.choice([p[1] for p in _ANAGRAMS if p[0] != a])
    if rng.random() < 0.5:
        a, b = b, a
    if rng.random() < 0.2:
        a = a.capitalize()
    text = rng.choice(["{a}, {b}", "Word 1: {a}\nWord 2: {b}", "'{a}' and '{b}'", "{a} / {b}"]).format(a=a, b=b)
    return Example(input=text, args=(a, b))


ANAGRAM = _F(
    "anagram_check",
    ["Are these two words anagrams of each other? Answer yes or no.",
     "Check whether the two phrases use exactly the same letters (ignoring spaces and case).",
     "Is the second word an anagram of the first? Reply yes or no.",
     "Decide if the pair are anagrams."],
    r'''from collections import Counter

def is_anagram(first, second):
    """Check whether two words or phrases contain the same letters, ignoring spaces and case."""
    # Step 1: Count the letters of each, ignoring spaces and case.
    a = Counter(c for c in first.lower() if c.isalpha())
    b = Counter(c for c in second.lower() if c.isalpha())
    # Step 2: They are anagrams when the letter counts match.
    same = a == b
    answer = 'yes' if same else 'no'
    return {'same_letters': same, 'answer': answer}
''',
    _anagram_sample,
    answer_format="label",
    labels=("yes", "no"),
)


def _pig_sample(rng):
    pool = _NOUNS + [w for w in _ADJ if w.isalpha()] + _VERB_INF
    words = rng.sample(pool, rng.randint(1, 5))
    return _text_example(" ".join(words))


PIG_LATIN = _F(
    "pig_latin",
    ["Translate the words into Pig Latin.", "Convert this phrase to Pig Latin.",
     "Rewrite each word in Pig Latin (consonant cluster moved to the end plus 'ay'; vowel-initial words get 'way').",
     "Turn the text into Pig Latin."],
    r'''def to_pig_latin(text):
    """Translate each word to Pig Latin: move the leading consonants to the end and add 'ay'."""
    # Step 1: Split the text into words.
    vowels = 'aeiou'
    result = []
    for word in text.lower().split():
        # Step 2: Vowel-initial words take 'way'; others move their consonant cluster.
        if word[0] in vowels:
            result.append(word + 'way')
        else:
            i = 0
            while i < len(word) and word[i] not in vowels:
                i += 1
            result.append(word[i:] + word[:i] + 'ay')
    # Step 3: Join the translated words.
    answer = ' '.join(result)
    return {'words': len(result), 'answer': answer}
''',
    _pig_sample,
)


_ID_PARTS = ["user", "account", "id", "total", "price", "order", "count", "max", "min", "file", "name",
             "path", "item", "list", "index", "start", "end", "time", "date", "value", "buffer", "size",
             "page", "number", "email", "address", "status", "code", "last", "first", "tax", "rate", "score",
             "player", "session", "token", "retry", "limit", "cache", "query"]


def _snake_sample(rng):
    s = "_".join(rng.sample(_ID_PARTS, rng.randint(2, 4)))
    return _text_example(s)


SNAKE_TO_CAMEL = _F(
    "snake_to_camel_case",
    ["Convert the identifier from snake_case to camelCase.", "Rewrite this snake_case name in camelCase.",
     "Change the variable name to lower camel case.", "What is this snake_case identifier in camelCase?"],
    r'''def snake_to_camel(name):
    """Convert a snake_case identifier to camelCase."""
    # Step 1: Split on underscores.
    parts = [p for p in name.split('_') if p]
    # Step 2: Keep the first part lowercase and capitalise the rest.
    answer = parts[0].lower() + ''.join(p.capitalize() for p in parts[1:])
    return {'parts': parts, 'answer': answer}
''',
    _snake_sample,
)


def _camel_sample(rng):
    parts = rng.sample(_ID_PARTS, rng.randint(2, 4))
    first = parts[0] if rng.random() < 0.75 else parts[0].capitalize()
    return _text_example(first + "".join(p.capitalize() for p in parts[1:]))


CAMEL_TO_SNAKE = _F(
    "camel_to_snake_case",
    ["Convert the identifier from camelCase to snake_case.", "Rewrite this camelCase name in snake_case.",
     "Change the variable name to lowercase words joined by underscores.",
     "What is this camelCase identifier in snake_case?"],
    r'''import re

def camel_to_snake(name):
    """Convert a camelCase (or PascalCase) identifier to snake_case."""
    # Step 1: Split before every capital letter.
    parts = re.findall(r'[A-Z]?[a-z0-9]+', name)
    # Step 2: Lowercase the parts and join them with underscores.
    answer = '_'.join(p.lower() for p in parts)
    return {'parts': parts, 'answer': answer}
''',
    _camel_sample,
)


REMOVE_VOWELS = _F(
    "remove_vowels",
    ["Remove all the vowels from the text.", "Delete every vowel (a, e, i, o, u) from the sentence.",
     "Rewrite the sentence without vowels.", "Strip the vowels out of this text, upper and lower case."],
    r'''import re

def remove_vowels(text):
    """Delete the vowels a, e, i, o, u (either case) from a text."""
    # Step 1: Count the vowels.
    removed = len(re.findall(r'[aeiouAEIOU]', text))
    # Step 2: Remove them.
    answer = re.sub(r'[aeiouAEIOU]', '', text)
    return {'vowels_removed': removed, 'answer': answer}
''',
    lambda rng: _text_example(_sentence(rng)),
)


def _freq_char_sample(rng):
    if rng.random() < 0.4:
        text = " ".join(rng.sample(_NOUNS, rng.randint(1, 3)))
    else:
        text = _sentence(rng)
    return _text_example(text)


MOST_FREQUENT_CHAR = _F(
    "most_frequent_letter",
    ["Which letter appears most often in the text? If tied, give the one that appears first.",
     "Find the most frequent letter (ignoring case, spaces and punctuation).",
     "What is the most common letter in this text?", "Identify the letter used the most times."],
    r'''from collections import Counter

def most_frequent_letter(text):
    """Find the most common letter, ignoring case; ties go to the earliest letter in the text."""
    # Step 1: Keep only the letters, lowercased.
    letters = [c for c in text.lower() if c.isalpha()]
    counts = Counter(letters)
    # Step 2: Pick the highest count, scanning letters in order of first appearance.
    best = max(dict.fromkeys(letters), key=lambda c: counts[c])
    answer = best
    return {'count': counts[best], 'answer': answer}
''',
    _freq_char_sample,
)


def _censor_sample(rng):
    objs = rng.sample(_OBJ, 3)
    text = _paragraph(rng, 2, 4, objs)
    words = sorted({w for w in re.findall(r"[A-Za-z]+", text) if len(w) > 3})
    present = [o for o in objs if o in words]
    r = rng.random()
    word = rng.choice(present) if present and r < 0.7 else rng.choice(words) if r < 0.93 else rng.choice(_NOUNS)
    return Example(input=text, args=(text, word), fields={"word": word})


CENSOR_WORD = _F(
    "censor_word",
    ["Censor the word '{word}' in the text by replacing each letter with '*'.",
     "Replace every occurrence of '{word}' with asterisks of the same length.",
     "Hide the word \"{word}\" in the passage (one asterisk per letter, any capitalisation).",
     "Mask each whole-word '{word}' in this text with stars."],
    r'''import re

def censor_word(text, word):
    """Replace each whole-word occurrence of a word (any case) with asterisks."""
    # Step 1: Build a whole-word, case-insensitive pattern.
    pattern = r'\b' + re.escape(word) + r'\b'
    hits = len(re.findall(pattern, text, flags=re.IGNORECASE))
    # Step 2: Substitute one asterisk per letter.
    answer = re.sub(pattern, '*' * len(word), text, flags=re.IGNORECASE)
    return {'occurrences': hits, 'answer': answer}
''',
    _censor_sample,
)


def _replace_sample(rng):
    objs = rng.sample(_OBJ, 3)
    text = _paragraph(rng, 1, 3, objs)
    present = [o for o in objs if re.search(r"\b" + o + r"\b", text)]
    old = rng.choice(present) if present and rng.random() < 0.92 else rng.choice(objs)
    new = rng.choice([o for o in _OBJ + _NOUNS if o not in objs])
    return Example(input=text, args=(text, old, new), fields={"old": old, "new": new})


REPLACE_WORD = _F(
    "replace_word",
    ["Replace every '{old}' with '{new}' in the text.", "Swap the word \"{old}\" for \"{new}\" throughout.",
     "Rewrite the passage using '{new}' instead of '{old}'.",
     "Change each whole-word occurrence of {old} to {new}."],
    r'''import re

def replace_word(text, old, new):
    """Replace each whole-word occurrence of one word with another."""
    # Step 1: Build a whole-word pattern for the old word.
    pattern = r'\b' + re.escape(old) + r'\b'
    # Step 2: Substitute and count the replacements.
    answer, count = re.subn(pattern, new, text)
    return {'replacements': count, 'answer': answer}
''',
    _replace_sample,
)


CAPITALISE_SENTENCES = _F(
    "capitalise_sentences",
    ["Capitalise the first letter of every sentence.", "Fix the capitalisation so each sentence starts with a capital letter.",
     "Make each sentence in the text begin with an uppercase letter.",
     "Correct the sentence starts in this lowercase text."],
    r'''import re

def capitalise_sentences(text):
    """Uppercase the first letter of the text and of each sentence after . ! or ?."""
    # Step 1: Find each letter at the start or after sentence-ending punctuation and space.
    pattern = r'(^|[.!?]\s+)([a-z])'
    starts = len(re.findall(pattern, text))
    # Step 2: Replace it with its uppercase form.
    answer = re.sub(pattern, lambda m: m.group(1) + m.group(2).upper(), text)
    return {'changed': starts, 'answer': answer}
''',
    lambda rng: _text_example(_paragraph(rng, 2, 4).lower()),
)


def _join_sample(rng):
    pool = rng.choice([_GROCERY, _FIRST, _CITIES, _TOPICS])
    items = rng.sample(pool, rng.randint(1, 7))
    text = rng.choice(["\n".join("- " + i for i in items), "\n".join(items), "; ".join(items)])
    return Example(input=text, args=(items,))


JOIN_WITH_AND = _F(
    "join_list_with_and",
    ["Join the items into one phrase with commas and 'and' before the last.",
     "Write the list as natural English: 'a, b and c'.", "Combine these items into a single readable list.",
     "Turn the list into a phrase like 'x, y and z'."],
    r'''def join_with_and(items):
    """Join items as 'a, b and c' (no comma before 'and')."""
    # Step 1: Handle lists of one or two items directly.
    if len(items) == 1:
        answer = items[0]
    elif len(items) == 2:
        answer = items[0] + ' and ' + items[1]
    # Step 2: Otherwise comma-separate all but the last, then add 'and'.
    else:
        answer = ', '.join(items[:-1]) + ' and ' + items[-1]
    return {'count': len(items), 'answer': answer}
''',
    _join_sample,
)


COUNT_CHARS_NO_SPACES = _F(
    "count_characters_without_spaces",
    ["How many characters does the text have, not counting spaces?",
     "Count the characters excluding whitespace.", "Give the character count without spaces.",
     "Count all characters in the passage except spaces."],
    r'''def count_non_space_chars(text):
    """Count the characters of a text that are not whitespace."""
    # Step 1: Count all characters.
    total = len(text)
    # Step 2: Count only those that are not whitespace.
    answer = sum(1 for c in text if not c.isspace())
    return {'total_with_spaces': total, 'answer': answer}
''',
    lambda rng: _text_example(_sentence(rng) if rng.random() < 0.6 else _paragraph(rng, 2, 3)),
    answer_format="number",
)


WORD_LENGTHS = _F(
    "word_lengths_list",
    ["List the length of each word in the sentence.", "Give the number of letters in every word, in order.",
     "How long is each word? Return the lengths as a list.",
     "Compute the letter count of each word (ignore punctuation)."],
    r'''import re

def word_lengths(text):
    """Return the number of letters in each word, in order."""
    # Step 1: Extract words without punctuation.
    words = re.findall(r'[A-Za-z0-9]+', text)
    # Step 2: Measure each word.
    answer = [len(w) for w in words]
    return {'words': words, 'answer': answer}
''',
    lambda rng: _text_example(_sentence(rng)),
)


_PANGRAMS = [
    "Five nervous wizards quickly jumped over the box of hazy gems",
    "The jovial sphinx quickly judged a brave wax golem from Zanzibar",
    "Jumpy vixens quietly fetched a big waxed zebra skin from the dock",
    "Jovial gnomes quickly fixed the broken wizard's pavilion",
    "A lazy ox jumped quickly over the bright green wicker fences",
    "Six jaunty pelicans quickly weighed the frozen baked vegetable mix",
    "Brave kids jumped quickly over the fuzzy wax lemons at the glowing fair",
    "The quirky judge vexed many bold pilots with frozen cakes",
    "Jumbo crates of zesty kiwi fruit vexed the quaint gallery keeper",
    "Wavy hedges of frozen quince bloom by the jolly taxi park",
    "Dizzy mechanics quickly fixed the jet while a brave pilot watched the gauges",
    "The expert juggler quickly moved five bronze wax globes",
]


def _pangram_sample(rng):
    r = rng.random()
    if r < 0.45:
        text = rng.choice(_PANGRAMS)
    elif r < 0.75:
        words = rng.choice(_PANGRAMS).split()
        del words[rng.randrange(len(words))]
        text = " ".join(words)
    else:
        text = _sentence(rng).rstrip(".!?")
    if rng.random() < 0.3:
        text = _name(rng) + " wrote: " + text
    if rng.random() < 0.5:
        text += "."
    return _text_example(text)


PANGRAM = _F(
    "pangram_check",
    ["Is this sentence a pangram (does it use every letter of the alphabet)? Answer yes or no.",
     "Check whether the text contains all 26 letters.", "Does the sentence use every letter from a to z?",
     "Decide if the text is a pangram."],
    r'''import string

def is_pangram(text):
    """Check whether a text uses every letter of the English alphabet."""
    # Step 1: Collect the letters that appear, ignoring case.
    present = set(c for c in text.lower() if c.isalpha())
    # Step 2: Find the letters of the alphabet that are missing.
    missing = [c for c in string.ascii_lowercase if c not in present]
    answer = 'yes' if not missing else 'no'
    return {'missing_letters': missing, 'answer': answer}
''',
    _pangram_sample,
    answer_format="label",
    labels=("yes", "no"),
)


def _full_name(rng, middle_p=0.4):
    parts = [rng.choice(_FIRST)]
    if rng.random() < middle_p:
        parts.append(rng.choice([n for n in _FIRST if n != parts[0]]))
    parts.append(rng.choice(_LAST))
    return " ".join(parts)


def _initials_sample(rng):
    name = _full_name(rng)
    if rng.random() < 0.25:
        name = name.lower()
    return _text_example(name)


INITIALS = _F(
    "initials_of_name",
    ["Give the initials of this name.", "What are the person's initials (with dots)?",
     "Write the initials for the full name, like 'J.R.T.'.", "Abbreviate the name to its initials."],
    r'''def initials_of(name):
    """Return the initials of a full name, each followed by a dot."""
    # Step 1: Split the name into its parts.
    parts = name.split()
    # Step 2: Take the capitalised first letter of each part.
    answer = ''.join(p[0].upper() + '.' for p in parts)
    return {'parts': parts, 'answer': answer}
''',
    _initials_sample,
)


def _truncate_sample(rng):
    text = _sentence(rng) if rng.random() < 0.5 else _paragraph(rng, 2, 2)
    n = rng.randint(3, 12)
    return Example(input=text, args=(text, n), fields={"n": n})


TRUNCATE = _F(
    "truncate_to_n_words",
    ["Shorten the text to its first {n} words, adding '...' if anything was cut.",
     "Truncate the passage after {n} words and append an ellipsis when it is longer.",
     "Keep only the first {n} words of this text (add '...' if words were removed).",
     "Make a {n}-word preview of the text, ending in '...' when truncated."],
    r'''def truncate_words(text, n):
    """Keep the first n words of a text, adding '...' when words were removed."""
    # Step 1: Split the text into words.
    words = text.split()
    # Step 2: If the text is longer than n words, cut it and add an ellipsis.
    if len(words) > n:
        answer = ' '.join(words[:n]) + '...'
    else:
        answer = text
    return {'total_words': len(words), 'answer': answer}
''',
    _truncate_sample,
)


def _word_list_text(rng, words):
    return rng.choice([", ".join(words), " ".join(words), "\n".join(words)])


def _starts_sample(rng):
    words = rng.sample(_NOUNS, rng.randint(10, 25))
    letter = rng.choice(words)[0] if rng.random() < 0.9 else rng.choice("bcdfgmprst")
    return Example(input=_word_list_text(rng, words), args=(words, letter), fields={"letter": letter})


WORDS_STARTING_WITH = _F(
    "words_starting_with_letter",
    ["Which words in the list start with the letter '{letter}'?",
     "List the words beginning with '{letter}', keeping their order.",
     "Pick out every word that starts with {letter}.", "Find the words whose first letter is '{letter}'."],
    r'''def words_starting_with(words, letter):
    """Return the words that begin with a given letter, in their original order."""
    # Step 1: Normalise the letter.
    target = letter.lower()
    # Step 2: Keep the words whose first character matches.
    answer = [w for w in words if w.lower().startswith(target)]
    return {'checked': len(words), 'answer': answer}
''',
    _starts_sample,
)


_ACRS = ["NASA", "UN", "BBC", "EU", "GPS", "USB", "PDF", "HTML", "IT", "HR", "CEO", "DNA", "TV", "FAQ"]


def _upper_sample(rng):
    s = _sentence(rng)
    if rng.random() < 0.6:
        s += f" The {rng.choice(_ACRS)} team met {rng.choice(['today', 'again', 'in ' + rng.choice(_CITIES)])}."
    if rng.random() < 0.3:
        w = rng.choice(s.split())
        s = s.replace(w, w.upper(), 1)
    return _text_example(s)


COUNT_UPPERCASE = _F(
    "count_uppercase_letters",
    ["How many uppercase letters are in the text?", "Count the capital letters.",
     "Find the number of upper-case characters in the sentence.", "Tell me how many letters are capitals."],
    r'''def count_uppercase(text):
    """Count the uppercase letters in a text."""
    # Step 1: Collect the uppercase characters.
    capitals = [c for c in text if c.isupper()]
    # Step 2: Count them.
    answer = len(capitals)
    return {'capitals': ''.join(capitals), 'answer': answer}
''',
    _upper_sample,
    answer_format="number",
)


def _username_sample(rng):
    name = _full_name(rng, 0.3)
    return _text_example(rng.choice(["{}", "Full name: {}", "Name: {}"]).format(name))


USERNAME = _F(
    "username_from_full_name",
    ["Create a username from the first initial and the last name, all lowercase letters.",
     "Generate a login name: first letter of the first name plus the surname, lowercase, letters only.",
     "Make a username for this person (first initial + last name, no symbols).",
     "What would the username be using first initial and surname in lowercase?"],
    r'''import re

def make_username(text):
    """Build a username from the first initial and the last name, lowercase letters only."""
    # Step 1: Drop any label before a colon and split the name.
    name = text.split(':')[-1].strip()
    parts = name.split()
    # Step 2: Combine the first initial with the surname and keep only letters.
    raw = parts[0][0] + parts[-1]
    answer = re.sub(r'[^a-z]', '', raw.lower())
    return {'first': parts[0], 'last': parts[-1], 'answer': answer}
''',
    _username_sample,
)


_SITE_WORDS = ["bluefinch", "maple", "tidepool", "northgate", "quill", "harbor", "greenleaf", "kite",
               "stone", "copper", "river", "lantern", "orchard", "pixel", "summit", "meadow", "atlas", "ember",
               "willow", "cobalt", "falcon", "juniper", "nimbus", "pebble", "saffron", "tundra", "velvet",
               "zephyr", "cedar", "marble"]
_TLDS = ["com", "org", "net", "io", "co.uk", "dev", "edu", "de", "fr", "app"]


def _url_sample(rng):
    base = rng.choice(_SITE_WORDS)
    if rng.random() < 0.4:
        base += rng.choice(["-", ""]) + rng.choice(_SITE_WORDS)
    domain = base + "." + rng.choice(_TLDS)
    sub = rng.choice(["", "", "www.", "www.", "blog.", "shop.", "docs.", "m."])
    scheme = rng.choice(["https://", "https://", "http://", ""])
    path = "/".join(rng.sample(_NOUNS, rng.randint(0, 3)))
    url = scheme + sub + domain + ("/" + path if path else rng.choice(["", "/"]))
    if rng.random() < 0.3:
        url += f"?id={rng.randint(1, 999)}"
    if rng.random() < 0.15:
        url = url.replace(domain, domain + ":8080", 1)
    return _text_example(url)


DOMAIN_FROM_URL = _F(
    "domain_from_url",
    ["Extract the domain name from the URL (drop 'www.').", "What is the host name of this web address, without 'www'?",
     "Give the domain part of the link.", "Which domain does this URL point to? Leave out any 'www.' prefix."],
    r'''import re

def domain_from_url(url):
    """Return the host name of a URL without scheme, port, path or a leading 'www.'."""
    # Step 1: Take the host between the optional scheme and the first '/', ':', '?' or '#'.
    host = re.match(r'^(?:[a-zA-Z]+://)?([^/:?#]+)', url.strip()).group(1)
    # Step 2: Remove a leading 'www.'.
    answer = host[4:] if host.startswith('www.') else host
    return {'host': host, 'answer': answer}
''',
    _url_sample,
)


def _phone_sample(rng):
    a, b, c = rng.randint(201, 989), rng.randint(200, 999), rng.randint(0, 9999)
    text = rng.choice(["{a}.{b}.{c:04d}", "{a}-{b}-{c:04d}", "({a}){b}{c:04d}", "{a}{b}{c:04d}",
                       "+1 {a} {b} {c:04d}", "1-{a}-{b}-{c:04d}", "({a}) {b} {c:04d}", "{a} {b}-{c:04d}"]
                      ).format(a=a, b=b, c=c)
    return _text_example(text)


FORMAT_PHONE = _F(
    "format_phone_number",
    ["Format the phone number as (XXX) XXX-XXXX.", "Rewrite this US phone number in the standard (555) 555-5555 form.",
     "Normalise the phone number to the format (area) exchange-line.",
     "Clean up the phone number and present it as (XXX) XXX-XXXX."],
    r'''import re

def format_phone(text):
    """Format a 10-digit US phone number (optionally with a leading 1) as (XXX) XXX-XXXX."""
    # Step 1: Keep only the digits.
    digits = re.sub(r'\D', '', text)
    # Step 2: Drop a leading country code 1 if there are 11 digits.
    if len(digits) == 11 and digits[0] == '1':
        digits = digits[1:]
    # Step 3: Insert the brackets, space and dash.
    answer = f'({digits[:3]}) {digits[3:6]}-{digits[6:]}'
    return {'digits': digits, 'answer': answer}
''',
    _phone_sample,
)


def _card_sample(rng):
    digits = str(rng.choice([4, 5])) + "".join(str(rng.randint(0, 9)) for _ in range(15))
    sep = rng.choice([" ", "-", ""])
    text = sep.join(digits[i:i + 4] for i in range(0, 16, 4))
    return _text_example(text)


MASK_CARD = _F(
    "mask_card_number",
    ["Mask the card number so only the last four digits show.", "Hide all but the last 4 digits of this card number with '*'.",
     "Write the credit card number with every digit except the final four replaced by asterisks, in groups of four.",
     "Redact the card number, keeping the last four digits visible."],
    r'''import re

def mask_card(text):
    """Replace all but the last four digits of a card number with '*', in groups of four."""
    # Step 1: Keep only the digits.
    digits = re.sub(r'\D', '', text)
    # Step 2: Replace every digit except the last four.
    masked = '*' * (len(digits) - 4) + digits[-4:]
    # Step 3: Regroup into blocks of four separated by spaces.
    answer = ' '.join(masked[i:i + 4] for i in range(0, len(masked), 4))
    return {'last_four': digits[-4:], 'answer': answer}
''',
    _card_sample,
)


def _slug_sample(rng):
    h = _heading(rng)
    h = h[0].upper() + h[1:]
    if rng.random() < 0.4:
        h += rng.choice(["!", "?", " (2024 edition)", " - part 2", ": tips & tricks", "..."])
    return _text_example(h)


SLUGIFY = _F(
    "slugify_title",
    ["Turn the title into a URL slug.", "Make a lowercase, hyphen-separated slug from this heading.",
     "Create a web-friendly slug for the article title.",
     "Convert the title to a slug (lowercase letters and digits joined by hyphens)."],
    r'''import re

def slugify(title):
    """Make a URL slug: lowercase, apostrophes dropped, other non-alphanumerics become hyphens."""
    # Step 1: Lowercase the title and remove apostrophes.
    text = re.sub(r"['\u2019]", '', title.lower())
    # Step 2: Replace each run of other characters with a hyphen and trim the ends.
    answer = re.sub(r'[^a-z0-9]+', '-', text).strip('-')
    return {'lowered': text, 'answer': answer}
''',
    _slug_sample,
)


def _lines_sample(rng):
    kind = rng.random()
    if kind < 0.4:
        lines = rng.sample(_GROCERY, rng.randint(3, 12))
    elif kind < 0.7:
        lines = [f"{rng.choice(_VERB_INF).capitalize()} the {rng.choice(_OBJ)}" for _ in range(rng.randint(2, 9))]
    else:
        lines = [_sentence(rng) for _ in range(rng.randint(2, 7))]
    for _ in range(rng.randint(0, 2)):
        lines.insert(rng.randint(1, len(lines)), "")
    return _text_example("\n".join(lines))


COUNT_LINES = _F(
    "count_nonempty_lines",
    ["How many non-empty lines does the text have?", "Count the lines in this list, ignoring blank lines.",
     "Tell me the number of lines that contain text.", "Count the non-blank lines below."],
    r'''def count_lines(text):
    """Count the lines of a text that are not blank."""
    # Step 1: Split the text into lines.
    lines = text.split('\n')
    # Step 2: Count the lines that contain something other than whitespace.
    answer = sum(1 for line in lines if line.strip())
    return {'all_lines': len(lines), 'answer': answer}
''',
    _lines_sample,
    answer_format="number",
)


def _wrap_sample(rng):
    text = _sentence(rng) + ("" if rng.random() < 0.5 else " " + _sentence(rng))
    width = rng.randint(14, 30)
    return Example(input=text, args=(text, width), fields={"width": width})


WRAP_TEXT = _F(
    "wrap_text_to_width",
    ["Wrap the text into lines of at most {width} characters.", "Break the sentence into lines no longer than {width} characters.",
     "Word-wrap the passage at width {width} and list the lines.",
     "Split the text into lines of up to {width} characters without breaking words."],
    r'''import textwrap

def wrap_text(text, width):
    """Word-wrap a text into lines of at most `width` characters."""
    # Step 1: Wrap the text at word boundaries.
    lines = textwrap.wrap(text, width)
    # Step 2: Report the lines and how many there are.
    answer = lines
    return {'line_count': len(lines), 'answer': answer}
''',
    _wrap_sample,
)


def _center_sample(rng):
    word = rng.choice(_NOUNS + _FIRST)
    width = len(word) + rng.randint(1, 10)
    fill = rng.choice(["*", "-", "=", "#", ".", "~"])
    return Example(input=word, args=(word, width, fill), fields={"width": width, "fill": fill})


CENTER_PAD = _F(
    "center_pad_string",
    ["Centre the word in a field {width} characters wide, padding with '{fill}'.",
     "Pad the text on both sides with '{fill}' so it is centred in {width} characters.",
     "Using '{fill}' as filler, centre this string to a total width of {width}.",
     "Make the word {width} characters long by centring it between '{fill}' characters."],
    r'''def center_text(text, width, fill):
    """Centre a string in a field of the given width using a fill character."""
    # Step 1: Work out how much padding is needed.
    padding = width - len(text)
    # Step 2: Centre the text with the fill character.
    answer = text.center(width, fill)
    return {'padding': padding, 'answer': answer}
''',
    _center_sample,
)


def _position_sample(rng):
    text = _sentence(rng) + ("" if rng.random() < 0.5 else " " + _sentence(rng))
    words = re.findall(r"[A-Za-z]+", text)
    word = rng.choice(words) if rng.random() < 0.85 else rng.choice(_NOUNS)
    if rng.random() < 0.3:
        word = word.lower()
    return Example(input=text, args=(text, word), fields={"word": word})


WORD_POSITION = _F(
    "word_position",
    ["At which position (1-based) does the word '{word}' first appear? Answer 0 if it is absent.",
     "Find the word number of the first '{word}' in the text (0 if missing).",
     "What is the index, counting from 1, of the first occurrence of \"{word}\"? Give 0 if it is not there.",
     "Locate '{word}' in the sentence: which word number is it?"],
    r'''import re

def word_position(text, word):
    """Return the 1-based position of the first occurrence of a word (case-insensitive), or 0."""
    # Step 1: Extract the words in lowercase, without punctuation.
    words = [w.lower() for w in re.findall(r"[A-Za-z0-9']+", text)]
    # Step 2: Find the first match.
    target = word.lower()
    answer = words.index(target) + 1 if target in words else 0
    return {'total_words': len(words), 'answer': answer}
''',
    _position_sample,
    answer_format="number",
)


def _numeric_sample(rng):
    r = rng.random()
    if r < 0.5:
        s = rng.choice(["{i}", "-{i}", "{i}.{d}", "+{i}", "0.{d}", "-{i}.{d}", " {i} "]).format(
            i=rng.randint(0, 99999), d=rng.randint(0, 999))
    else:
        s = rng.choice(["{i}a", "{i}.{d}.{d}", "{w}", "{i} {d}", "{w}{i}", "$", "{i}-{d}", "..{d}", "{i}%", "--{i}"]).format(
            i=rng.randint(0, 9999), d=rng.randint(0, 99), w=rng.choice(_NOUNS + ["seven", "twelve", "abc", "x"]))
    return _text_example(s)


IS_NUMERIC = _F(
    "is_numeric_string",
    ["Does the string represent a number (optionally signed, optionally with a decimal part)? Answer yes or no.",
     "Is this text a valid number? Reply yes or no.", "Check whether the input is a plain number like 42, -3 or 2.5.",
     "Decide if the string is numeric."],
    r'''import re

def is_numeric(text):
    """Check whether a string is a plain number: optional sign, digits, optional decimal part."""
    # Step 1: Strip surrounding whitespace.
    value = text.strip()
    # Step 2: Match the whole string against the number pattern.
    matched = re.fullmatch(r'[+-]?(\d+(\.\d+)?|\.\d+)', value) is not None
    answer = 'yes' if matched else 'no'
    return {'stripped': value, 'answer': answer}
''',
    _numeric_sample,
    answer_format="label",
    labels=("yes", "no"),
)


def _punct_sample(rng):
    s = _sentence(rng)
    s = rng.choice([s, s.replace(" the ", ", the ", 1), s.replace(" and ", " & ", 1) + " (really!)",
                    '"' + s + '" said ' + _name(rng) + ".", s + " Well... maybe; who knows?",
                    s.replace(".", "!!!")])
    return _text_example(s)


STRIP_PUNCTUATION = _F(
    "strip_punctuation",
    ["Remove all punctuation from the text.", "Strip the punctuation marks, leaving letters, digits and single spaces.",
     "Rewrite the sentence without any punctuation.", "Delete every punctuation character from this text."],
    r'''import string

def strip_punctuation(text):
    """Remove punctuation characters and collapse the remaining spaces."""
    # Step 1: Drop every punctuation character.
    kept = ''.join(c for c in text if c not in string.punctuation)
    removed = len(text) - len(kept)
    # Step 2: Collapse runs of whitespace into single spaces.
    answer = ' '.join(kept.split())
    return {'removed': removed, 'answer': answer}
''',
    _punct_sample,
)


def _reading_sample(rng):
    text = _paragraph(rng, 3, 8)
    wpm = rng.choice([100, 120, 150, 180, 200, 220, 238, 250, 300])
    return Example(input=text, args=(text, wpm), fields={"wpm": wpm})


READING_TIME = _F(
    "reading_time_seconds",
    ["At {wpm} words per minute, how many seconds does it take to read this text? Round to the nearest second.",
     "Estimate the reading time in seconds for a reader doing {wpm} words a minute.",
     "How long, in whole seconds, would reading this passage take at {wpm} wpm?",
     "Compute the reading time (seconds, rounded) at a speed of {wpm} words per minute."],
    r'''def reading_time(text, wpm):
    """Estimate reading time in seconds from the word count and a reading speed."""
    # Step 1: Count the words.
    words = len(text.split())
    # Step 2: Convert words to minutes, then to rounded seconds.
    minutes = words / wpm
    answer = round(minutes * 60)
    return {'words': words, 'minutes': round(minutes, 2), 'answer': answer}
''',
    _reading_sample,
    answer_format="number",
)


def _dedupe_sample(rng):
    base = rng.sample(_GROCERY, rng.randint(5, 14))
    items = base + [rng.choice(base) for _ in range(rng.randint(2, 8))]
    rng.shuffle(items)
    items = [i.capitalize() if rng.random() < 0.15 else i for i in items]
    sep = rng.choice([", ", ",", " , "])
    return _text_example(sep.join(items))


DEDUPE_COMMA_LIST = _F(
    "dedupe_comma_list",
    ["Remove duplicates from the comma-separated list (ignoring case), keeping the first spelling and order.",
     "Clean up this list so each item appears once; return it comma-separated.",
     "Deduplicate the items, keeping their first appearance.", "List each distinct item once, in the original order."],
    r'''def dedupe_list(text):
    """Deduplicate a comma-separated list case-insensitively, keeping first occurrences in order."""
    # Step 1: Split on commas and trim each item.
    items = [item.strip() for item in text.split(',') if item.strip()]
    # Step 2: Keep an item only if its lowercase form has not been seen.
    seen, kept = set(), []
    for item in items:
        if item.lower() not in seen:
            seen.add(item.lower())
            kept.append(item)
    # Step 3: Join the kept items.
    answer = ', '.join(kept)
    return {'original_count': len(items), 'kept_count': len(kept), 'answer': answer}
''',
    _dedupe_sample,
)


def _interleave_sample(rng):
    pools = [_NOUNS, _FIRST, ["123", "4567", "89", "2468", "13579", "00", "31415"], _ID_PARTS]
    a = rng.choice(rng.choice(pools))
    b = rng.choice(rng.choice(pools))
    text = rng.choice(["First: {a}\nSecond: {b}", "{a} and {b}", "'{a}', '{b}'"]).format(a=a, b=b)
    return Example(input=text, args=(a, b))


INTERLEAVE = _F(
    "interleave_two_strings",
    ["Interleave the two strings character by character, appending the leftover of the longer one.",
     "Merge the strings by alternating their letters, starting with the first.",
     "Combine the two words by taking one character from each in turn.",
     "Zip the two strings together letter by letter."],
    r'''from itertools import zip_longest

def interleave(first, second):
    """Alternate characters from two strings, then add whatever is left of the longer one."""
    # Step 1: Pair up characters position by position, padding the shorter string.
    pairs = list(zip_longest(first, second, fillvalue=''))
    # Step 2: Join each pair in order.
    answer = ''.join(a + b for a, b in pairs)
    return {'pairs': len(pairs), 'answer': answer}
''',
    _interleave_sample,
)


def _vc_sample(rng):
    text = rng.choice([rng.choice(_NOUNS), " ".join(rng.sample(_NOUNS, 2)), _full_name(rng, 0.2),
                       rng.choice(_CITIES), rng.choice(_TOPICS)])
    return _text_example(text)


VOWELS_CONSONANTS = _F(
    "count_vowels_and_consonants",
    ["Count the vowels and consonants in the text (treat 'y' as a consonant).",
     "How many vowels and how many consonants does this contain?",
     "Give the number of vowels (a, e, i, o, u) and consonants among the letters.",
     "Tally vowels versus consonants."],
    r'''def vowels_and_consonants(text):
    """Count vowels (a, e, i, o, u) and consonants among the letters of a text."""
    # Step 1: Keep only the letters, lowercased.
    letters = [c for c in text.lower() if c.isalpha()]
    # Step 2: Split them into vowels and consonants.
    vowels = sum(1 for c in letters if c in 'aeiou')
    consonants = len(letters) - vowels
    answer = {'vowels': vowels, 'consonants': consonants}
    return {'letters': len(letters), 'answer': answer}
''',
    _vc_sample,
)


def _longer_sample(rng):
    words = rng.sample(_NOUNS + _OBJ, rng.randint(10, 28))
    n = rng.randint(4, 7)
    return Example(input=_word_list_text(rng, words), args=(words, n), fields={"n": n})


COUNT_LONGER_WORDS = _F(
    "count_words_longer_than_n",
    ["How many words in the list have more than {n} letters?", "Count the words longer than {n} characters.",
     "Of these words, how many exceed {n} letters?", "Tell me how many words are longer than {n} letters."],
    r'''def count_longer(words, n):
    """Count the words with more than n letters."""
    # Step 1: Keep the words longer than n.
    longer = [w for w in words if len(w) > n]
    # Step 2: Count them.
    answer = len(longer)
    return {'longer_words': longer, 'answer': answer}
''',
    _longer_sample,
    answer_format="number",
)


AVERAGE_WORD_LENGTH = _F(
    "average_word_length",
    ["What is the average word length in the text? Round to two decimals.",
     "Compute the mean number of letters per word (ignore punctuation), rounded to 2 decimal places.",
     "Find the average length of the words in this passage.", "On average, how many letters does each word have?"],
    r'''import re

def average_word_length(text):
    """Average number of letters per word, ignoring punctuation, rounded to 2 decimals."""
    # Step 1: Extract the words.
    words = re.findall(r'[A-Za-z0-9]+', text)
    # Step 2: Divide the total letters by the word count.
    total = sum(len(w) for w in words)
    answer = round(total / len(words), 2)
    return {'words': len(words), 'letters': total, 'answer': answer}
''',
    lambda rng: _text_example(_sentence(rng) if rng.random() < 0.5 else _paragraph(rng, 2, 4)),
    answer_format="number",
)


COUNT_DISTINCT_WORDS = _F(
    "count_distinct_words",
    ["How many different words does the paragraph use (ignoring case and punctuation)?",
     "Count the unique words in the text.", "Find the number of distinct words, case-insensitively.",
     "How many distinct words appear in this passage?"],
    r'''import re

def count_distinct_words(text):
    """Count distinct words, ignoring case and punctuation."""
    # Step 1: Extract the words in lowercase.
    words = [w.lower() for w in re.findall(r"[A-Za-z0-9']+", text)]
    # Step 2: Count the distinct ones.
    distinct = set(words)
    answer = len(distinct)
    return {'total_words': len(words), 'answer': answer}
''',
    lambda rng: _text_example(_paragraph(rng, 2, 5, rng.sample(_OBJ, 4))),
    answer_format="number",
)


WORDS_PER_SENTENCE = _F(
    "words_per_sentence",
    ["How many words are in each sentence? Give a list.", "List the word count of every sentence in the paragraph.",
     "For each sentence, count its words.", "Return the number of words per sentence, in order."],
    r'''import re

def words_per_sentence(text):
    """Count the words of each sentence (sentences end in . ! or ?)."""
    # Step 1: Split the text into sentences.
    sentences = [s for s in re.split(r'[.!?]+', text) if s.strip()]
    # Step 2: Count the words in each sentence.
    answer = [len(s.split()) for s in sentences]
    return {'sentences': len(sentences), 'answer': answer}
''',
    lambda rng: _text_example(_paragraph(rng, 2, 6)),
)


def _most_common_sample(rng):
    objs = rng.sample(_OBJ, 3)
    return _text_example(_paragraph(rng, 3, 6, objs))


MOST_COMMON_WORD = _F(
    "most_common_content_word",
    ["Which word appears most often in the text, ignoring common words like 'the', 'a' and 'and'?",
     "Find the most frequent meaningful word (skip stop words; ties go to the earliest).",
     "What is the most repeated non-stop-word in the passage?",
     "Identify the word used most often, excluding articles, prepositions and pronouns."],
    r'''import re
from collections import Counter

def most_common_word(text):
    """Most frequent word, lowercased, ignoring stop words; ties go to the earliest word."""
    # Step 1: Extract lowercase words and drop stop words.
    stop = {'the', 'a', 'an', 'and', 'or', 'of', 'to', 'in', 'on', 'at', 'by', 'for', 'from', 'with',
            'was', 'is', 'be', 'so', 'that', 'did', 'it', 'he', 'she', 'they', 'we', 'after', 'before'}
    words = [w for w in re.findall(r"[a-z']+", text.lower()) if w not in stop]
    # Step 2: Count them; most_common keeps first-seen order among ties.
    word, count = Counter(words).most_common(1)[0]
    answer = word
    return {'count': count, 'answer': answer}
''',
    _most_common_sample,
)


_QUOTES = ["I will {inf} the {obj} {time}", "Where is the {adj} {obj}", "We should leave before {event}",
           "That {obj} is far too {adj2}", "Nobody told me about {t}", "Meet me {place}",
           "Let us try {t} next week", "The {obj} belongs to {name}"]


def _quotes_sample(rng):
    parts = []
    for _ in range(rng.randint(1, 3)):
        q = rng.choice(_QUOTES).format(inf=rng.choice(_VERB_INF), obj=rng.choice(_OBJ), time=rng.choice(_TIME),
                                       adj=rng.choice(_ADJ), adj2=rng.choice(_ADJ2), event=rng.choice(_EVENT),
                                       t=rng.choice(_TOPICS), place=rng.choice(_PLACE), name=_name(rng))
        end = "?" if q.startswith("Where") else rng.choice([".", "!"])
        speaker = _name(rng)
        parts.append(rng.choice([f'{speaker} said, "{q}{end}"', f'"{q}{end}" {speaker} shouted.',
                                 f'"{q}{end}" whispered {speaker}.', f'{speaker} asked quietly: "{q}{end}"']))
        if rng.random() < 0.5:
            parts.append(_sentence(rng))
    return _text_example(" ".join(parts))


EXTRACT_QUOTES = _F(
    "extract_quoted_speech",
    ["Extract the text inside double quotation marks.", "List everything that is quoted in the passage.",
     "What did the characters say? Give the quoted parts in order.", "Pull out the quotations from the text."],
    r'''import re

def extract_quotes(text):
    """Return the pieces of text enclosed in double quotation marks, in order."""
    # Step 1: Match the shortest runs between pairs of double quotes.
    quotes = re.findall(r'"([^"]*)"', text)
    # Step 2: Return them as a list.
    answer = quotes
    return {'count': len(quotes), 'answer': answer}
''',
    _quotes_sample,
)


def _password_sample(rng):
    word = rng.choice(_NOUNS + _OBJ)
    if rng.random() < 0.4:  # usually strong: mixed case, digits and a symbol
        pieces = [word.capitalize(), str(rng.randint(10, 2025)), rng.choice("!@#$%&*?")]
        rng.shuffle(pieces)
        return _text_example("".join(pieces))
    pieces = [rng.choice([word, word.capitalize(), word.upper()])]
    if rng.random() < 0.6:
        pieces.append(str(rng.randint(0, 2025)))
    if rng.random() < 0.5:
        pieces.append(rng.choice("!@#$%&*?"))
    if rng.random() < 0.3:
        pieces.append(rng.choice(_NOUNS)[:rng.randint(2, 5)])
    rng.shuffle(pieces)
    pw = "".join(pieces)
    if rng.random() < 0.2:
        pw = pw[:rng.randint(3, 7)]
    return _text_example(pw)


PASSWORD_STRENGTH = _F(
    "password_strength_check",
    ["Is this password strong? It must have 8+ characters, an uppercase letter, a lowercase letter, a digit and a symbol.",
     "Rate the password as strong or weak (strong = at least 8 characters with upper, lower, digit and symbol).",
     "Check the password against the rules: length >= 8, upper case, lower case, digit, special character.",
     "Classify the password as 'strong' or 'weak'."],
    r'''def password_strength(password):
    """Label a password strong if it meets length, case, digit and symbol rules, else weak."""
    # Step 1: Test each rule.
    rules = {
        'length': len(password) >= 8,
        'upper': any(c.isupper() for c in password),
        'lower': any(c.islower() for c in password),
        'digit': any(c.isdigit() for c in password),
        'symbol': any(not c.isalnum() for c in password),
    }
    # Step 2: Collect the failed rules and decide.
    failed = [name for name, ok in rules.items() if not ok]
    answer = 'strong' if not failed else 'weak'
    return {'failed_rules': failed, 'answer': answer}
''',
    _password_sample,
    answer_format="label",
    labels=("strong", "weak"),
)


def _repeat_sample(rng):
    return _text_example(rng.choice([rng.choice(_NOUNS + _OBJ + _CITIES), rng.choice(_TOPICS).replace(" ", ""),
                                     rng.choice(_FIRST).lower() + rng.choice(_LAST).lower()]))


FIRST_REPEATED_CHAR = _F(
    "first_repeated_character",
    ["Which character is the first to repeat (its second occurrence comes earliest)? Say 'none' if no character repeats.",
     "Scan the string from left to right and report the first character you see for the second time.",
     "Find the first repeated letter in the word (or 'none').", "What is the first character that occurs twice?"],
    r'''def first_repeated_char(text):
    """Return the first character whose second occurrence comes earliest, or 'none'."""
    # Step 1: Walk through the characters, remembering those already seen.
    seen = set()
    answer = 'none'
    for position, char in enumerate(text.lower()):
        # Step 2: Stop at the first character seen before.
        if char in seen:
            answer = char
            break
        seen.add(char)
    return {'distinct_before': len(seen), 'answer': answer}
''',
    _repeat_sample,
)


def _prefix_groups():
    return {
        "inter": ["international", "internet", "interview", "interval", "interior", "interrupt"],
        "trans": ["transport", "translate", "transfer", "transform", "transit", "transparent"],
        "under": ["underground", "understand", "underline", "underwater", "undertake", "underneath"],
        "over": ["overcome", "overlook", "overnight", "overflow", "overhead", "overture"],
        "pre": ["prepare", "predict", "present", "prevent", "preview", "premium"],
        "con": ["contain", "contest", "control", "convert", "concert", "console"],
        "micro": ["microphone", "microscope", "microwave", "microchip", "microbe"],
        "star": ["starfish", "starling", "stardust", "starlight", "starboard", "startle"],
        "book": ["bookcase", "bookmark", "bookshop", "booklet", "bookworm", "bookkeeper"],
        "sun": ["sunflower", "sunlight", "sunset", "sunrise", "sunburn", "sunday"],
        "water": ["waterfall", "watermelon", "waterproof", "watercolor", "waterfront"],
        "re": ["return", "record", "remind", "replace", "reason", "rescue"],
    }


def _prefix_sample(rng):
    groups = _prefix_groups()
    words = rng.sample(groups[rng.choice(sorted(groups))], rng.randint(3, 5))
    if rng.random() < 0.2:
        words.append(rng.choice(_NOUNS))
        rng.shuffle(words)
    return Example(input=_word_list_text(rng, words), args=(words,))


COMMON_PREFIX = _F(
    "longest_common_prefix",
    ["What is the longest prefix shared by all the words?", "Find the longest common beginning of these words.",
     "Give the longest string that every word starts with (empty if none).",
     "Which letters do all of the words begin with?"],
    r'''def common_prefix(words):
    """Find the longest prefix shared by every word in a list."""
    # Step 1: Start from the shortest word, since the prefix cannot be longer.
    prefix = min(words, key=len)
    # Step 2: Shorten the prefix until every word starts with it.
    for word in words:
        while not word.startswith(prefix):
            prefix = prefix[:-1]
    answer = prefix
    return {'length': len(prefix), 'answer': answer}
''',
    _prefix_sample,
)


# ---- knowledge families ---------------------------------------------------------------

_CONTRACTIONS = {"don't": "do not", "can't": "cannot", "won't": "will not", "isn't": "is not",
                 "aren't": "are not", "wasn't": "was not", "weren't": "were not", "doesn't": "does not",
                 "didn't": "did not", "haven't": "have not", "hasn't": "has not", "i'm": "I am",
                 "you're": "you are", "we're": "we are", "they're": "they are", "i've": "I have",
                 "we've": "we have", "they've": "they have", "i'll": "I will", "you'll": "you will",
                 "we'll": "we will", "shouldn't": "should not", "couldn't": "could not",
                 "wouldn't": "would not", "let's": "let us"}

_FUTURE = ["tomorrow", "tonight", "next week", "on Monday", "later today", "this weekend", "after lunch",
           "before noon"]

_CONTRACTION_TEMPLATES = [
    "I'm sure we can't {inf} the {obj} {time}.", "They're late because the {obj} wasn't ready.",
    "Don't {inf} the {obj}; {name} won't like it.", "{name} didn't {inf} the {obj} because it wasn't {adj2}.",
    "We'll {inf} the {obj} if you're free {time}.", "They haven't seen the {obj}, and {name} doesn't know where it is.",
    "You shouldn't {inf} the {obj} {time}.", "Let's {inf} the {obj} before {event}.",
    "{name} couldn't find the {obj}, so we'll need another one.", "I've told {name} that we aren't ready.",
    "You'll see that the {obj} isn't as {adj2} as it looks.", "We're sure {name} wouldn't {inf} it.",
    "They've asked whether the {obj} hasn't been moved.", "I'll {inf} the {obj} if they weren't planning to.",
]

_FULL_FORM_HELPER = (
    "def full_form(word):\n"
    f"    table = {_CONTRACTIONS!r}\n"
    "    full = table[word.lower()]\n"
    "    return full[0].upper() + full[1:] if word[0].isupper() else full\n"
)


def _contraction_sample(rng):
    parts = []
    for t in rng.sample(_CONTRACTION_TEMPLATES, rng.randint(1, 3)):
        parts.append(t.format(inf=rng.choice(_VERB_INF), obj=rng.choice(_OBJ), time=rng.choice(_FUTURE),
                              name=_name(rng), adj2=rng.choice(_ADJ2), event=rng.choice(_EVENT)))
    return _text_example(" ".join(parts))


EXPAND_CONTRACTIONS = _F(
    "expand_contractions",
    ["Expand all contractions in the text (e.g. \"don't\" -> \"do not\").",
     "Rewrite the sentences without contractions.", "Replace every contraction with its full form.",
     "Make the text more formal by spelling out the contractions."],
    r'''import re

def expand_contractions(text):
    """Replace each contraction (a word with an apostrophe) by its full form."""
    # Step 1: Find the contractions.
    pattern = r"\b[A-Za-z]+'[A-Za-z]+\b"
    found = re.findall(pattern, text)
    # Step 2: Substitute each one with its expansion (knowledge lookup).
    answer = re.sub(pattern, lambda m: full_form(m.group(0)), text)
    return {'contractions': found, 'answer': answer}
''',
    _contraction_sample,
    kind="knowledge",
    helpers=_FULL_FORM_HELPER,
)


_COLORS = ["red", "blue", "green", "yellow", "purple", "black", "white", "grey", "brown", "pink", "violet",
           "crimson", "teal", "navy", "beige", "maroon", "turquoise", "scarlet", "indigo", "magenta",
           "lavender", "ivory", "gray", "cyan"]
_NON_COLOR_ADJ = ["tall", "soft", "wooden", "shiny", "tiny", "heavy", "striped", "narrow", "warm", "old",
                  "new", "quiet", "round", "elegant", "dusty"]


def _color_sample(rng):
    parts = []
    for _ in range(rng.randint(1, 3)):
        c1, c2 = rng.sample(_COLORS, 2)
        parts.append(rng.choice([
            "{name} wore a {c1} scarf and {a} {c2} boots.", "The {obj} was painted {c1} with {c2} stripes.",
            "A {a} {obj} stood next to the {c1} door.", "We bought a {a} {obj} and a {c1} {obj2}.",
            "The {a} {obj} looked almost {c1} in the evening light.", "{name} prefers {a} tea cups.",
            "Between the {c1} curtains hung a {a} {c2} {obj}.",
        ]).format(name=_name(rng), c1=c1, c2=c2, a=rng.choice(_NON_COLOR_ADJ), obj=rng.choice(_OBJ),
                  obj2=rng.choice(_OBJ)))
        parts[-1] = _articles(parts[-1])
    return _text_example(" ".join(parts))


COLOR_WORDS = _F(
    "extract_color_words",
    ["List the colour words that appear in the text, in order.", "Which colours are mentioned in this passage?",
     "Pick out every word that names a colour.", "Find all the color names in the sentences."],
    r'''import re

def color_words(text):
    """List the words in a text that name a colour, in order of appearance."""
    # Step 1: Split the text into lowercase words.
    words = re.findall(r'[a-z]+', text.lower())
    # Step 2: Keep the words that are colour names (knowledge lookup).
    answer = [w for w in words if is_color(w)]
    return {'words_checked': len(words), 'answer': answer}
''',
    _color_sample,
    kind="knowledge",
    helpers="def is_color(word):\n    return word in " + repr(set(_COLORS)) + "\n",
)


_PLURALS = {"child": "children", "mouse": "mice", "goose": "geese", "tooth": "teeth", "foot": "feet",
            "man": "men", "woman": "women", "person": "people", "leaf": "leaves", "knife": "knives",
            "wolf": "wolves", "box": "boxes", "bus": "buses", "city": "cities", "baby": "babies", "day": "days",
            "boy": "boys", "potato": "potatoes", "hero": "heroes", "echo": "echoes", "church": "churches",
            "fox": "foxes", "wish": "wishes", "dish": "dishes", "sheep": "sheep", "deer": "deer", "ox": "oxen",
            "life": "lives", "shelf": "shelves", "loaf": "loaves", "half": "halves", "calf": "calves",
            "berry": "berries", "key": "keys", "toy": "toys", "glass": "glasses", "class": "classes",
            "watch": "watches", "brush": "brushes", "tomato": "tomatoes", "piano": "pianos", "photo": "photos",
            "roof": "roofs", "chef": "chefs", "lamp": "lamps", "kite": "kites", "story": "stories",
            "lady": "ladies", "louse": "lice", "wife": "wives"}


def _plural_sample(rng):
    nouns = rng.sample(sorted(_PLURALS), rng.randint(3, 8))
    return Example(input=_word_list_text(rng, nouns), args=(nouns,))


PLURALS = _F(
    "plural_of_nouns",
    ["Write the plural form of each noun.", "Give the plurals of these words, in order.",
     "What is the plural of each word in the list?", "Pluralise every noun below."],
    r'''def pluralise(nouns):
    """Return the plural of each noun, plus how many are irregular (not just adding 's')."""
    # Step 1: Look up the plural of each cleaned noun (knowledge).
    plurals = [plural_of(n.strip().lower()) for n in nouns]
    # Step 2: Count the plurals that are not the noun plus 's'.
    irregular = sum(1 for n, p in zip(nouns, plurals) if p != n.strip().lower() + 's')
    answer = plurals
    return {'not_plain_s': irregular, 'answer': answer}
''',
    _plural_sample,
    kind="knowledge",
    helpers="def plural_of(noun):\n    return " + repr(_PLURALS) + "[noun]\n",
)


FAMILIES = [
    ACRONYM, TITLE_CASE, COUNT_WORDS, COUNT_SENTENCES, COUNT_LETTER, LONGEST_WORD, REMOVE_DUP_WORDS,
    EXTRACT_EMAILS, EXTRACT_NUMBERS, EXTRACT_HASHTAGS, EXTRACT_DATES, ANAGRAM, PIG_LATIN, SNAKE_TO_CAMEL,
    CAMEL_TO_SNAKE, REMOVE_VOWELS, MOST_FREQUENT_CHAR, CENSOR_WORD, REPLACE_WORD, CAPITALISE_SENTENCES,
    JOIN_WITH_AND, COUNT_CHARS_NO_SPACES, WORD_LENGTHS, PANGRAM, INITIALS, TRUNCATE, WORDS_STARTING_WITH,
    COUNT_UPPERCASE, USERNAME, DOMAIN_FROM_URL, FORMAT_PHONE, MASK_CARD, SLUGIFY, COUNT_LINES, WRAP_TEXT,
    CENTER_PAD, WORD_POSITION, IS_NUMERIC, STRIP_PUNCTUATION, READING_TIME, DEDUPE_COMMA_LIST, INTERLEAVE,
    VOWELS_CONSONANTS, COUNT_LONGER_WORDS, AVERAGE_WORD_LENGTH, COUNT_DISTINCT_WORDS, WORDS_PER_SENTENCE,
    MOST_COMMON_WORD, EXTRACT_QUOTES, PASSWORD_STRENGTH, FIRST_REPEATED_CHAR, COMMON_PREFIX,
    EXPAND_CONTRACTIONS, COLOR_WORDS, PLURALS,
]
