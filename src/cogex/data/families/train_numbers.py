"""Number, unit, money, date and time families: everything is computed in real Python."""

from __future__ import annotations

import datetime as _dt
import random

from .base import Example, Family


def _fam(name, instructions, programs, sample, answer_format="number", labels=(), kind="compute", helpers=""):
    if isinstance(programs, str):
        programs = (programs,)
    return Family(name=name, kind=kind, instructions=tuple(instructions), programs=tuple(programs),
                  sample=sample, helpers=helpers, answer_format=answer_format, labels=tuple(labels))


def _num(value: float) -> str:
    """A number as it would be written: no trailing '.0' for whole values."""
    return str(int(value)) if float(value).is_integer() else repr(value)


def _money(rng: random.Random, low: float, high: float) -> float:
    return round(rng.uniform(low, high), 2)


_PEOPLE = ["Ana", "Ben", "Chloe", "Dev", "Elif", "Farid", "Grace", "Hugo", "Ines", "Jun", "Kofi", "Lena", "Mateo",
           "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wei", "Ximena", "Yusuf",
           "Zara", "Aiko", "Bruno", "Carmen", "Dmitri", "Esme", "Felix"]
_ITEMS = ["jacket", "lamp", "backpack", "blender", "sofa", "bicycle", "kettle", "monitor", "desk chair", "rug",
          "headphones", "coffee maker", "tent", "printer", "guitar", "watch", "suitcase", "toaster", "camera",
          "bookshelf", "vacuum cleaner", "mattress", "scooter", "keyboard", "mirror", "drill", "microwave",
          "pair of boots", "winter coat", "tablet", "fan", "speaker"]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]


def _date(rng: random.Random, start: int = 1950, end: int = 2030) -> _dt.date:
    base = _dt.date(start, 1, 1)
    return base + _dt.timedelta(days=rng.randint(0, (_dt.date(end, 12, 31) - base).days))


# --------------------------------------------------------------------------------------------
# Percentages and money
# --------------------------------------------------------------------------------------------

def _percent_of_sample(rng):
    pct = rng.choice([rng.randint(1, 100), rng.choice([2.5, 7.5, 12.5, 17.5, 33, 0.5, 150, 200])])
    base = rng.choice([rng.randint(10, 2000), rng.randint(1, 99) * 10, round(rng.uniform(5, 500), 1)])
    text = rng.choice(["What is {p}% of {b}?", "{p} percent of {b}", "Find {p}% of {b}.", "{p}% of {b} = ?",
                       "Calculate {p} percent of {b}."]).format(p=_num(pct), b=_num(base))
    return Example(input=text, args=(text,))


PERCENT_OF = _fam(
    "percent_of_number",
    ["Work out the percentage of the number.", "Compute the requested percentage.",
     "Calculate the value described.", "What number is the stated percentage of the given amount?"],
    r'''import re

def percent_of_number(text):
    """Find a given percentage of a number written in the text."""
    # Step 1: Extract the percentage and the base number (in that order).
    numbers = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)]
    percent, base = numbers[0], numbers[1]
    # Step 2: Multiply the base by the percentage as a fraction.
    answer = round(base * percent / 100, 2)
    return {'percent': percent, 'base': base, 'answer': answer}
''',
    _percent_of_sample,
)


def _discount_sample(rng):
    price = _money(rng, 5, 900)
    disc = rng.choice([5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 60, 70, 12, 18, 22])
    text = rng.choice(["Original price: ${p:.2f}, discount: {d}%",
                       "A {i} costs ${p:.2f} and is on sale at {d}% off.",
                       "Price ${p:.2f}, {d}% off",
                       "The {i} is listed at ${p:.2f}. There is a {d}% discount."]).format(
        p=price, d=disc, i=rng.choice(_ITEMS))
    return Example(input=text, args=(price, disc))


DISCOUNT = _fam(
    "price_after_discount",
    ["What is the price after the discount?", "Compute the sale price.",
     "Find the final price once the discount is applied.", "How much does it cost after the percentage off?"],
    r'''def price_after_discount(price, discount_percent):
    """Apply a percentage discount to a price."""
    # Step 1: Work out how much money the discount saves.
    savings = round(price * discount_percent / 100, 2)
    # Step 2: Subtract the savings from the original price.
    answer = round(price - savings, 2)
    return {'savings': savings, 'answer': answer}
''',
    _discount_sample,
)


def _tip_sample(rng):
    bill = _money(rng, 12, 480)
    tip = rng.choice([10, 12, 15, 18, 20, 22, 25])
    people = rng.randint(2, 9)
    text = rng.choice([
        "The bill is ${b:.2f}, we want to leave a {t}% tip and split it among {n} people.",
        "Bill: ${b:.2f}. Tip: {t}%. Diners: {n}.",
        "Dinner came to ${b:.2f}; add {t}% for the tip and divide between {n} friends.",
        "${b:.2f} check, {t}% gratuity, {n} ways",
        "Our total was ${b:.2f}. With a {t} percent tip, how much does each of the {n} of us pay?"]).format(
        b=bill, t=tip, n=people)
    return Example(input=text, args=(text,))


TIP_SPLIT = _fam(
    "tip_and_split_bill",
    ["How much does each person pay, tip included?", "Add the tip to the bill and split it evenly.",
     "Compute each person's share of the bill including the tip.", "Split the bill plus tip equally."],
    r'''import re

def split_bill_with_tip(text):
    """Add a percentage tip to a bill and split the total evenly."""
    # Step 1: Read the bill, the tip percentage and the number of people.
    numbers = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)]
    bill, tip_percent, people = numbers[0], numbers[1], int(numbers[2])
    # Step 2: Add the tip to get the total.
    total = round(bill * (1 + tip_percent / 100), 2)
    # Step 3: Divide the total by the number of people.
    answer = round(total / people, 2)
    return {'tip': round(bill * tip_percent / 100, 2), 'total': total, 'answer': answer}
''',
    _tip_sample,
)


def _pct_change_sample(rng):
    old = rng.choice([rng.randint(10, 1000), _money(rng, 1, 300)])
    new = rng.choice([rng.randint(5, 1200), _money(rng, 1, 400)])
    if old == new:
        new += 1
    thing = rng.choice(["price", "population", "score", "rent", "salary", "visitors", "sales", "weight",
                        "temperature", "subscribers", "revenue", "cost"])
    text = rng.choice(["from {o} to {n}", "The {t} went from {o} to {n}.", "Old value: {o}; new value: {n}",
                       "{t}: {o} -> {n}", "Last year the {t} was {o}, this year it is {n}."]).format(
        o=_num(old), n=_num(new), t=thing)
    return Example(input=text, args=(text,))


PCT_CHANGE = _fam(
    "percentage_change",
    ["What is the percentage change?", "Compute the percent increase or decrease (negative for a decrease).",
     "By what percentage did the value change?", "Find the percentage change from the old value to the new one."],
    r'''import re

def percentage_change(text):
    """Percentage change from the first value to the second (negative means a decrease)."""
    # Step 1: Extract the old and the new value.
    numbers = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)]
    old, new = numbers[0], numbers[1]
    # Step 2: Divide the difference by the old value and express it as a percentage.
    difference = new - old
    answer = round(difference / old * 100, 2)
    return {'old': old, 'new': new, 'answer': answer}
''',
    _pct_change_sample,
)

# Rough value of one unit in US dollars, only used to draw plausible exchange rates.
_USD_VALUE = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27, "JPY": 0.0067, "CHF": 1.12, "CAD": 0.73, "AUD": 0.66,
              "NZD": 0.61, "SEK": 0.095, "NOK": 0.093, "DKK": 0.145, "INR": 0.012, "BRL": 0.19, "MXN": 0.055,
              "ZAR": 0.054, "KRW": 0.00074, "SGD": 0.74, "HKD": 0.128, "PLN": 0.25, "CZK": 0.043, "TRY": 0.031,
              "THB": 0.028, "CNY": 0.138, "AED": 0.272, "ILS": 0.27, "HUF": 0.0027}


def _currency_sample(rng):
    src, dst = rng.sample(sorted(_USD_VALUE), 2)
    amount = rng.choice([rng.randint(5, 5000), _money(rng, 1, 2000)])
    rate = float(f"{_USD_VALUE[src] / _USD_VALUE[dst] * rng.uniform(0.9, 1.1):.4g}")
    text = rng.choice(["Convert {a} {s} to {d} at a rate of 1 {s} = {r} {d}.",
                       "{a} {s} in {d} (1 {s} = {r} {d})",
                       "Exchange rate: 1 {s} = {r} {d}. How much is {a} {s}?"]).format(
        a=_num(amount), s=src, d=dst, r=rate)
    return Example(input=text, args=(amount, rate))


CURRENCY = _fam(
    "currency_conversion",
    ["Convert the amount using the given exchange rate.", "How much is this in the other currency?",
     "Apply the exchange rate and give the converted amount.", "Change the money into the target currency."],
    r'''def convert_currency(amount, rate):
    """Convert an amount of money with a rate of 1 source unit = rate target units."""
    # Step 1: Multiply the amount by the rate.
    converted = amount * rate
    # Step 2: Round to cents.
    answer = round(converted, 2)
    return {'amount': amount, 'rate': rate, 'answer': answer}
''',
    _currency_sample,
)


def _simple_interest_sample(rng):
    p = rng.choice([rng.randint(1, 200) * 100, rng.randint(500, 50000)])
    r = rng.choice([1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 12])
    t = rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 0.5, 1.5, 2.5])
    text = rng.choice(["Principal: ${p}, rate: {r}% per year, time: {t} years",
                       "${p} borrowed at {r}% simple interest for {t} years",
                       "P = {p}, R = {r}%, T = {t} years"]).format(p=p, r=_num(r), t=_num(t))
    return Example(input=text, args=(p, r, t))


SIMPLE_INTEREST = _fam(
    "simple_interest",
    ["Compute the simple interest.", "How much simple interest accrues?",
     "Find the simple interest earned over the period.", "Calculate the interest (simple, not compound)."],
    r'''def simple_interest(principal, rate_percent, years):
    """Simple interest: principal x rate x time."""
    # Step 1: Turn the percentage rate into a fraction.
    rate = rate_percent / 100
    # Step 2: Multiply principal, rate and time.
    answer = round(principal * rate * years, 2)
    return {'rate': rate, 'answer': answer}
''',
    _simple_interest_sample,
)


def _compound_sample(rng):
    p = rng.choice([rng.randint(1, 100) * 500, rng.randint(1000, 60000)])
    r = rng.choice([1, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 10])
    t = rng.randint(1, 30)
    freq = rng.choice(["annually", "quarterly", "monthly", "semi-annually"])
    text = rng.choice(["${p:,} invested at {r}% per year compounded {f} for {t} years",
                       "Deposit ${p:,} at an annual rate of {r}%, compounded {f}, for {t} years.",
                       "Principal {p:,}; annual rate {r}%; compounding: {f}; term: {t} years"]).format(
        p=p, r=_num(r), t=t, f=freq)
    return Example(input=text, args=(text,))


COMPOUND = _fam(
    "compound_interest_amount",
    ["What is the final balance with compound interest?", "Compute the amount after compounding.",
     "How much is the investment worth at the end of the term?", "Find the future value of the deposit."],
    r'''import re

def compound_amount(text):
    """Final balance of a deposit with compound interest described in text."""
    # Step 1: Read principal, annual rate and years (commas removed).
    numbers = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text.replace(',', ''))]
    principal, rate, years = numbers[0], numbers[1] / 100, numbers[2]
    # Step 2: Find how many times per year interest is added.
    periods = {'annually': 1, 'semi-annually': 2, 'quarterly': 4, 'monthly': 12}
    n = periods[re.search(r"semi-annually|annually|quarterly|monthly", text).group()]
    # Step 3: Apply the compound interest formula.
    answer = round(principal * (1 + rate / n) ** (n * years), 2)
    return {'periods_per_year': n, 'answer': answer}
''',
    _compound_sample,
)


def _ratio_sample(rng):
    parts = [rng.randint(1, 9) for _ in range(rng.randint(2, 4))]
    amount = rng.choice([sum(parts) * rng.randint(1, 300), rng.randint(50, 10000)])
    names = rng.sample(_PEOPLE, len(parts))
    text = rng.choice(["Split {a} in the ratio {r}.", "Divide ${a} between {n} in the ratio {r}.",
                       "Share {a} in the ratio {r}", "{a} shared {r}"]).format(
        a=amount, r=":".join(map(str, parts)), n=", ".join(names[:-1]) + " and " + names[-1])
    return Example(input=text, args=(text,))


RATIO = _fam(
    "split_amount_in_ratio",
    ["Split the amount in the given ratio.", "How big is each share?",
     "Divide the total according to the ratio and list the shares.", "Share the amount out in proportion."],
    r'''import re

def split_in_ratio(text):
    """Split an amount into shares proportional to a ratio like 2:3:5."""
    # Step 1: Find the ratio and the amount in the text.
    ratio_text = re.search(r"\d+(?::\d+)+", text).group()
    parts = [int(p) for p in ratio_text.split(':')]
    amount = float(re.search(r"\d+", text.replace(ratio_text, '')).group())
    # Step 2: Give each part its fraction of the amount.
    total_parts = sum(parts)
    answer = [round(amount * p / total_parts, 2) for p in parts]
    return {'parts': parts, 'total_parts': total_parts, 'answer': answer}
''',
    _ratio_sample,
)


# --------------------------------------------------------------------------------------------
# Statistics over lists
# --------------------------------------------------------------------------------------------

def _long_list(rng, low=1, high=100, n_low=10, n_high=25):
    return [rng.randint(low, high) for _ in range(rng.randint(n_low, n_high))]


def _mean_sample(rng):
    nums = _long_list(rng, *rng.choice([(1, 100), (0, 20), (50, 500), (-30, 40)]))
    return Example(input=", ".join(map(str, nums)), args=(nums,))


MEAN = _fam(
    "mean_of_list",
    ["Find the average of these numbers.", "Compute the arithmetic mean (2 decimal places).",
     "What is the mean of the list?", "Average the numbers."],
    r'''def mean_of_list(numbers):
    """Arithmetic mean of a list of numbers."""
    # Step 1: Add the numbers and count them.
    total, count = sum(numbers), len(numbers)
    # Step 2: Divide and round.
    answer = round(total / count, 2)
    return {'total': total, 'count': count, 'answer': answer}
''',
    _mean_sample,
)


def _median_sample(rng):
    nums = _long_list(rng, 1, rng.choice([50, 100, 999]), 5, 22)
    label = rng.choice(["Scores", "Test results", "Heights (cm)", "Daily steps (hundreds)", "Prices",
                        "Ages", "Times (s)", "Weights", "Readings", "Points"])
    text = rng.choice(["{l}: {v}", "{v}", "{l} - {v}"]).format(l=label, v=", ".join(map(str, nums)))
    return Example(input=text, args=(text,))


MEDIAN = _fam(
    "median_of_list",
    ["What is the median?", "Find the median value of the numbers.", "Compute the middle value of the data.",
     "Give the median of the list."],
    r'''import re
import statistics

def median_of_text(text):
    """Median of the numbers listed in the text."""
    # Step 1: Extract the numbers.
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    # Step 2: Sort them and take the middle (average of two middles if even).
    ordered = sorted(numbers)
    answer = statistics.median(ordered)
    return {'sorted': ordered, 'answer': answer}
''',
    _median_sample,
)


def _mode_sample(rng):
    top = rng.randint(3, 5)
    values = rng.sample(range(1, 60), rng.randint(4, 9))
    nums = [values[0]] * top
    for v in values[1:]:
        nums += [v] * rng.randint(1, top - 1)
    rng.shuffle(nums)
    return Example(input=" ".join(map(str, nums)), args=(nums,))


MODE = _fam(
    "mode_of_list",
    ["Which number appears most often?", "Find the mode.", "What is the most frequent value?",
     "Give the mode of the numbers."],
    r'''from collections import Counter

def mode_of_list(numbers):
    """Most frequent value in a list."""
    # Step 1: Count how often each value occurs.
    counts = Counter(numbers)
    # Step 2: Take the value with the highest count.
    answer, times = counts.most_common(1)[0]
    return {'times': times, 'answer': answer}
''',
    _mode_sample,
)


def _range_sample(rng):
    nums = _long_list(rng, *rng.choice([(-15, 35), (-5, 20), (0, 100), (100, 999)]), n_low=7, n_high=20)
    label = rng.choice(["Temperatures this week", "Daily lows", "Readings", "Altitudes", "Balances",
                        "Measurements", "Scores", "Changes"])
    text = rng.choice(["{l}: {v}", "{v}"]).format(l=label, v=", ".join(map(str, nums)))
    return Example(input=text, args=(text,))


RANGE = _fam(
    "range_of_list",
    ["What is the range of the values?", "Find the difference between the largest and smallest number.",
     "Compute the range (max minus min).", "How far apart are the highest and lowest values?"],
    r'''import re

def range_of_text(text):
    """Range (largest minus smallest) of the numbers in the text, negatives included."""
    # Step 1: Extract the signed numbers.
    numbers = [int(n) for n in re.findall(r"-?\d+", text)]
    # Step 2: Subtract the minimum from the maximum.
    low, high = min(numbers), max(numbers)
    answer = high - low
    return {'max': high, 'min': low, 'answer': answer}
''',
    _range_sample,
)


def _stdev_sample(rng):
    nums = _long_list(rng, 1, rng.choice([10, 30, 100]), 5, 15)
    return Example(input=", ".join(map(str, nums)), args=(nums,))


STDEV = _fam(
    "population_std_dev",
    ["Compute the population standard deviation (2 decimal places).",
     "What is the population standard deviation of these numbers?",
     "Find how spread out the numbers are (population standard deviation)."],
    r'''import math

def population_std_dev(numbers):
    """Population standard deviation of a list."""
    # Step 1: Find the mean.
    mean = sum(numbers) / len(numbers)
    # Step 2: Average the squared deviations from the mean.
    variance = sum((x - mean) ** 2 for x in numbers) / len(numbers)
    # Step 3: Take the square root.
    answer = round(math.sqrt(variance), 2)
    return {'mean': round(mean, 2), 'variance': round(variance, 2), 'answer': answer}
''',
    _stdev_sample,
)

_COMPONENTS = ["Homework", "Quizzes", "Midterm", "Final exam", "Project", "Lab work", "Participation", "Essay",
               "Presentation", "Portfolio", "Oral exam", "Attendance"]


def _weighted_sample(rng):
    k = rng.randint(2, 5)
    cuts = sorted(rng.sample(range(1, 20), k - 1))
    weights = [(b - a) * 5 for a, b in zip([0] + cuts, cuts + [20])]
    names = rng.sample(_COMPONENTS, k)
    scores = [rng.randint(40, 100) for _ in range(k)]
    text = ", ".join(f"{n} {s} ({w}%)" for n, s, w in zip(names, scores, weights))
    return Example(input=text, args=(text,))


WEIGHTED = _fam(
    "weighted_average_grade",
    ["Compute the weighted average grade.", "What is the overall score given these weights?",
     "Combine the marks using their percentage weights.", "Find the weighted mean of the scores."],
    r'''import re

def weighted_average(text):
    """Weighted average of scores written as 'name score (weight%)'."""
    # Step 1: Extract (score, weight) pairs.
    pairs = [(float(s), float(w)) for s, w in re.findall(r"(\d+(?:\.\d+)?)\s*\((\d+(?:\.\d+)?)%\)", text)]
    # Step 2: Sum score x weight and divide by the total weight.
    total_weight = sum(w for _, w in pairs)
    answer = round(sum(s * w for s, w in pairs) / total_weight, 2)
    return {'pairs': pairs, 'total_weight': total_weight, 'answer': answer}
''',
    _weighted_sample,
)


def _evens_sample(rng):
    nums = _long_list(rng, 1, rng.choice([50, 200, 999]), 10, 20)
    return Example(input=", ".join(map(str, nums)), args=(nums,))


EVENS = _fam(
    "even_numbers_in_list",
    ["List the even numbers.", "Which of these numbers are even?", "Keep only the even numbers, in order.",
     "Pick out the numbers divisible by 2."],
    r'''def even_numbers(numbers):
    """Even numbers of a list, in their original order."""
    # Step 1: Keep each number whose remainder mod 2 is zero.
    evens = [n for n in numbers if n % 2 == 0]
    # Step 2: Count what was kept and what was left out.
    return {'even_count': len(evens), 'odd_count': len(numbers) - len(evens), 'answer': evens}
''',
    _evens_sample,
    answer_format="text",
)


# --------------------------------------------------------------------------------------------
# Number theory and integer facts
# --------------------------------------------------------------------------------------------

def _gcd_sample(rng):
    g = rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 15, 18, 21, 25])
    nums = [g * rng.randint(1, 40) for _ in range(rng.randint(2, 4))]
    return Example(input=rng.choice([", ", " and ", " "]).join(map(str, nums)), args=(nums,))


GCD = _fam(
    "gcd_of_numbers",
    ["Find the greatest common divisor.", "What is the GCD of these numbers?",
     "Compute the highest common factor.", "Give the largest number that divides all of them."],
    r'''def gcd_of_numbers(numbers):
    """Greatest common divisor of a list, by Euclid's algorithm."""
    # Step 1: Start from the first number.
    result = numbers[0]
    # Step 2: Fold in each next number with Euclid's algorithm.
    for n in numbers[1:]:
        a, b = result, n
        while b:
            a, b = b, a % b
        result = a
    return {'numbers': numbers, 'answer': result}
''',
    _gcd_sample,
)


def _lcm_sample(rng):
    a, b = rng.randint(2, 60), rng.randint(2, 60)
    text = rng.choice(["{a} and {b}", "LCM({a}, {b})", "{a}, {b}"]).format(a=a, b=b)
    return Example(input=text, args=(a, b))


LCM = _fam(
    "lcm_of_two_numbers",
    ["Find the least common multiple.", "What is the LCM?", "Give the smallest number both divide into.",
     "Compute the lowest common multiple of the two numbers."],
    r'''import math

def lcm_of_two(a, b):
    """Least common multiple of two positive integers."""
    # Step 1: Find the greatest common divisor.
    g = math.gcd(a, b)
    # Step 2: The LCM is the product divided by the GCD.
    answer = a * b // g
    return {'gcd': g, 'answer': answer}
''',
    _lcm_sample,
)

_PRIMES = [p for p in range(2, 10000) if all(p % d for d in range(2, int(p ** 0.5) + 1))]


def _prime_sample(rng):
    n = rng.choice(_PRIMES) if rng.random() < 0.5 else rng.randint(2, 9999)
    return Example(input=str(n), args=(n,))


PRIME = _fam(
    "prime_check",
    ["Is this number prime? Answer yes or no.", "Decide whether the number is prime.",
     "Prime or not? Reply yes or no.", "Check if the number has no divisors other than 1 and itself."],
    r'''def is_prime(n):
    """Check primality by trial division up to the square root."""
    # Step 1: Numbers below 2 are not prime.
    if n < 2:
        return {'divisor': None, 'answer': 'no'}
    # Step 2: Look for a divisor from 2 up to sqrt(n).
    d = 2
    while d * d <= n:
        if n % d == 0:
            return {'divisor': d, 'answer': 'no'}
        d += 1
    # Step 3: No divisor found, so the number is prime.
    return {'divisor': None, 'answer': 'yes'}
''',
    _prime_sample,
    answer_format="label",
    labels=("yes", "no"),
)


def _factorial_sample(rng):
    n = rng.randint(0, 25)
    return Example(input=rng.choice(["{n}", "{n}!", "n = {n}"]).format(n=n), args=(n,))


FACTORIAL = _fam(
    "factorial",
    ["Compute the factorial.", "What is n factorial?", "Multiply all whole numbers from 1 up to n.",
     "Give the value of n!."],
    r'''def factorial(n):
    """n! as a running product."""
    # Step 1: Start the product at 1 (0! = 1).
    product = 1
    # Step 2: Multiply in every integer from 2 to n.
    for k in range(2, n + 1):
        product *= k
    return {'n': n, 'answer': product}
''',
    _factorial_sample,
)


def _fib_sample(rng):
    n = rng.randint(1, 70)
    return Example(input=rng.choice(["n = {n}", "{n}", "term {n}"]).format(n=n), args=(n,))


FIB = _fam(
    "nth_fibonacci",
    ["Give the n-th Fibonacci number, where F(1) = F(2) = 1.",
     "What is the n-th term of the Fibonacci sequence 1, 1, 2, 3, 5, ...?",
     "Compute Fibonacci number n (the sequence starts 1, 1).",
     "Find term n of the Fibonacci sequence starting 1, 1."],
    r'''def nth_fibonacci(n):
    """n-th Fibonacci number with F(1) = F(2) = 1."""
    # Step 1: Start with the first two terms.
    a, b = 1, 1
    # Step 2: Step forward n - 1 times.
    for _ in range(n - 1):
        a, b = b, a + b
    return {'n': n, 'answer': a}
''',
    _fib_sample,
)


def _digit_sum_sample(rng):
    n = rng.randint(0, 10 ** rng.randint(1, 15))
    return Example(input=str(n), args=(n,))


DIGIT_SUM = _fam(
    "sum_of_digits",
    ["Add up the digits of the number.", "What is the digit sum?", "Compute the sum of all digits.",
     "Sum the individual digits."],
    r'''def sum_of_digits(n):
    """Sum of the decimal digits of a non-negative integer."""
    # Step 1: Split the number into its digits.
    digits = [int(d) for d in str(n)]
    # Step 2: Add them.
    answer = sum(digits)
    return {'digits': digits, 'answer': answer}
''',
    _digit_sum_sample,
)


def _count_digits_sample(rng):
    n = rng.randint(1, 10 ** rng.randint(1, 13))
    style = rng.random()
    text = f"{n:,}" if style < 0.4 else (f"{n:,}".replace(",", " ") if style < 0.6 else str(n))
    if rng.random() < 0.3:
        text = rng.choice(["The population is ", "Total: ", "We counted ", "Distance in metres: "]) + text
    return Example(input=text, args=(text,))


COUNT_DIGITS = _fam(
    "count_digits",
    ["How many digits does the number have?", "Count the digits in the number.",
     "Give the number of digits (ignore separators).", "How many digits long is this number?"],
    r'''import re

def count_digits(text):
    """Number of digits in a number, ignoring thousands separators and other text."""
    # Step 1: Keep only the digit characters.
    digits = re.findall(r"\d", text)
    # Step 2: Count them.
    answer = len(digits)
    return {'digits': ''.join(digits), 'answer': answer}
''',
    _count_digits_sample,
)

_PLACES = {"whole number": 0, "tenth": 1, "hundredth": 2, "thousandth": 3, "ten": -1, "hundred": -2,
           "thousand": -3}


def _round_sample(rng):
    place = rng.choice(sorted(_PLACES))
    dec = rng.randint(max(1, _PLACES[place] + 1), 5)
    number = round(rng.uniform(0, 100000 if _PLACES[place] < 0 else 1000), dec)
    text = rng.choice(["Round {x} to the nearest {p}.", "{x} rounded to the nearest {p}", "{x} (nearest {p})"]
                      ).format(x=repr(number), p=place)
    return Example(input=text, args=(number, place))


ROUNDING = _fam(
    "round_to_place",
    ["Round the number as asked.", "Round to the given place value (halves round up).",
     "What is the number rounded to that place?", "Perform the rounding."],
    r'''from decimal import Decimal, ROUND_HALF_UP

def round_to_place(number, place):
    """Round a number to a named place value, halves rounding up."""
    # Step 1: Turn the place name into a step size.
    steps = {'thousand': '1000', 'hundred': '100', 'ten': '10', 'whole number': '1',
             'tenth': '0.1', 'hundredth': '0.01', 'thousandth': '0.001'}
    step = Decimal(steps[place])
    # Step 2: Count steps, round half up, and scale back.
    rounded = (Decimal(str(number)) / step).quantize(Decimal('1'), rounding=ROUND_HALF_UP) * step
    answer = float(rounded) if step < 1 else int(rounded)
    return {'step': str(step), 'answer': answer}
''',
    _round_sample,
)


def _bin_to_dec_sample(rng):
    n = rng.randint(1, 2 ** rng.randint(3, 16))
    bits = format(n, "b")
    if rng.random() < 0.25:
        bits = "0" * rng.randint(1, 3) + bits
    return Example(input=rng.choice(["{b}", "0b{b}", "binary {b}"]).format(b=bits), args=(bits,))


BIN_TO_DEC = _fam(
    "binary_to_decimal",
    ["Convert the binary number to decimal.", "What is this binary value in base 10?",
     "Translate the base-2 number into an ordinary decimal number.", "Give the decimal value of the bits."],
    r'''def binary_to_decimal(bits):
    """Value of a string of binary digits."""
    # Step 1: Walk over the bits from left to right.
    value = 0
    for bit in bits:
        # Step 2: Shift the running value left and add the bit.
        value = value * 2 + int(bit)
    return {'bits': bits, 'answer': value}
''',
    _bin_to_dec_sample,
)


def _dec_to_bin_sample(rng):
    n = rng.randint(0, 2 ** rng.randint(2, 14))
    return Example(input=str(n), args=(n,))


DEC_TO_BIN = _fam(
    "decimal_to_binary",
    ["Convert the number to binary.", "Write this decimal number in base 2.",
     "What is the binary representation?", "Express the number as binary digits."],
    r'''def decimal_to_binary(n):
    """Binary digits of a non-negative integer by repeated division by 2."""
    # Step 1: Collect remainders while dividing by 2.
    remainders = []
    value = n
    while value > 0:
        value, r = divmod(value, 2)
        remainders.append(str(r))
    # Step 2: Read the remainders backwards (zero is just '0').
    answer = ''.join(reversed(remainders)) or '0'
    return {'remainders': remainders, 'answer': answer}
''',
    _dec_to_bin_sample,
    answer_format="text",
)


def _hex_sample(rng):
    n = rng.randint(1, 16 ** rng.randint(1, 6))
    h = format(n, rng.choice(["x", "X"]))
    text = rng.choice(["{h}", "0x{h}", "#{h}", "hex {h}"]).format(h=h)
    return Example(input=text, args=(text,))


HEX_TO_DEC = _fam(
    "hex_to_decimal",
    ["Convert the hexadecimal number to decimal.", "What is this hex value in base 10?",
     "Give the decimal value of the hexadecimal number.", "Translate from base 16 to base 10."],
    r'''import re

def hex_to_decimal(text):
    """Decimal value of a hexadecimal number written in text."""
    # Step 1: Remove prefixes like '0x', '#' or 'hex' and keep the hex digits.
    digits = re.sub(r"^(0x|#|hex\s*)", "", text.strip().lower())
    # Step 2: Accumulate the value digit by digit.
    value = 0
    for ch in digits:
        value = value * 16 + '0123456789abcdef'.index(ch)
    return {'digits': digits, 'answer': value}
''',
    _hex_sample,
)


def _times_table_sample(rng):
    n, upto = rng.randint(2, 25), rng.randint(5, 15)
    text = rng.choice(["{n} times table up to {u}", "Multiples of {n} from {n} x 1 to {n} x {u}",
                       "table of {n}, 1 to {u}"]).format(n=n, u=upto)
    return Example(input=text, args=(n, upto))


TIMES_TABLE = _fam(
    "multiplication_table_row",
    ["List the row of the multiplication table.", "Write out the times table as a list.",
     "Give the multiples requested.", "Produce the multiplication table row."],
    r'''def times_table(n, upto):
    """n x 1, n x 2, ..., n x upto as a list."""
    # Step 1: Multiply n by each whole number from 1 to upto.
    row = [n * k for k in range(1, upto + 1)]
    # Step 2: Return the list and its last entry.
    return {'last': row[-1], 'answer': row}
''',
    _times_table_sample,
    answer_format="text",
)


def _fraction_sample(rng):
    a, b = rng.randint(1, 15), rng.randint(2, 20)
    if rng.random() < 0.15:
        k = rng.randint(2, 4)
        c, d = a * k, b * k
    else:
        c, d = rng.randint(1, 15), rng.randint(2, 20)
    text = rng.choice(["{a}/{b} or {c}/{d}", "Which is larger: {a}/{b} or {c}/{d}?", "{a}/{b} vs {c}/{d}",
                       "Compare {a}/{b} and {c}/{d}."]).format(a=a, b=b, c=c, d=d)
    return Example(input=text, args=(text,))


FRACTIONS = _fam(
    "compare_two_fractions",
    ["Which fraction is larger? Say 'equal' if they are the same.", "Compare the two fractions.",
     "Give the bigger fraction, or 'equal'.", "Which of the two fractions has the greater value?"],
    r'''import re
from fractions import Fraction

def larger_fraction(text):
    """The larger of two fractions written as a/b, or 'equal'."""
    # Step 1: Extract both fractions.
    (a, b), (c, d) = re.findall(r"(\d+)/(\d+)", text)[:2]
    first, second = Fraction(int(a), int(b)), Fraction(int(c), int(d))
    # Step 2: Compare them exactly.
    if first == second:
        answer = 'equal'
    else:
        answer = f"{a}/{b}" if first > second else f"{c}/{d}"
    return {'first': round(float(first), 4), 'second': round(float(second), 4), 'answer': answer}
''',
    _fraction_sample,
)


def _sci_sample(rng):
    digits = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(rng.randint(0, 3)))
    exp = rng.randint(-9, 12)
    if exp >= 0:
        text = digits + "0" * exp
    else:
        text = "0." + "0" * (-exp - 1) + digits
    return Example(input=text, args=(text,))


SCI = _fam(
    "scientific_notation",
    ["Write the number in scientific notation.", "Express this in the form m x 10^e.",
     "Convert to scientific notation (mantissa between 1 and 10).", "Give the scientific notation."],
    r'''from decimal import Decimal

def scientific_notation(number):
    """Write a decimal number as 'm x 10^e' with 1 <= m < 10."""
    # Step 1: Read the number exactly and find its exponent.
    value = Decimal(number)
    exponent = value.adjusted()
    # Step 2: Scale to a mantissa between 1 and 10 and drop trailing zeros.
    mantissa = value.scaleb(-exponent).normalize()
    answer = f"{mantissa} x 10^{exponent}"
    return {'mantissa': str(mantissa), 'exponent': exponent, 'answer': answer}
''',
    _sci_sample,
    answer_format="text",
)

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
         "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]


def _words_sample(rng):
    n = rng.choice([rng.randint(0, 20), rng.randint(21, 99), rng.randint(100, 999)])
    return Example(input=str(n), args=(n,))


NUMBER_WORDS = _fam(
    "number_to_words",
    ["Spell the number out in English words.", "Write this number in words.",
     "How is this number written in words?", "Convert the digits to English words."],
    r'''def number_to_words(n):
    """Spell a whole number from 0 to 999 in English (no 'and')."""
    # Step 1: Word tables for 0-19 and for the tens.
    ones = ''' + repr(_ONES) + r'''
    tens = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety']
    # Step 2: Split into hundreds and the remaining two digits.
    hundreds, rest = divmod(n, 100)
    # Step 3: Spell each part and join them.
    parts = []
    if hundreds:
        parts.append(ones[hundreds] + ' hundred')
    if rest >= 20:
        parts.append(tens[rest // 10] + ('-' + ones[rest % 10] if rest % 10 else ''))
    elif rest or not hundreds:
        parts.append(ones[rest])
    return {'hundreds': hundreds, 'rest': rest, 'answer': ' '.join(parts)}
''',
    _words_sample,
    answer_format="text",
)

_COUNTABLES = ["eggs", "pencils", "bagels", "cookies", "roses", "nails", "buttons", "muffins", "candles", "apples",
               "screws", "oranges", "donuts", "tulips", "marbles", "envelopes", "crayons", "lemons", "cupcakes",
               "bolts", "beads", "stickers", "tiles", "corks", "sheets of paper", "tennis balls", "light bulbs",
               "bottles", "jars", "napkins"]


def _dozen_sample(rng):
    units = rng.sample(["dozen", "gross", "score"], rng.randint(1, 2))
    parts = [f"{rng.randint(1, 12)} {u}" for u in units]
    if rng.random() < 0.7:
        parts.append(str(rng.randint(1, 11)))
    item = rng.choice(_COUNTABLES)
    body = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    text = rng.choice(["{b} {i}", "We have {b} {i}.", "Order: {b} {i}", "How many {i} is {b}?"]).format(b=body, i=item)
    return Example(input=text, args=(text,))


DOZENS = _fam(
    "count_in_dozens_and_gross",
    ["How many individual items is that?", "Convert the quantity to a plain count (dozen = 12, score = 20, "
     "gross = 144).", "Count the total number of items.", "Turn the dozens, scores and grosses into a single number."],
    r'''import re

def count_items(text):
    """Total item count from quantities like '3 dozen', '2 gross', '1 score' and '7'."""
    # Step 1: Size of each counting word.
    sizes = {'dozen': 12, 'score': 20, 'gross': 144}
    # Step 2: Find each number with its optional counting word.
    found = re.findall(r"(\d+)\s*(dozen|score|gross)?", text)
    # Step 3: Multiply and add up.
    answer = sum(int(n) * sizes.get(word, 1) for n, word in found)
    return {'quantities': found, 'answer': answer}
''',
    _dozen_sample,
)


# --------------------------------------------------------------------------------------------
# Units and geometry
# --------------------------------------------------------------------------------------------

def _temp_sample(rng):
    unit = rng.choice(["C", "F"])
    value = rng.choice([rng.randint(-40, 110), round(rng.uniform(-30, 105), 1)])
    text = rng.choice(["{v}°{u}", "{v} °{u}", "{v} {u}", "Convert {v}°{u}.", "It is {v}°{u} outside.",
                       "The oven is set to {v} {u}."]).format(v=_num(value), u=unit)
    return Example(input=text, args=(text,))


TEMPERATURE = _fam(
    "temperature_conversion",
    ["Convert the temperature to the other scale (Celsius <-> Fahrenheit).",
     "Change Celsius to Fahrenheit or Fahrenheit to Celsius.", "What is this temperature on the other scale?",
     "Convert between Celsius and Fahrenheit (1 decimal place)."],
    r'''import re

def convert_temperature(text):
    """Convert a temperature in text between Celsius and Fahrenheit."""
    # Step 1: Read the signed value and its unit letter.
    match = re.search(r"(-?\d+(?:\.\d+)?)\s*°?\s*([CF])\b", text)
    value, unit = float(match.group(1)), match.group(2)
    # Step 2: Apply the matching formula.
    if unit == 'C':
        target, answer = 'F', round(value * 9 / 5 + 32, 1)
    else:
        target, answer = 'C', round((value - 32) * 5 / 9, 1)
    return {'from': unit, 'to': target, 'answer': answer}
''',
    _temp_sample,
)


def _distance_sample(rng):
    unit = rng.choice(["km", "miles", "mi", "kilometres"])
    value = rng.choice([rng.randint(1, 500), round(rng.uniform(0.5, 200), 1)])
    return Example(input=f"{_num(value)} {unit}", args=(value, unit))


DISTANCE = _fam(
    "km_miles_conversion",
    ["Convert kilometres to miles or miles to kilometres.", "Change the distance to the other unit (km <-> miles).",
     "How far is that in the other unit?", "Convert the distance (2 decimal places)."],
    r'''def convert_distance(value, unit):
    """Convert between kilometres and miles (1 mile = 1.609344 km)."""
    # Step 1: Decide the direction from the unit.
    km_per_mile = 1.609344
    to_miles = unit in ('km', 'kilometres', 'kilometers')
    # Step 2: Divide or multiply by the conversion factor.
    if to_miles:
        target, answer = 'miles', round(value / km_per_mile, 2)
    else:
        target, answer = 'km', round(value * km_per_mile, 2)
    return {'target_unit': target, 'answer': answer}
''',
    _distance_sample,
)


def _weight_sample(rng):
    unit = rng.choice(["kg", "kilograms", "lb", "lbs", "pounds"])
    value = rng.choice([rng.randint(1, 250), round(rng.uniform(0.2, 150), 1)])
    text = rng.choice(["{v} {u}", "Convert {v} {u}.", "The parcel weighs {v} {u}.", "{v}{u}"]).format(
        v=_num(value), u=unit)
    return Example(input=text, args=(text,))


WEIGHT = _fam(
    "kg_pounds_conversion",
    ["Convert the weight between kilograms and pounds.", "Give the weight in the other unit (kg <-> lb).",
     "How much is that in pounds or kilograms?", "Convert the mass (2 decimal places)."],
    r'''import re

def convert_weight(text):
    """Convert a weight in text between kilograms and pounds (1 lb = 0.45359237 kg)."""
    # Step 1: Read the value and its unit.
    match = re.search(r"(\d+(?:\.\d+)?)\s*(kg|kilograms?|lbs?|pounds?)", text)
    value, unit = float(match.group(1)), match.group(2)
    # Step 2: Convert in the right direction.
    kg_per_lb = 0.45359237
    if unit.startswith('k'):
        target, answer = 'lb', round(value / kg_per_lb, 2)
    else:
        target, answer = 'kg', round(value * kg_per_lb, 2)
    return {'value': value, 'to': target, 'answer': answer}
''',
    _weight_sample,
)


def _volume_sample(rng):
    unit = rng.choice(["litres", "L", "gallons", "gal"])
    value = rng.choice([rng.randint(1, 300), round(rng.uniform(0.5, 120), 1)])
    return Example(input=f"{_num(value)} {unit}", args=(value, unit))


VOLUME = _fam(
    "litres_gallons_conversion",
    ["Convert between litres and US gallons.", "Give the volume in the other unit (litres <-> US gallons).",
     "How much is this in US gallons or litres?", "Convert the volume (2 decimal places)."],
    r'''def convert_volume(value, unit):
    """Convert between litres and US gallons (1 gallon = 3.785411784 L)."""
    # Step 1: Decide the direction from the unit.
    litres_per_gallon = 3.785411784
    # Step 2: Divide or multiply by the factor.
    if unit in ('litres', 'liters', 'L', 'l'):
        target, answer = 'gallons', round(value / litres_per_gallon, 2)
    else:
        target, answer = 'litres', round(value * litres_per_gallon, 2)
    return {'target_unit': target, 'answer': answer}
''',
    _volume_sample,
)


def _height_sample(rng):
    cm = rng.choice([rng.randint(50, 215), round(rng.uniform(100, 210), 1)])
    text = rng.choice(["{c} cm", "Height: {c} cm", "She is {c} cm tall.", "{c}cm"]).format(c=_num(cm))
    return Example(input=text, args=(text,))


HEIGHT = _fam(
    "cm_to_feet_inches",
    ["Convert the height to feet and inches.", "How tall is that in feet and inches (nearest inch)?",
     "Express the length in feet and inches.", "Give the height in ft and in."],
    r'''import re

def cm_to_feet_inches(text):
    """Convert centimetres in text to feet and whole inches."""
    # Step 1: Read the length in centimetres.
    cm = float(re.search(r"\d+(?:\.\d+)?", text).group())
    # Step 2: Convert to inches (2.54 cm each) and round to a whole inch.
    inches = round(cm / 2.54)
    # Step 3: Split into feet and remaining inches.
    feet, rest = divmod(inches, 12)
    return {'total_inches': inches, 'answer': f"{feet} ft {rest} in"}
''',
    _height_sample,
    answer_format="text",
)


def _bmi_sample(rng):
    kg = rng.choice([rng.randint(40, 140), round(rng.uniform(40, 130), 1)])
    cm = rng.randint(145, 205)
    text = rng.choice(["Weight: {w} kg, height: {h} cm", "{w} kg, {h} cm", "I weigh {w} kg and am {h} cm tall."]
                      ).format(w=_num(kg), h=cm)
    return Example(input=text, args=(kg, cm))


BMI = _fam(
    "bmi_calculation",
    ["Calculate the body mass index.", "What is the BMI (1 decimal place)?", "Compute BMI from weight and height.",
     "Work out the body mass index for these measurements."],
    r'''def bmi(weight_kg, height_cm):
    """Body mass index = weight / height^2 (kg / m^2), with its standard category."""
    # Step 1: Convert the height to metres.
    height_m = height_cm / 100
    # Step 2: Divide the weight by the squared height.
    value = round(weight_kg / height_m ** 2, 1)
    # Step 3: Place the value in the standard bands.
    category = 'underweight' if value < 18.5 else 'normal' if value < 25 else 'overweight' if value < 30 else 'obese'
    return {'height_m': height_m, 'category': category, 'answer': value}
''',
    _bmi_sample,
)


def _rect_sample(rng):
    length = rng.choice([rng.randint(1, 60), round(rng.uniform(0.5, 40), 1)])
    width = rng.choice([rng.randint(1, 60), round(rng.uniform(0.5, 40), 1)])
    unit = rng.choice(["m", "cm", "ft", "in", "km", "yd", "mm"])
    text = rng.choice(["A rectangle {l} {u} long and {w} {u} wide.", "{l} {u} x {w} {u} rectangle",
                       "length = {l} {u}, width = {w} {u}", "A {l} by {w} {u} room"]).format(
        l=_num(length), w=_num(width), u=unit)
    return Example(input=text, args=(text,))


RECTANGLE = _fam(
    "rectangle_area_and_perimeter",
    ["Find the area of the rectangle.", "What is the rectangle's area?", "Compute length times width.",
     "How much surface does the rectangle cover?"],
    r'''import re

def rectangle_area(text):
    """Area (and perimeter) of a rectangle whose length and width are in the text."""
    # Step 1: Read the two side lengths.
    length, width = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)[:2]]
    # Step 2: Perimeter is twice the sum; area is the product.
    perimeter = round(2 * (length + width), 2)
    answer = round(length * width, 2)
    return {'perimeter': perimeter, 'answer': answer}
''',
    _rect_sample,
)


def _circle_sample(rng):
    r = rng.choice([rng.randint(1, 50), round(rng.uniform(0.1, 30), 2)])
    kind = rng.choice(["radius", "diameter"])
    value = r if kind == "radius" else r * 2
    text = rng.choice(["{k} {v}", "A circle with {k} {v} cm", "{k} = {v}", "circle, {k} {v} m"]).format(
        k=kind, v=_num(round(value, 2)))
    return Example(input=text, args=(text,))


CIRCLE = _fam(
    "circle_area",
    ["Find the area of the circle (2 decimal places).", "What is the circle's area?",
     "Compute the area enclosed by the circle.", "Give pi r squared for this circle."],
    r'''import math
import re

def circle_area(text):
    """Area of a circle given its radius or diameter in text."""
    # Step 1: Read the measurement and whether it is a diameter.
    value = float(re.search(r"\d+(?:\.\d+)?", text).group())
    radius = value / 2 if 'diameter' in text.lower() else value
    # Step 2: Apply pi r^2.
    answer = round(math.pi * radius ** 2, 2)
    return {'radius': radius, 'answer': answer}
''',
    _circle_sample,
)


def _triangle_sample(rng):
    while True:
        a, b, c = (rng.randint(2, 40) for _ in range(3))
        if a + b > c and a + c > b and b + c > a:
            break
    text = rng.choice(["sides {a}, {b} and {c}", "A triangle with sides {a} cm, {b} cm and {c} cm",
                       "a = {a}, b = {b}, c = {c}", "{a}-{b}-{c} triangle"]).format(a=a, b=b, c=c)
    return Example(input=text, args=(text,))


TRIANGLE = _fam(
    "triangle_area_from_sides",
    ["Find the area of the triangle from its three sides (2 decimal places).",
     "Use Heron's formula to compute the area.", "What is the area of this triangle?",
     "Compute the triangle's area given all three side lengths."],
    r'''import math
import re

def triangle_area(text):
    """Area of a triangle from its three side lengths (Heron's formula)."""
    # Step 1: Read the three sides.
    a, b, c = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)[:3]]
    # Step 2: Half the perimeter.
    s = (a + b + c) / 2
    # Step 3: Heron's formula.
    answer = round(math.sqrt(s * (s - a) * (s - b) * (s - c)), 2)
    return {'semi_perimeter': s, 'answer': answer}
''',
    _triangle_sample,
)


def _sdt_sample(rng):
    speed = rng.choice([rng.randint(3, 120), rng.randint(1, 30) * 5])
    time = rng.choice([rng.randint(1, 10), rng.choice([0.5, 1.5, 2.5, 0.25, 0.75, 3.5])])
    dist = round(speed * time, 2)
    given = {"distance": f"distance: {_num(dist)} km", "speed": f"speed: {speed} km/h",
             "time": f"time: {_num(time)} h"}
    missing = rng.choice(["distance", "speed", "time"])
    parts = [v for k, v in given.items() if k != missing]
    rng.shuffle(parts)
    text = rng.choice(["; ", ", ", "\n"]).join(parts)
    if rng.random() < 0.4:
        text = text.replace(": ", " = ")
    return Example(input=text, args=(text,))


SDT = _fam(
    "speed_distance_time",
    ["Find the missing quantity among distance, speed and time.", "Compute whichever of speed, distance or time "
     "is not given.", "Work out the third quantity (km, km/h, h).", "Use distance = speed x time to fill the gap."],
    r'''import re

def speed_distance_time(text):
    """Given two of distance (km), speed (km/h) and time (h), compute the third."""
    # Step 1: Read the given quantities by name.
    known = {k: float(v) for k, v in re.findall(r"(distance|speed|time)\s*[:=]\s*(\d+(?:\.\d+)?)", text)}
    # Step 2: Apply distance = speed x time for the missing one.
    if 'distance' not in known:
        missing, answer = 'distance', known['speed'] * known['time']
    elif 'speed' not in known:
        missing, answer = 'speed', known['distance'] / known['time']
    else:
        missing, answer = 'time', known['distance'] / known['speed']
    return {'known': known, 'missing': missing, 'answer': round(answer, 2)}
''',
    _sdt_sample,
)


# --------------------------------------------------------------------------------------------
# Dates and times
# --------------------------------------------------------------------------------------------

def _hms_sample(rng):
    s = rng.choice([rng.randint(0, 3600), rng.randint(3600, 200000)])
    return Example(input=rng.choice(["{s}", "{s} seconds", "{s} s"]).format(s=s), args=(s,))


HMS = _fam(
    "seconds_to_hms",
    ["Convert the seconds to h:mm:ss.", "Write this number of seconds as hours, minutes and seconds (h:mm:ss).",
     "Express the duration in h:mm:ss format.", "How long is that in hours:minutes:seconds?"],
    r'''def seconds_to_hms(seconds):
    """Format a number of seconds as h:mm:ss."""
    # Step 1: Split off whole hours.
    hours, rest = divmod(seconds, 3600)
    # Step 2: Split the rest into minutes and seconds.
    minutes, secs = divmod(rest, 60)
    answer = f"{hours}:{minutes:02d}:{secs:02d}"
    return {'hours': hours, 'minutes': minutes, 'seconds': secs, 'answer': answer}
''',
    _hms_sample,
    answer_format="text",
)


def _age_sample(rng):
    birth = _date(rng, 1930, 2015)
    on = birth + _dt.timedelta(days=rng.randint(30, 90 * 365))
    if rng.random() < 0.2:  # land near the birthday
        try:
            on = _dt.date(on.year, birth.month, birth.day) + _dt.timedelta(days=rng.choice([-1, 0, 1]))
        except ValueError:
            pass
        if on <= birth:
            on = birth + _dt.timedelta(days=400)
    b, o = birth.isoformat(), on.isoformat()
    text = rng.choice(["Born {b}; how old on {o}?", "Date of birth: {b}\nDate: {o}", "birth {b}, today {o}",
                       "{n} was born on {b}. How old is {n} on {o}?"]).format(b=b, o=o, n=rng.choice(_PEOPLE))
    return Example(input=text, args=(b, o))


AGE = _fam(
    "age_on_date",
    ["How old is the person on the given date?", "Compute the age in whole years.",
     "Work out the age from the birth date and the date given.", "What age (in completed years) is reached?"],
    r'''import datetime

def age_on(birth_date, on_date):
    """Age in completed years on a given date (ISO dates)."""
    # Step 1: Parse both dates.
    birth = datetime.date.fromisoformat(birth_date)
    on = datetime.date.fromisoformat(on_date)
    # Step 2: Difference of years, minus one if the birthday has not come yet that year.
    before_birthday = (on.month, on.day) < (birth.month, birth.day)
    answer = on.year - birth.year - int(before_birthday)
    return {'before_birthday': before_birthday, 'answer': answer}
''',
    _age_sample,
)


def _days_between_sample(rng):
    a = _date(rng, 1990, 2030)
    b = a + _dt.timedelta(days=rng.choice([rng.randint(1, 60), rng.randint(60, 3000)]) * rng.choice([1, -1]))
    fa = f"{_MONTHS[a.month - 1]} {a.day}, {a.year}"
    fb = f"{_MONTHS[b.month - 1]} {b.day}, {b.year}"
    text = rng.choice(["From {a} to {b}", "{a} and {b}", "between {a} and {b}",
                       "The project started on {a} and ended on {b}."]).format(a=fa, b=fb)
    return Example(input=text, args=(text,))


DAYS_BETWEEN = _fam(
    "days_between_dates",
    ["How many days are there between the two dates?", "Count the days from one date to the other.",
     "Compute the number of days separating the dates.", "What is the difference between the dates in days?"],
    r'''import datetime
import re

def days_between(text):
    """Number of days between two dates written like 'March 5, 2021'."""
    # Step 1: Find both dates in the text.
    found = re.findall(r"([A-Z][a-z]+ \d{1,2}, \d{4})", text)
    # Step 2: Parse them with the month-name format.
    first, second = [datetime.datetime.strptime(d, "%B %d, %Y").date() for d in found[:2]]
    # Step 3: Take the absolute difference in days.
    answer = abs((second - first).days)
    return {'first': first.isoformat(), 'second': second.isoformat(), 'answer': answer}
''',
    _days_between_sample,
)


def _leap_sample(rng):
    year = rng.choice([rng.randint(1, 2400), rng.randint(1580, 2200), rng.randint(4, 24) * 100,
                       rng.randint(400, 600) * 4])
    return Example(input=rng.choice(["{y}", "Year {y}", "Is {y} a leap year?"]).format(y=year), args=(year,))


LEAP = _fam(
    "leap_year_check",
    ["Is this a leap year? Answer yes or no.", "Decide whether the year is a leap year (Gregorian rules).",
     "Leap year or not? Reply yes or no.", "Does this year have a February 29?"],
    r'''def is_leap_year(year):
    """Gregorian leap year rule."""
    # Step 1: Check divisibility by 4, 100 and 400.
    by4, by100, by400 = year % 4 == 0, year % 100 == 0, year % 400 == 0
    # Step 2: Leap if divisible by 4 and not by 100, unless divisible by 400.
    leap = by4 and (not by100 or by400)
    return {'div_by_4': by4, 'div_by_100': by100, 'answer': 'yes' if leap else 'no'}
''',
    _leap_sample,
    answer_format="label",
    labels=("yes", "no"),
)


def _to24_sample(rng):
    h, m = rng.randint(1, 12), rng.randint(0, 59)
    ap = rng.choice(["AM", "PM", "am", "pm", "a.m.", "p.m."])
    text = rng.choice(["{h}:{m:02d} {a}", "{h}:{m:02d}{a}", "The meeting is at {h}:{m:02d} {a}.",
                       "Alarm set for {h}:{m:02d} {a}"]).format(h=h, m=m, a=ap)
    return Example(input=text, args=(text,))


TO24 = _fam(
    "clock_12h_to_24h",
    ["Convert the time to 24-hour format.", "Write this time on a 24-hour clock (HH:MM).",
     "What is this in military time?", "Change the AM/PM time to 24-hour notation."],
    r'''import re

def to_24_hour(text):
    """Convert a 12-hour clock time with AM/PM to HH:MM."""
    # Step 1: Read hour, minute and the AM/PM marker.
    match = re.search(r"(\d{1,2}):(\d{2})\s*([AaPp])\.?[Mm]", text)
    hour, minute, half = int(match.group(1)), int(match.group(2)), match.group(3).upper()
    # Step 2: 12 AM is 00; PM adds 12 except for 12 PM.
    hour = hour % 12 + (12 if half == 'P' else 0)
    answer = f"{hour:02d}:{minute:02d}"
    return {'half': half + 'M', 'answer': answer}
''',
    _to24_sample,
    answer_format="text",
)


def _to12_sample(rng):
    h, m = rng.randint(0, 23), rng.randint(0, 59)
    text = rng.choice(["{h:02d}:{m:02d}", "{h}:{m:02d}", "Departure {h:02d}:{m:02d}", "Closes at {h:02d}:{m:02d}."]
                      ).format(h=h, m=m)
    return Example(input=text, args=(text,))


TO12 = _fam(
    "clock_24h_to_12h",
    ["Convert the time to 12-hour format with AM or PM.", "Write this 24-hour time as a 12-hour clock time.",
     "What is this time in AM/PM notation?", "Change the 24-hour time to the 12-hour clock."],
    r'''import re

def to_12_hour(text):
    """Convert a 24-hour HH:MM time to 'h:MM AM/PM'."""
    # Step 1: Read hour and minute.
    hour, minute = [int(n) for n in re.search(r"(\d{1,2}):(\d{2})", text).groups()]
    # Step 2: Pick AM/PM and map 0 and 12 to 12.
    half = 'AM' if hour < 12 else 'PM'
    shown = hour % 12 or 12
    answer = f"{shown}:{minute:02d} {half}"
    return {'hour': hour, 'answer': answer}
''',
    _to12_sample,
    answer_format="text",
)


def _deadline_sample(rng):
    now = _dt.datetime.combine(_date(rng, 2015, 2030), _dt.time(rng.randint(0, 23), rng.choice(range(0, 60, 5))))
    due = now + _dt.timedelta(minutes=rng.randint(1, 24 * 60 * rng.choice([1, 3, 10])) // 5 * 5 + 5)
    fmt = "%Y-%m-%d %H:%M"
    text = rng.choice(["It is now {n}. The deadline is {d}.", "Now: {n}\nDeadline: {d}", "current time {n}, due {d}",
                       "The report is due on {d} and it is {n} right now."]).format(
        n=now.strftime(fmt), d=due.strftime(fmt))
    return Example(input=text, args=(now.strftime(fmt), due.strftime(fmt)))


DEADLINE = _fam(
    "hours_until_deadline",
    ["How many hours are left until the deadline?", "Compute the time remaining in hours (2 decimal places).",
     "How long until it is due, in hours?", "Find the number of hours between now and the deadline."],
    r'''import datetime

def hours_until(now, deadline):
    """Hours from one 'YYYY-MM-DD HH:MM' timestamp to another."""
    # Step 1: Parse both timestamps.
    start = datetime.datetime.strptime(now, "%Y-%m-%d %H:%M")
    end = datetime.datetime.strptime(deadline, "%Y-%m-%d %H:%M")
    # Step 2: Convert the difference to hours.
    minutes = (end - start).total_seconds() / 60
    answer = round(minutes / 60, 2)
    return {'minutes': int(minutes), 'answer': answer}
''',
    _deadline_sample,
)


def _add_days_sample(rng):
    start = _date(rng, 1970, 2035)
    n = rng.choice([rng.randint(1, 40), rng.randint(40, 1000), -rng.randint(1, 400)])
    s = start.isoformat()
    if n >= 0:
        text = rng.choice(["{s} plus {n} days", "{n} days after {s}", "Start: {s}, add {n} days"]).format(s=s, n=n)
    else:
        text = rng.choice(["{s} minus {n} days", "{n} days before {s}"]).format(s=s, n=-n)
    return Example(input=text, args=(s, n))


ADD_DAYS = _fam(
    "add_days_to_date",
    ["Give the resulting date (YYYY-MM-DD).", "What date do you get? Answer in ISO format.",
     "Shift the date by the number of days.", "Compute the new calendar date."],
    r'''import datetime

def add_days(date_text, days):
    """Date that is `days` days after an ISO date (negative = before)."""
    # Step 1: Parse the starting date.
    start = datetime.date.fromisoformat(date_text)
    # Step 2: Add the days as a timedelta and format the result.
    result = start + datetime.timedelta(days=days)
    return {'start': start.isoformat(), 'answer': result.isoformat()}
''',
    _add_days_sample,
    answer_format="text",
)


def _elapsed_sample(rng):
    h1, m1 = rng.randint(0, 23), rng.randint(0, 59)
    h2, m2 = rng.randint(0, 23), rng.randint(0, 59)
    text = rng.choice(["from {a} to {b}", "Shift: {a} - {b}", "Started {a}, finished {b}.",
                       "The train leaves at {a} and arrives at {b}.", "{a} until {b}"]).format(
        a=f"{h1:02d}:{m1:02d}", b=f"{h2:02d}:{m2:02d}")
    return Example(input=text, args=(text,))


ELAPSED = _fam(
    "minutes_between_clock_times",
    ["How many minutes pass between the two times? (If the second is earlier, it is the next day.)",
     "Compute the elapsed time in minutes, wrapping past midnight if needed.",
     "How long is the interval in minutes?", "Find the number of minutes from the first time to the second."],
    r'''import re

def minutes_between(text):
    """Minutes from the first HH:MM to the second, wrapping past midnight."""
    # Step 1: Read both clock times.
    (h1, m1), (h2, m2) = re.findall(r"(\d{1,2}):(\d{2})", text)[:2]
    start, end = int(h1) * 60 + int(m1), int(h2) * 60 + int(m2)
    # Step 2: Take the difference modulo a full day.
    answer = (end - start) % (24 * 60)
    return {'start_minute': start, 'end_minute': end, 'answer': answer}
''',
    _elapsed_sample,
)


FAMILIES = [
    PERCENT_OF, DISCOUNT, TIP_SPLIT, PCT_CHANGE, CURRENCY, SIMPLE_INTEREST, COMPOUND, RATIO,
    MEAN, MEDIAN, MODE, RANGE, STDEV, WEIGHTED, EVENS,
    GCD, LCM, PRIME, FACTORIAL, FIB, DIGIT_SUM, COUNT_DIGITS, ROUNDING, BIN_TO_DEC, DEC_TO_BIN, HEX_TO_DEC,
    TIMES_TABLE, FRACTIONS, SCI, NUMBER_WORDS, DOZENS,
    TEMPERATURE, DISTANCE, WEIGHT, VOLUME, HEIGHT, BMI, RECTANGLE, CIRCLE, TRIANGLE, SDT,
    HMS, AGE, DAYS_BETWEEN, LEAP, TO24, TO12, DEADLINE, ADD_DAYS, ELAPSED,
]
