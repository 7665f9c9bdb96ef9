"""Training families: lists, tables, records, state simulation and logic, all computed in Python."""

from __future__ import annotations

import random

from .base import Example, Family

_NAMES = ["Ana", "Ben", "Chloe", "Dev", "Elif", "Farid", "Grace", "Hugo", "Ines", "Jun", "Kofi", "Lena",
          "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tariq", "Uma", "Viktor", "Wren",
          "Ximena", "Yusuf", "Zara", "Bruno", "Carla", "Dmitri", "Esther", "Felix", "Gita", "Hana",
          "Ivan", "Jonas", "Keiko", "Luis", "Mira"]
_ITEMS = ["notebook", "pencil", "stapler", "mug", "lamp", "backpack", "charger", "blanket", "kettle",
          "towel", "candle", "scarf", "umbrella", "headphones", "water bottle", "toaster", "pillow",
          "frying pan", "desk fan", "keyboard", "mouse pad", "sketchbook", "teapot", "flashlight",
          "yoga mat", "cutting board", "phone case", "wall clock", "doormat", "notepad", "glue stick",
          "marker", "lunch box", "thermos", "bike light", "tape measure"]
_PLURALS = ["lamps", "chairs", "boxes of tea", "bags of rice", "bottles of soap", "helmets", "jackets",
            "batteries", "cables", "printers", "mugs", "tents", "kettles", "rugs", "shovels", "candles",
            "mirrors", "sneakers", "crates of apples", "tins of paint", "rolls of tape", "monitors",
            "pillows", "towels", "blenders", "sleeping bags", "bicycles", "backpacks", "speakers", "hoses"]
_WORDS = ["river", "cat", "mountain", "sky", "bridge", "lantern", "oak", "pebble", "window", "sun",
          "harbor", "ink", "meadow", "tiger", "cloud", "velvet", "ember", "gate", "orchard", "fox",
          "compass", "map", "thunder", "moss", "anchor", "kite", "island", "owl", "saddle", "tea",
          "canyon", "dune", "glacier", "hive", "ivy", "jungle", "kayak", "lily", "marble", "needle",
          "pond", "quartz", "rope", "stone", "trail", "violin", "wagon", "yarn", "zebra", "bee"]
_MEETINGS = ["Standup", "Budget review", "Design sync", "Client call", "Lunch", "Interview", "Retro",
             "Planning", "One-on-one", "Demo", "Training", "Board meeting", "Code review", "Workshop",
             "Team lunch", "Sales pitch", "Vendor call", "Hiring panel", "Town hall", "Brainstorm",
             "Onboarding", "Offsite prep", "Status update", "Marketing sync", "QA review",
             "Roadmap talk", "Coffee chat", "Security briefing", "Product review", "Yoga class"]
_TASKS = ["gather requirements", "write spec", "design schema", "build backend", "build frontend",
          "write tests", "review code", "deploy", "train staff", "order parts", "assemble frame",
          "paint walls", "install wiring", "inspect site", "buy tickets", "pack bags", "book hotel",
          "clean kitchen", "bake bread", "set table", "send invites", "print flyers", "rent venue",
          "hire caterer", "draft report", "edit report", "publish report", "backup data",
          "migrate database", "update docs"]
_THINGS = ["apple", "banana", "cherry", "mango", "pear", "plum", "kiwi", "grape", "lemon", "peach",
           "red", "blue", "green", "yellow", "purple", "orange", "black", "white", "pink", "gray",
           "car", "bus", "bike", "train", "tram", "ferry", "taxi", "scooter", "truck", "van"]
_CANDIDATES = ["Alvarez", "Brooks", "Chen", "Diallo", "Eriksen", "Fontaine", "Gupta", "Haddad",
               "Ivanova", "Jensen", "Kim", "Lopez", "Mensah", "Novak", "Okafor", "Park", "Rossi",
               "Sato", "Tanaka", "Usman", "Varga", "Weber", "Yilmaz", "Zhou", "Moreau", "Silva",
               "Costa", "Berg", "Nakamura", "Ortiz"]


def _list_text(rng: random.Random, values) -> str:
    """Render a list of values in one of several common formats."""
    style = rng.randrange(5)
    vals = [str(v) for v in values]
    if style == 0:
        return ", ".join(vals)
    if style == 1:
        return " ".join(vals)
    if style == 2:
        return "[" + ", ".join(vals) + "]"
    if style == 3:
        return "; ".join(vals)
    return ",".join(vals)


def _nums(rng: random.Random, lo=3, hi=25, a=-20, b=150):
    return [rng.randint(a, b) for _ in range(rng.randint(lo, hi))]


def _fam(name, instructions, programs, sample, fmt="text", labels=()):
    if isinstance(programs, str):
        programs = (programs,)
    return Family(name=name, kind="compute", instructions=tuple(instructions), programs=tuple(programs),
                  sample=sample, answer_format=fmt, labels=tuple(labels))


# 1. Largest / smallest -------------------------------------------------------------------------

def _extreme_sample(rng):
    nums = _nums(rng, 5, 28, -50, 500)
    which = rng.choice(["largest", "smallest"])
    return Example(input=_list_text(rng, nums), args=(nums, which), fields={"which": which})


EXTREME = _fam(
    "list_largest_or_smallest",
    ("Find the {which} number in the list.",
     "Which value in this list is the {which}?",
     "Report the {which} of the given numbers.",
     "Scan the numbers and give the {which} one."),
    (r'''def find_extreme(numbers, which):
    """Find the largest or smallest number in a list by scanning it once."""
    # Step 1: Start with the first number as the best so far.
    best = numbers[0]
    # Step 2: Compare every other number with the best so far.
    for n in numbers[1:]:
        if (which == 'largest' and n > best) or (which == 'smallest' and n < best):
            best = n
    # Step 3: Note where that value first appears (1-based).
    position = numbers.index(best) + 1
    return {'count': len(numbers), 'position': position, 'answer': best}
''',
     r'''def find_extreme(numbers, which):
    """Return the largest or smallest value of a list of numbers."""
    # Step 1: Pick the comparison that matches the request.
    pick = max if which == 'largest' else min
    # Step 2: Apply it to the whole list.
    answer = pick(numbers)
    return {'which': which, 'answer': answer}
'''),
    _extreme_sample, "number")


# 2. Second largest -----------------------------------------------------------------------------

def _second_sample(rng):
    nums = _nums(rng, 5, 24, 0, 300)
    if rng.random() < 0.4:  # add repeats of the maximum
        nums += [max(nums)] * rng.randint(1, 2)
        rng.shuffle(nums)
    if len(set(nums)) < 2:
        nums.append(max(nums) + 7)
    return Example(input=_list_text(rng, nums), args=(nums,))


SECOND = _fam(
    "second_largest_distinct",
    ("Find the second largest distinct value in the list.",
     "What is the second-highest different number here?",
     "Give the runner-up value: the largest number that is smaller than the maximum.",
     "Ignoring repeats, which number is the second biggest?"),
    r'''def second_largest(numbers):
    """Find the second largest distinct value in a list of numbers."""
    # Step 1: Keep each value once.
    distinct = sorted(set(numbers), reverse=True)
    # Step 2: The maximum is first; the next one is the answer.
    largest = distinct[0]
    answer = distinct[1]
    return {'largest': largest, 'distinct_count': len(distinct), 'answer': answer}
''',
    _second_sample, "number")


# 3. Filter even / odd --------------------------------------------------------------------------

def _parity_sample(rng):
    nums = _nums(rng, 6, 26, -30, 200)
    parity = rng.choice(["even", "odd"])
    return Example(input=_list_text(rng, nums), args=(nums, parity), fields={"parity": parity})


PARITY = _fam(
    "filter_even_or_odd",
    ("Keep only the {parity} numbers from the list, in their original order.",
     "List the {parity} values in this sequence.",
     "Filter the list so that only {parity} numbers remain.",
     "Which of these numbers are {parity}? Keep their order."),
    r'''def filter_parity(numbers, parity):
    """Keep only the even or only the odd numbers of a list, preserving order."""
    # Step 1: Decide which remainder we keep when dividing by 2.
    wanted = 0 if parity == 'even' else 1
    # Step 2: Walk the list and keep numbers with that remainder.
    kept = [n for n in numbers if n % 2 == wanted]
    return {'kept_count': len(kept), 'dropped_count': len(numbers) - len(kept), 'answer': kept}
''',
    _parity_sample)


# 4. Count above threshold (raw text) -----------------------------------------------------------

def _above_sample(rng):
    nums = _nums(rng, 6, 25, 0, 100)
    threshold = rng.randint(20, 80)
    head = rng.choice(["Values", "Scores", "Readings", "Data", "Measurements", "Results"])
    tail = rng.choice(["Threshold", "Cutoff", "Limit"])
    text = f"{head}: {', '.join(map(str, nums))}\n{tail}: {threshold}"
    return Example(input=text, args=(text,))


ABOVE = _fam(
    "count_above_threshold",
    ("How many of the values are strictly greater than the threshold?",
     "Count the numbers that exceed the given cutoff.",
     "Count how many entries are above the limit.",
     "Determine the number of readings larger than the threshold."),
    r'''import re

def count_above(text):
    """Count values strictly greater than a threshold, both given in the text."""
    # Step 1: The first line holds the values, the second the threshold.
    values_line, threshold_line = text.strip().split('\n')
    values = [int(v) for v in re.findall(r'-?\d+', values_line)]
    threshold = int(re.findall(r'-?\d+', threshold_line)[0])
    # Step 2: Keep the values above the threshold and count them.
    above = [v for v in values if v > threshold]
    return {'threshold': threshold, 'above': above, 'answer': len(above)}
''',
    _above_sample, "number")


# 5. Running totals -----------------------------------------------------------------------------

def _running_sample(rng):
    nums = _nums(rng, 4, 18, -20, 60)
    return Example(input=_list_text(rng, nums), args=(nums,))


RUNNING = _fam(
    "running_totals",
    ("Compute the running total of the list.",
     "Give the cumulative sums of these numbers.",
     "Replace each number by the sum of itself and everything before it.",
     "Write out the running sum after each value."),
    (r'''def running_totals(numbers):
    """Compute the cumulative sum after each element of a list."""
    # Step 1: Start with a total of zero.
    total = 0
    totals = []
    # Step 2: Add each number in turn and record the total so far.
    for n in numbers:
        total += n
        totals.append(total)
    return {'final_total': total, 'answer': totals}
''',
     r'''import itertools

def running_totals(numbers):
    """Compute the cumulative sum after each element of a list."""
    # Step 1: Accumulate the numbers from left to right.
    totals = list(itertools.accumulate(numbers))
    # Step 2: The last running total is the overall sum.
    return {'final_total': totals[-1], 'answer': totals}
'''),
    _running_sample)


# 6. Sort numbers -------------------------------------------------------------------------------

def _sort_sample(rng):
    if rng.random() < 0.3:
        nums = [round(rng.uniform(-10, 100), 1) for _ in range(rng.randint(4, 15))]
    else:
        nums = _nums(rng, 4, 22, -40, 400)
    order = rng.choice(["ascending", "descending"])
    return Example(input=_list_text(rng, nums), args=(nums, order), fields={"order": order})


SORT = _fam(
    "sort_numbers",
    ("Sort these numbers in {order} order.",
     "Arrange the list of numbers in {order} order.",
     "Put the values in {order} order.",
     "Return the numbers sorted ({order})."),
    r'''def sort_numbers(numbers, order):
    """Sort a list of numbers in ascending or descending order."""
    # Step 1: Decide the direction from the requested order.
    descending = order == 'descending'
    # Step 2: Sort the numbers in that direction.
    answer = sorted(numbers, reverse=descending)
    return {'descending': descending, 'count': len(answer), 'answer': answer}
''',
    _sort_sample)


# 7. Remove duplicates --------------------------------------------------------------------------

def _dedup_sample(rng):
    if rng.random() < 0.5:
        pool = [rng.randint(0, 40) for _ in range(rng.randint(3, 10))]
    else:
        pool = rng.sample(_WORDS + _THINGS, rng.randint(3, 9))
    items = [rng.choice(pool) for _ in range(rng.randint(6, 24))]
    text = _list_text(rng, items)
    return Example(input=text, args=(items,))


DEDUP = _fam(
    "remove_duplicates_keep_order",
    ("Remove the duplicates from the list, keeping the first occurrence of each item.",
     "Deduplicate this list while preserving the original order.",
     "List each distinct item once, in the order it first appears.",
     "Drop repeated entries from the list but keep the order."),
    r'''def remove_duplicates(items):
    """Remove repeated items, keeping each item's first occurrence in order."""
    # Step 1: Walk the list, remembering which items were already seen.
    seen = set()
    unique = []
    for item in items:
        if item not in seen:
            seen.add(item)
            unique.append(item)
    # Step 2: Count how many entries were dropped.
    removed = len(items) - len(unique)
    return {'removed': removed, 'answer': unique}
''',
    _dedup_sample)


# 8. Merge without duplicates / 9. intersection ---------------------------------------------------

def _two_lists(rng):
    if rng.random() < 0.5:
        universe = list(range(1, 60))
    else:
        universe = _WORDS + _THINGS
    a = rng.sample(universe, rng.randint(3, 12))
    b = rng.sample(universe, rng.randint(3, 12))
    if rng.random() < 0.7:
        shared = rng.sample(a, rng.randint(1, min(len(a), 5)))
        b = shared + [x for x in b if x not in shared]
        rng.shuffle(b)
    sep = rng.choice(["\n", "; ", " | "])
    labels = rng.choice([("List A", "List B"), ("First", "Second"), ("A", "B"), ("Group 1", "Group 2")])
    text = f"{labels[0]}: {', '.join(map(str, a))}{sep}{labels[1]}: {', '.join(map(str, b))}"
    return a, b, text


def _merge_sample(rng):
    a, b, text = _two_lists(rng)
    return Example(input=text, args=(a, b))


MERGE = _fam(
    "merge_lists_without_duplicates",
    ("Merge the two lists into one without duplicates: first list order first, then new items from the second.",
     "Combine both lists, keeping each item only once.",
     "Give the union of the two lists, preserving order of first appearance.",
     "Join the lists so that no item repeats."),
    r'''def merge_unique(first, second):
    """Merge two lists, keeping each item once in order of first appearance."""
    # Step 1: Start from the first list with repeats removed.
    merged = []
    for item in first + second:
        # Step 2: Append items from both lists that are not yet present.
        if item not in merged:
            merged.append(item)
    # Step 3: Count how many items came only from the second list.
    added = len(merged) - len(set(first))
    return {'added_from_second': added, 'answer': merged}
''',
    _merge_sample)


def _inter_sample(rng):
    a, b, text = _two_lists(rng)
    return Example(input=text, args=(a, b))


INTERSECT = _fam(
    "list_intersection",
    ("Which items appear in both lists? Keep the order of the first list.",
     "Find the common elements of the two lists.",
     "List the items shared by both lists, in first-list order.",
     "Compute the intersection of these two lists."),
    r'''def common_items(first, second):
    """Find the items present in both lists, in the order of the first list."""
    # Step 1: Put the second list in a set for quick membership tests.
    lookup = set(second)
    # Step 2: Keep items of the first list that are in the second, once each.
    common = []
    for item in first:
        if item in lookup and item not in common:
            common.append(item)
    return {'count': len(common), 'answer': common}
''',
    _inter_sample)


# 10. Inventory events --------------------------------------------------------------------------

def _inventory_sample(rng):
    stock = rng.randint(10, 80)
    what = rng.choice(_PLURALS)
    lines = [rng.choice([f"Starting stock of {what}: {stock}", f"Opening count of {what}: {stock}",
                         f"We begin with {stock} {what}."])]
    level = stock
    for _ in range(rng.randint(4, 9)):
        if level > 0 and rng.random() < 0.55:
            verb = rng.choice(["sold", "sold", "damaged", "shipped out"])
            q = rng.randint(1, max(1, min(level, 25)))
            level -= q
        else:
            verb = rng.choice(["received", "received", "returned", "restocked"])
            q = rng.randint(1, 30)
            level += q
        lines.append(rng.choice([f"{verb.capitalize()} {q}", f"{verb} {q}", f"- {verb} {q}"]))
    text = "\n".join(lines)
    return Example(input=text, args=(text,))


INVENTORY = _fam(
    "inventory_after_events",
    ("Work through the stock events one at a time and report the final stock.",
     "How many units are left after all of these events?",
     "Update the inventory step by step. What is the final count?",
     "Simulate the inventory changes and give the closing stock."),
    r'''import re

def final_stock(log):
    """Simulate an inventory log of incoming and outgoing events."""
    # Step 1: Read the starting stock from the first line.
    lines = log.strip().split('\n')
    stock = int(re.findall(r'\d+', lines[0])[0])
    lowest = stock
    # Step 2: Add incoming quantities and subtract outgoing ones, event by event.
    for line in lines[1:]:
        qty = int(re.findall(r'\d+', line)[0])
        if re.search(r'received|returned|restocked', line, re.I):
            stock += qty
        else:
            stock -= qty
        lowest = min(lowest, stock)
    return {'events': len(lines) - 1, 'lowest': lowest, 'answer': stock}
''',
    _inventory_sample, "number")


# 11. Bank balance ------------------------------------------------------------------------------

def _bank_sample(rng):
    bal = rng.randint(50, 2000)
    lines = [rng.choice([f"Opening balance: ${bal}", f"Start: ${bal}", f"Balance at start of month: ${bal}"])]
    for _ in range(rng.randint(4, 9)):
        cents = rng.choice(["", "", "", ".50", ".25", ".75", ".99"])
        kind = rng.choice(["Deposit", "Deposit", "Withdrawal", "Withdrawal", "Fee", "Interest", "Refund", "Payment"])
        amt = rng.randint(1, 15) if kind in ("Fee", "Interest") else rng.randint(5, 400)
        lines.append(f"{kind} ${amt}{cents}")
    text = "\n".join(lines)
    return Example(input=text, args=(text,))


BANK = _fam(
    "bank_balance_after_transactions",
    ("Apply the transactions in order and give the final balance.",
     "What is the account balance after all of these transactions?",
     "Compute the closing balance of the account.",
     "Track the balance through each transaction and report where it ends."),
    r'''import re

def final_balance(statement):
    """Apply deposits and withdrawals to an opening balance."""
    # Step 1: Read the opening balance.
    lines = statement.strip().split('\n')
    balance = float(re.findall(r'\d+(?:\.\d+)?', lines[0])[0])
    # Step 2: Money in (deposit, interest, refund) adds; everything else subtracts.
    for line in lines[1:]:
        amount = float(re.findall(r'\d+(?:\.\d+)?', line)[0])
        kind = line.split()[0].lower()
        if kind in ('deposit', 'interest', 'refund'):
            balance += amount
        else:
            balance -= amount
    # Step 3: Round to cents.
    answer = round(balance, 2)
    return {'transactions': len(lines) - 1, 'answer': answer}
''',
    _bank_sample, "number")


# 12. Stack -------------------------------------------------------------------------------------

def _stack_sample(rng):
    ops, depth = [], 0
    for _ in range(rng.randint(5, 14)):
        if depth and rng.random() < 0.35:
            ops.append("pop")
            depth -= 1
        else:
            ops.append(f"push {rng.randint(1, 99)}")
            depth += 1
    text = rng.choice([", ", "; ", "\n"]).join(ops)
    return Example(input=text, args=(text,))


STACK = _fam(
    "stack_after_operations",
    ("Start with an empty stack and apply the operations. What does the stack hold at the end (bottom to top)?",
     "Simulate these push and pop operations on a stack and list the remaining items from bottom to top.",
     "Run the stack operations in order; give the final stack contents, bottom first.",
     "After all the pushes and pops, which values remain on the stack (bottom to top)?"),
    r'''import re

def run_stack(ops):
    """Apply push/pop operations to an empty stack."""
    # Step 1: Split the text into individual operations.
    steps = [s.strip() for s in re.split(r'[,;\n]', ops) if s.strip()]
    stack, popped = [], []
    # Step 2: Push adds to the top; pop removes the top item.
    for step in steps:
        if step.startswith('push'):
            stack.append(int(step.split()[1]))
        else:
            popped.append(stack.pop())
    return {'popped': popped, 'top': stack[-1] if stack else None, 'answer': stack}
''',
    _stack_sample)


# 13. Queue -------------------------------------------------------------------------------------

def _queue_sample(rng):
    names = rng.sample(_NAMES, 12)
    ops, size, k = [], 0, 0
    for _ in range(rng.randint(5, 12)):
        if size and rng.random() < 0.35:
            ops.append(rng.choice(["serve", "dequeue"]))
            size -= 1
        elif k < len(names):
            ops.append(f"{names[k]} joins")
            k += 1
            size += 1
    if size == 0:
        ops.append(f"{names[k]} joins")
    text = rng.choice([", then ", ". ", "; "]).join(ops)
    op_word = "serve" if "serve" in text else "dequeue"
    text = text.replace("dequeue", op_word)
    return Example(input=text, args=(text,))


QUEUE = _fam(
    "queue_after_operations",
    ("People join a line and are served from the front. Who is still waiting, front to back?",
     "Simulate the queue and list the people left in line in order.",
     "Process the joins and servings in order. Give the final queue from front to back.",
     "Each 'serve' removes the person at the front. Who remains in the queue?"),
    r'''import re
from collections import deque

def run_queue(events):
    """Simulate a first-in first-out line of people."""
    # Step 1: Split the text into events.
    steps = [s.strip() for s in re.split(r', then |[.;]', events) if s.strip()]
    line, served = deque(), []
    # Step 2: Joining adds to the back; serving removes from the front.
    for step in steps:
        if step.endswith('joins'):
            line.append(step.split()[0])
        else:
            served.append(line.popleft())
    return {'served': served, 'answer': list(line)}
''',
    _queue_sample)


# 14. Robot on a grid ---------------------------------------------------------------------------

def _robot_sample(rng):
    x, y = rng.randint(-5, 5), rng.randint(-5, 5)
    moves = [f"{rng.choice('NESW')}{rng.randint(1, 9)}" for _ in range(rng.randint(3, 10))]
    sep = rng.choice([", ", " ", "; "])
    text = rng.choice(["Start at ({x}, {y}). Moves: {m}", "A robot begins at ({x}, {y}) and moves {m}",
                       "Position ({x}, {y}); instructions: {m}"]).format(x=x, y=y, m=sep.join(moves))
    return Example(input=text, args=(text,))


ROBOT = _fam(
    "robot_grid_position",
    ("N increases y, S decreases y, E increases x, W decreases x. Where does the robot end up?",
     "Follow the compass moves on the grid and give the final (x, y) position (north is +y, east is +x).",
     "Simulate the robot's moves and report its final coordinates.",
     "After all the moves, what are the robot's coordinates? Each letter is a direction and the number is the step count."),
    r'''import re

def robot_position(text):
    """Follow compass moves like N3 or E2 from a starting point on a grid."""
    # Step 1: Read the starting coordinates.
    x, y = [int(v) for v in re.search(r'\((-?\d+),\s*(-?\d+)\)', text).groups()]
    # Step 2: Apply each move: N/S change y, E/W change x.
    deltas = {'N': (0, 1), 'S': (0, -1), 'E': (1, 0), 'W': (-1, 0)}
    moves = re.findall(r'\b([NESW])(\d+)', text)
    for direction, steps in moves:
        dx, dy = deltas[direction]
        x, y = x + dx * int(steps), y + dy * int(steps)
    return {'moves': len(moves), 'answer': [x, y]}
''',
    _robot_sample)


# 15. Elevator ----------------------------------------------------------------------------------

def _elevator_sample(rng):
    floor = rng.randint(0, 10)
    start = floor
    parts = []
    for _ in range(rng.randint(3, 8)):
        if floor > 1 and rng.random() < 0.5:
            n = rng.randint(1, floor)
            floor -= n
            parts.append(f"{rng.choice(['goes', 'moves', 'travels'])} down {n}")
        else:
            n = rng.randint(1, 9)
            floor += n
            parts.append(f"{rng.choice(['goes', 'moves', 'travels'])} up {n}")
    opening = rng.choice(["The elevator starts on floor {s}.", "An elevator is waiting at floor {s}.",
                          "We are on floor {s}."]).format(s=start)
    text = opening + " It " + ", then ".join(parts) + "."
    return Example(input=text, args=(text,))


ELEVATOR = _fam(
    "elevator_final_floor",
    ("On which floor does the elevator end up?",
     "Follow the elevator's trips and give its final floor.",
     "Track the elevator and report the floor it stops on at the end.",
     "What floor is the elevator on after all these moves?"),
    r'''import re

def elevator_floor(story):
    """Track an elevator moving up and down from a starting floor."""
    # Step 1: Read the starting floor.
    floor = int(re.search(r'floor (\d+)', story).group(1))
    highest = floor
    # Step 2: Apply each 'up n' / 'down n' move in order.
    for direction, n in re.findall(r'\b(up|down) (\d+)', story):
        floor += int(n) if direction == 'up' else -int(n)
        highest = max(highest, floor)
    return {'highest_floor': highest, 'answer': floor}
''',
    _elevator_sample, "number")


# 16. Top scorer --------------------------------------------------------------------------------

def _scorer_sample(rng):
    names = rng.sample(_NAMES, rng.randint(4, 10))
    scores = rng.sample(range(10, 100), len(names))
    sep = rng.choice([": ", " - ", " = ", ", "])
    text = "\n".join(f"{n}{sep}{s}" for n, s in zip(names, scores))
    return Example(input=text, args=(text,))


TOP = _fam(
    "top_scorer_from_lines",
    ("Who has the highest score?",
     "Find the top scorer in the list.",
     "Each line gives a name and a score. Which person scored the most?",
     "Name the winner: the person with the largest score."),
    r'''import re

def top_scorer(lines):
    """Parse 'name score' lines and find the person with the highest score."""
    # Step 1: Parse every line into a name and a number.
    scores = {}
    for line in lines.strip().split('\n'):
        name, score = re.match(r'\s*(\w+)\D+(\d+)', line).groups()
        scores[name] = int(score)
    # Step 2: Pick the name with the largest score.
    best = max(scores, key=scores.get)
    return {'players': len(scores), 'top_score': scores[best], 'answer': best}
''',
    _scorer_sample)


# 17 / 18. CSV tables ---------------------------------------------------------------------------

_COLUMNS = ["price", "quantity", "weight", "score", "hours", "points", "sales", "visits", "age", "rating"]


def _table(rng):
    key = rng.choice(["name", "item", "player", "product", "employee"])
    pool = _ITEMS if key in ("item", "product") else _NAMES
    rows = rng.sample(pool, rng.randint(3, 8))
    cols = rng.sample(_COLUMNS, rng.randint(2, 4))
    data = {r: {c: rng.randint(1, 120) for c in cols} for r in rows}
    sep = rng.choice([",", ", "])
    lines = [sep.join([key] + cols)] + [sep.join([r] + [str(data[r][c]) for c in cols]) for r in rows]
    return "\n".join(lines), rows, cols


def _csv_sum_sample(rng):
    text, rows, cols = _table(rng)
    col = rng.choice(cols)
    return Example(input=text, args=(text, col), fields={"column": col})


CSV_SUM = _fam(
    "csv_column_sum",
    ("Add up the values in the {column} column.",
     "What is the total of the {column} column in this table?",
     "Sum the {column} column of the CSV data.",
     "Compute the sum of all {column} values."),
    r'''def column_sum(csv_text, column):
    """Sum one numeric column of a small CSV table."""
    # Step 1: Split into rows and cells; the first row is the header.
    rows = [[cell.strip() for cell in line.split(',')] for line in csv_text.strip().split('\n')]
    header, body = rows[0], rows[1:]
    # Step 2: Find the column and add its values.
    index = header.index(column)
    values = [int(row[index]) for row in body]
    return {'values': values, 'answer': sum(values)}
''',
    _csv_sum_sample, "number")


def _lookup_sample(rng):
    text, rows, cols = _table(rng)
    row, col = rng.choice(rows), rng.choice(cols)
    return Example(input=text, args=(text, row, col), fields={"row": row, "column": col})


LOOKUP = _fam(
    "table_lookup_cell",
    ("Look up the {column} of {row} in the table.",
     "According to the table, what is the {column} for {row}?",
     "Find the {column} value in the row for {row}.",
     "What {column} does the table list for {row}?"),
    r'''def table_lookup(csv_text, row_key, column):
    """Read one cell of a CSV table by row key and column name."""
    # Step 1: Parse the header and the rows.
    rows = [[cell.strip() for cell in line.split(',')] for line in csv_text.strip().split('\n')]
    header = rows[0]
    # Step 2: Find the row whose first cell matches and the column's position.
    row = next(r for r in rows[1:] if r[0] == row_key)
    index = header.index(column)
    return {'row': row, 'column_index': index, 'answer': int(row[index])}
''',
    _lookup_sample, "number")


# 19. Boolean expression with variables ---------------------------------------------------------

def _bool_sample(rng):
    names = rng.sample(list("pqrsxyzabc"), rng.randint(2, 4))
    vals = {n: rng.choice([True, False]) for n in names}
    terms = []
    for _ in range(rng.randint(2, 5)):
        nots = rng.choice(["", "", "not ", "not not "] if rng.random() < 0.1 else ["", "", "not "])
        lit = rng.choice(names + (["True", "False"] if rng.random() < 0.3 else []))
        terms.append(nots + lit)
    expr = terms[0]
    for t in terms[1:]:
        expr += f" {rng.choice(['and', 'or'])} {t}"
    assign = ", ".join(f"{n} = {vals[n]}" for n in names)
    text = f"{assign}\nExpression: {expr}"
    return Example(input=text, args=(text,))


BOOLEXPR = _fam(
    "boolean_expression_with_variables",
    ("Evaluate the boolean expression using the given variable values (not binds tightest, then and, then or).",
     "Given the truth values of the variables, is the expression True or False?",
     "Substitute the variables and work out the value of the logical expression.",
     "Compute the result of the expression with standard precedence: not, then and, then or."),
    r'''def eval_boolean(text):
    """Evaluate an and/or/not expression over named truth values, without eval()."""
    # Step 1: Read the variable assignments from the first line.
    assign_line, expr_line = text.strip().split('\n')
    values = {'True': True, 'False': False}
    for part in assign_line.split(','):
        name, value = [s.strip() for s in part.split('=')]
        values[name] = value == 'True'
    expr = expr_line.split(':', 1)[1].strip()
    # Step 2: 'or' binds loosest: the expression is true if any and-group is true.
    groups = []
    for group in expr.split(' or '):
        # Step 3: Inside a group, every term must be true; each 'not' flips a term.
        terms = []
        for term in group.split(' and '):
            words = term.split()
            value = values[words[-1]]
            terms.append(value if words.count('not') % 2 == 0 else not value)
        groups.append(all(terms))
    return {'groups': groups, 'answer': any(groups)}
''',
    _bool_sample, "label", ("True", "False"))


# 20. All / any / none over statements ----------------------------------------------------------

def _quant_sample(rng):
    names = rng.sample(_NAMES, rng.randint(3, 8))
    verb, unit = rng.choice([("scored", "points"), ("is", "years old"), ("ran", "km"), ("earned", "dollars"),
                             ("read", "books"), ("sold", "tickets")])
    limit = rng.randint(15, 60)
    vals = [rng.randint(limit - 15, limit + 15) for _ in names]
    text = " ".join(f"{n} {verb} {v} {unit}." for n, v in zip(names, vals))
    quant = rng.choice(["all", "any", "none"])
    who = {"all": "everyone", "any": "at least one person", "none": "nobody"}[quant]
    claim = f"{who} {verb} at least {limit} {unit}"
    return Example(input=text, args=(text, quant, limit), fields={"claim": claim})


QUANT = _fam(
    "all_any_none_over_statements",
    ("Based on the statements, is this claim true: {claim}?",
     "Read the facts and decide whether {claim}.",
     "Check the claim against the data: {claim}. Answer True or False.",
     "Does it hold that {claim}?"),
    r'''import re

def check_claim(text, quantifier, limit):
    """Evaluate an all/any/none claim about numbers stated for several people."""
    # Step 1: Extract each person's number from the sentences.
    facts = re.findall(r'([A-Z][a-z]+)\D*?(\d+)', text)
    meets = [int(v) >= limit for _, v in facts]
    # Step 2: Apply the quantifier to the list of checks.
    if quantifier == 'all':
        answer = all(meets)
    elif quantifier == 'any':
        answer = any(meets)
    else:
        answer = not any(meets)
    return {'meets_limit': meets, 'answer': answer}
''',
    _quant_sample, "label", ("True", "False"))


# 21. Overlapping meetings ----------------------------------------------------------------------

def _hm(m):
    return f"{m // 60:02d}:{m % 60:02d}"


def _meet_sample(rng):
    names = rng.sample(_MEETINGS, rng.randint(3, 6))
    lines = []
    style = rng.randrange(2)
    t = rng.randint(32, 40) * 15
    for n in names:
        start = t + rng.choice([-60, -30, -15, 0, 0, 15, 30, 60])
        start = max(start, 7 * 60)
        end = start + rng.choice([30, 45, 60, 90])
        t = end if rng.random() < 0.6 else end + 15
        lines.append(f"{n}: {_hm(start)}-{_hm(end)}" if style == 0 else f"{n} from {_hm(start)} to {_hm(end)}")
    text = "\n".join(lines)
    return Example(input=text, args=(text,))


MEETINGS = _fam(
    "overlapping_meetings",
    ("Which pairs of meetings overlap in time? (Back-to-back meetings do not overlap.)",
     "List every pair of meetings whose time ranges overlap.",
     "Find the scheduling conflicts: pairs of meetings that overlap.",
     "Check the calendar for clashes and give the overlapping pairs."),
    r'''import re

def find_overlaps(schedule):
    """Find pairs of meetings whose time ranges overlap (touching ends do not count)."""
    # Step 1: Parse each line into a name and start/end minutes.
    meetings = []
    for line in schedule.strip().split('\n'):
        m = re.match(r'(.+?):?\s+(?:from\s+)?(\d{1,2}):(\d{2})\s*(?:-|to)\s*(\d{1,2}):(\d{2})', line)
        name, h1, m1, h2, m2 = m.groups()
        meetings.append((name, int(h1) * 60 + int(m1), int(h2) * 60 + int(m2)))
    # Step 2: Two meetings overlap when each starts before the other ends.
    overlaps = []
    for i in range(len(meetings)):
        for j in range(i + 1, len(meetings)):
            a, b = meetings[i], meetings[j]
            if a[1] < b[2] and b[1] < a[2]:
                overlaps.append([a[0], b[0]])
    return {'meetings': len(meetings), 'answer': overlaps}
''',
    _meet_sample)


# 22. Rank players by points --------------------------------------------------------------------

def _rank_sample(rng):
    names = rng.sample(_NAMES, rng.randint(3, 8))
    pts = rng.sample(range(0, 60), len(names))
    fmt = rng.choice(["{n} has {p} points", "{n}: {p} pts", "{n} scored {p}", "{n} - {p}"])
    text = rng.choice([", ", "\n", "; "]).join(fmt.format(n=n, p=p) for n, p in zip(names, pts))
    return Example(input=text, args=(text,))


RANK = _fam(
    "rank_players_by_points",
    ("Rank the players from most points to fewest.",
     "Order the players by their points, highest first.",
     "Produce the leaderboard: names sorted by points in descending order.",
     "List the players from first place to last place."),
    r'''import re

def rank_players(text):
    """Order players by points, highest first."""
    # Step 1: Extract (name, points) pairs.
    pairs = [(name, int(p)) for name, p in re.findall(r'([A-Z][a-z]+)\D*?(\d+)', text)]
    # Step 2: Sort by points descending.
    ranked = sorted(pairs, key=lambda pair: -pair[1])
    return {'leader_points': ranked[0][1], 'answer': [name for name, _ in ranked]}
''',
    _rank_sample)


# 23. Rock paper scissors -----------------------------------------------------------------------

def _rps_sample(rng):
    a, b = rng.sample(_NAMES, 2)
    verb = rng.choice(["chose", "played", "threw"])
    lines = []
    for i in range(rng.randint(3, 7)):
        ma, mb = rng.choice(["rock", "paper", "scissors"]), rng.choice(["rock", "paper", "scissors"])
        lines.append(f"Round {i + 1}: {a} {verb} {ma}, {b} {verb} {mb}")
    text = "\n".join(lines)
    return Example(input=text, args=(text,))


RPS = _fam(
    "rock_paper_scissors_match",
    ("Who won more rounds of rock-paper-scissors? Answer with the name, or 'tie'.",
     "Score the rock-paper-scissors match (rock beats scissors, scissors beats paper, paper beats rock). Who wins overall?",
     "Count round wins for each player and name the match winner (or 'tie').",
     "Decide the winner of this rock-paper-scissors game."),
    r'''import re

def rps_winner(rounds):
    """Score a rock-paper-scissors match round by round."""
    # Step 1: Define which move beats which.
    beats = {'rock': 'scissors', 'scissors': 'paper', 'paper': 'rock'}
    wins = {}
    # Step 2: For each round, find the two moves and credit the winner (draws score nothing).
    for line in rounds.strip().split('\n'):
        (p1, m1), (p2, m2) = re.findall(r'([A-Z][a-z]+) \w+ (rock|paper|scissors)', line)
        wins.setdefault(p1, 0)
        wins.setdefault(p2, 0)
        if beats[m1] == m2:
            wins[p1] += 1
        elif beats[m2] == m1:
            wins[p2] += 1
    # Step 3: Compare the totals.
    (n1, w1), (n2, w2) = wins.items()
    answer = n1 if w1 > w2 else n2 if w2 > w1 else 'tie'
    return {'wins': wins, 'answer': answer}
''',
    _rps_sample)


# 24. Tic-tac-toe -------------------------------------------------------------------------------

_LINES = [(0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8), (0, 4, 8), (2, 4, 6)]


def _ttt_sample(rng):
    board = [None] * 9
    player = rng.choice("XO")
    for _ in range(rng.randint(5, 9)):
        free = [i for i in range(9) if board[i] is None]
        board[rng.choice(free)] = player
        if any(board[a] == board[b] == board[c] == player for a, b, c in _LINES):
            break
        player = "O" if player == "X" else "X"
    empty = rng.choice([".", "_", "-"])
    sep = rng.choice(["", " ", " | "])
    cells = [c or empty for c in board]
    text = "\n".join(sep.join(cells[r * 3:r * 3 + 3]) for r in range(3))
    return Example(input=text, args=(text,))


TTT = _fam(
    "tic_tac_toe_winner",
    ("Who has won this tic-tac-toe board: X, O, or none?",
     "Check the board for three in a row. Answer X, O, or none.",
     "Does either player have a complete row, column or diagonal? Give X, O or none.",
     "Determine the winner of the tic-tac-toe position."),
    r'''def ttt_winner(board):
    """Find the player with three in a row on a 3x3 tic-tac-toe board."""
    # Step 1: Read the nine cells row by row, ignoring separators.
    cells = [c for c in board if c in 'XO.-_']
    # Step 2: Check every row, column and diagonal.
    lines = [(0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8), (0, 4, 8), (2, 4, 6)]
    answer = 'none'
    for a, b, c in lines:
        if cells[a] in 'XO' and cells[a] == cells[b] == cells[c]:
            answer = cells[a]
    return {'filled': sum(c in 'XO' for c in cells), 'answer': answer}
''',
    _ttt_sample, "label", ("X", "O", "none"))


# 25. Majority vote -----------------------------------------------------------------------------

def _vote_sample(rng):
    cands = rng.sample(_CANDIDATES, rng.randint(2, 4))
    while True:
        weights = [rng.random() + 0.2 for _ in cands]
        ballots = rng.choices(cands, weights=weights, k=rng.randint(7, 25))
        counts = sorted((ballots.count(c) for c in cands), reverse=True)
        if counts[0] > counts[1]:
            break
    return Example(input=_list_text(rng, ballots), args=(ballots,))


VOTE = _fam(
    "ballot_vote_winner",
    ("Count the ballots and name the winner.",
     "Each entry is one vote. Which candidate received the most votes?",
     "Tally the votes and report the candidate with the most.",
     "Who wins this election?"),
    r'''from collections import Counter

def vote_winner(ballots):
    """Tally ballots and find the candidate with the most votes."""
    # Step 1: Count the votes for each candidate.
    tally = Counter(ballots)
    # Step 2: The winner has the highest count; check for an absolute majority too.
    winner, votes = tally.most_common(1)[0]
    majority = votes * 2 > len(ballots)
    return {'tally': dict(tally), 'has_majority': majority, 'answer': winner}
''',
    _vote_sample)


# 26. Group words by length ---------------------------------------------------------------------

def _group_sample(rng):
    words = rng.sample(_WORDS, rng.randint(5, 16))
    return Example(input=_list_text(rng, words), args=(words,))


GROUP = _fam(
    "group_words_by_length",
    ("Group the words by their length.",
     "Make a mapping from word length to the words of that length (in input order).",
     "Sort the words into groups by number of letters.",
     "For each length, list the words that have it."),
    r'''def group_by_length(words):
    """Group words by their number of letters."""
    # Step 1: Put each word into the bucket for its length, keeping input order.
    groups = {}
    for word in words:
        groups.setdefault(len(word), []).append(word)
    # Step 2: List the buckets from shortest to longest.
    answer = {length: groups[length] for length in sorted(groups)}
    return {'lengths': sorted(groups), 'answer': answer}
''',
    _group_sample)


# 27. Chunk a list ------------------------------------------------------------------------------

def _chunk_sample(rng):
    items = _nums(rng, 5, 22, 0, 99) if rng.random() < 0.6 else rng.sample(_WORDS, rng.randint(5, 14))
    n = rng.randint(2, 5)
    return Example(input=_list_text(rng, items), args=(items, n), fields={"n": n})


CHUNK = _fam(
    "chunk_list_into_groups",
    ("Split the list into consecutive groups of {n} (the last group may be shorter).",
     "Chunk the items into groups of size {n}.",
     "Break the list into pieces of {n} items each, in order.",
     "Divide the sequence into batches of {n}."),
    r'''def chunk(items, size):
    """Split a list into consecutive chunks of a given size."""
    # Step 1: Take slices starting every `size` positions.
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    # Step 2: Note the size of the final chunk.
    return {'chunks': len(chunks), 'last_size': len(chunks[-1]), 'answer': chunks}
''',
    _chunk_sample)


# 28. Flatten nested list -----------------------------------------------------------------------

def _nest(rng, depth):
    out = []
    for _ in range(rng.randint(1, 4)):
        if depth < 3 and rng.random() < 0.4:
            out.append(_nest(rng, depth + 1))
        else:
            out.append(rng.randint(0, 50))
    return out


def _flatten_sample(rng):
    nested = _nest(rng, 0) + [_nest(rng, 1)] + [rng.randint(0, 50) for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.5:
        nested.append(_nest(rng, 1))
    rng.shuffle(nested)
    return Example(input=repr(nested), args=(nested,))


FLATTEN = _fam(
    "flatten_nested_list",
    ("Flatten the nested list into a single list of numbers, keeping their order.",
     "Remove all nesting from this list.",
     "Give every number from the nested structure in one flat list.",
     "Turn the nested list into a flat list."),
    r'''def flatten(nested):
    """Flatten an arbitrarily nested list, keeping left-to-right order."""
    # Step 1: Walk the structure with a stack of iterators.
    flat, stack, depth = [], [iter(nested)], 1
    while stack:
        # Step 2: Descend into sub-lists; collect plain values.
        for item in stack[-1]:
            if isinstance(item, list):
                stack.append(iter(item))
                depth = max(depth, len(stack))
                break
            flat.append(item)
        else:
            stack.pop()
    return {'max_depth': depth, 'answer': flat}
''',
    _flatten_sample)


# 29. Rotate a list -----------------------------------------------------------------------------

def _rotate_sample(rng):
    items = _nums(rng, 4, 15, 0, 99) if rng.random() < 0.5 else rng.sample(_THINGS, rng.randint(4, 10))
    k = rng.randint(1, len(items) + 3)
    direction = rng.choice(["left", "right"])
    return Example(input=_list_text(rng, items), args=(items, k, direction),
                   fields={"k": k, "direction": direction})


ROTATE = _fam(
    "rotate_list",
    ("Rotate the list {k} positions to the {direction}.",
     "Shift the items {k} places {direction}, wrapping around.",
     "Perform a circular rotation by {k} to the {direction}.",
     "Rotate this sequence {direction} by {k} steps."),
    r'''def rotate(items, k, direction):
    """Rotate a list circularly by k positions left or right."""
    # Step 1: Reduce k modulo the length; a right rotation is a left rotation by n - k.
    n = len(items)
    shift = k % n
    if direction == 'right':
        shift = (n - shift) % n
    # Step 2: Move the first `shift` items to the end.
    answer = items[shift:] + items[:shift]
    return {'effective_left_shift': shift, 'answer': answer}
''',
    _rotate_sample)


# 30. Missing number in an arithmetic sequence ---------------------------------------------------

def _missing_sample(rng):
    start, step, n = rng.randint(-20, 50), rng.choice([1, 2, 3, 4, 5, 7, 10, -3, -5]), rng.randint(6, 16)
    seq = [start + step * i for i in range(n)]
    seq.pop(rng.randint(1, n - 2))
    return Example(input=_list_text(rng, seq), args=(seq,))


MISSING = _fam(
    "missing_term_in_sequence",
    ("One number is missing from this evenly spaced sequence. Which one?",
     "Find the missing term in the arithmetic sequence.",
     "A value was left out of the sequence; give it.",
     "Spot the gap: which number should fill it?"),
    r'''def missing_term(seq):
    """Find the single missing term of an arithmetic sequence (endpoints present)."""
    # Step 1: With one term missing, the span covers len(seq) equal steps.
    step = (seq[-1] - seq[0]) // len(seq)
    # Step 2: Find the first gap that is larger than one step.
    for i in range(len(seq) - 1):
        if seq[i + 1] - seq[i] != step:
            return {'step': step, 'position': i + 2, 'answer': seq[i] + step}
    return {'step': step, 'position': None, 'answer': None}
''',
    _missing_sample, "number")


# 31. Next term of a progression -----------------------------------------------------------------

def _prog_sample(rng):
    n = rng.randint(4, 7)
    if rng.random() < 0.5:
        a, d = rng.randint(-30, 60), rng.choice([x for x in range(-12, 16) if x])
        seq = [a + d * i for i in range(n)]
    else:
        a, r = rng.choice([1, 2, 3, 5, -2, 4, 7]), rng.choice([2, 3, -2, 4, 5])
        n = min(n, 6)
        seq = [a * r ** i for i in range(n)]
    return Example(input=_list_text(rng, seq), args=(seq,))


PROG = _fam(
    "progression_next_term",
    ("Is this sequence arithmetic or geometric? Give the next term.",
     "Identify the pattern (common difference or common ratio) and continue the sequence by one term.",
     "What number comes next in the progression?",
     "Find the next term of the sequence."),
    r'''from fractions import Fraction

def next_term(seq):
    """Detect an arithmetic or geometric progression and extend it by one term."""
    # Step 1: Check for a constant difference.
    diffs = {b - a for a, b in zip(seq, seq[1:])}
    if len(diffs) == 1:
        d = diffs.pop()
        return {'kind': 'arithmetic', 'step': d, 'answer': seq[-1] + d}
    # Step 2: Otherwise check for a constant ratio.
    ratios = {Fraction(b, a) for a, b in zip(seq, seq[1:])}
    r = ratios.pop()
    value = seq[-1] * r
    return {'kind': 'geometric', 'step': int(r) if r.denominator == 1 else float(r),
            'answer': int(value) if value.denominator == 1 else float(value)}
''',
    _prog_sample, "number")


# 32. Pairs summing to target -------------------------------------------------------------------

def _pairs_sample(rng):
    nums = _nums(rng, 5, 16, 0, 30)
    target = rng.choice(nums) + rng.choice(nums) if rng.random() < 0.8 else rng.randint(5, 60)
    return Example(input=_list_text(rng, nums), args=(nums, target), fields={"target": target})


PAIRS = _fam(
    "count_pairs_with_sum",
    ("How many pairs of positions in the list have values adding up to {target}?",
     "Count the pairs (i < j) whose elements sum to {target}.",
     "In how many ways can two different entries be chosen so their sum is {target}?",
     "Find the number of index pairs summing to {target}."),
    r'''from itertools import combinations

def count_pairs(numbers, target):
    """Count index pairs i < j whose values sum to a target."""
    # Step 1: Look at every pair of positions once.
    pairs = [(a, b) for a, b in combinations(numbers, 2) if a + b == target]
    # Step 2: The answer is how many pairs matched.
    return {'pairs': pairs[:5], 'answer': len(pairs)}
''',
    _pairs_sample, "number")


# 33. Longest increasing run --------------------------------------------------------------------

def _run_sample(rng):
    nums = _nums(rng, 6, 24, 0, 60)
    return Example(input=_list_text(rng, nums), args=(nums,))


RUN = _fam(
    "longest_increasing_run",
    ("Find the longest run of consecutive strictly increasing numbers.",
     "What is the longest contiguous stretch where each number is bigger than the one before?",
     "Give the longest strictly increasing run in the list (the first one if tied).",
     "Locate the longest streak of rising values."),
    r'''def longest_run(numbers):
    """Find the longest contiguous strictly increasing run (first one on ties)."""
    # Step 1: Extend the current run while values keep rising.
    best, current = [numbers[0]], [numbers[0]]
    for n in numbers[1:]:
        current = current + [n] if n > current[-1] else [n]
        # Step 2: Remember the longest run seen so far.
        if len(current) > len(best):
            best = current
    return {'length': len(best), 'answer': best}
''',
    _run_sample)


# 34. Is the list sorted ------------------------------------------------------------------------

def _sorted_sample(rng):
    nums = sorted(_nums(rng, 5, 20, -20, 200))
    if rng.random() < 0.5:
        nums.reverse()
        order = "descending"
    else:
        order = "ascending"
    if rng.random() < 0.5:
        i = rng.randrange(len(nums) - 1)
        j = rng.randrange(i + 1, len(nums))
        nums[i], nums[j] = nums[j], nums[i]
    return Example(input=_list_text(rng, nums), args=(nums, order), fields={"order": order})


SORTED = _fam(
    "is_list_sorted",
    ("Is the list sorted in {order} order (ties allowed)? Answer yes or no.",
     "Check whether the numbers are in {order} order.",
     "Are these values arranged in {order} order?",
     "Verify that the sequence is {order}. Yes or no?"),
    r'''def is_sorted(numbers, order):
    """Check whether a list is in ascending or descending order (equal neighbours allowed)."""
    # Step 1: Compare each number with its right neighbour.
    bad = None
    for i in range(len(numbers) - 1):
        a, b = numbers[i], numbers[i + 1]
        if (order == 'ascending' and a > b) or (order == 'descending' and a < b):
            # Step 2: Stop at the first pair in the wrong order.
            bad = i + 1
            break
    return {'first_violation_position': bad, 'answer': 'yes' if bad is None else 'no'}
''',
    _sorted_sample, "label", ("yes", "no"))


# 35. Matrix transpose --------------------------------------------------------------------------

def _matrix(rng):
    r, c = rng.randint(2, 4), rng.randint(2, 5)
    return [[rng.randint(-9, 30) for _ in range(c)] for _ in range(r)]


def _transpose_sample(rng):
    m = _matrix(rng)
    sep = rng.choice([" ", ", ", "\t"])
    text = "\n".join(sep.join(map(str, row)) for row in m)
    return Example(input=text, args=(text,))


TRANSPOSE = _fam(
    "matrix_transpose",
    ("Transpose the matrix (rows become columns).",
     "Give the transpose of this grid of numbers as a list of rows.",
     "Swap rows and columns of the matrix.",
     "Write the matrix transposed."),
    r'''import re

def transpose(text):
    """Parse a matrix written one row per line and transpose it."""
    # Step 1: Parse each line into a row of integers.
    rows = [[int(v) for v in re.findall(r'-?\d+', line)] for line in text.strip().split('\n')]
    # Step 2: Column j of the input becomes row j of the output.
    answer = [[row[j] for row in rows] for j in range(len(rows[0]))]
    return {'shape': [len(rows), len(rows[0])], 'answer': answer}
''',
    _transpose_sample)


# 36. Row / column sums -------------------------------------------------------------------------

def _sums_sample(rng):
    m = _matrix(rng)
    axis = rng.choice(["row", "column"])
    return Example(input=repr(m), args=(m, axis), fields={"axis": axis})


SUMS = _fam(
    "matrix_row_or_column_sums",
    ("Compute the sum of each {axis} of the matrix.",
     "Give the {axis} totals of this table of numbers.",
     "What does each {axis} add up to?",
     "List the {axis} sums, in order."),
    r'''def line_sums(matrix, axis):
    """Sum each row or each column of a matrix."""
    # Step 1: For columns, regroup the values column by column.
    lines = matrix if axis == 'row' else [list(col) for col in zip(*matrix)]
    # Step 2: Add up each line.
    answer = [sum(line) for line in lines]
    return {'lines': len(lines), 'grand_total': sum(answer), 'answer': answer}
''',
    _sums_sample)


# 37. Frequency table ---------------------------------------------------------------------------

def _freq_sample(rng):
    group = rng.randrange(3)
    pool = rng.sample(_THINGS[group * 10:(group + 1) * 10], rng.randint(2, 6))
    items = [rng.choice(pool) for _ in range(rng.randint(6, 25))]
    return Example(input=_list_text(rng, items), args=(items,))


FREQ = _fam(
    "frequency_table",
    ("Build a frequency table: how many times does each item appear?",
     "Count the occurrences of every item, in order of first appearance.",
     "Tally the list.",
     "Make a count of each distinct entry."),
    r'''def frequency_table(items):
    """Count how many times each item appears, in order of first appearance."""
    # Step 1: Walk the list and increment a counter per item.
    counts = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    # Step 2: Also note the most frequent item.
    most = max(counts, key=counts.get)
    return {'distinct': len(counts), 'most_common': most, 'answer': counts}
''',
    _freq_sample)


# 38. Shopping cart total -----------------------------------------------------------------------

def _cart_sample(rng):
    lines = []
    for item in rng.sample(_ITEMS, rng.randint(2, 7)):
        q = rng.randint(1, 6)
        price = rng.choice([rng.randint(1, 40), round(rng.uniform(0.5, 30), 2)])
        lines.append(rng.choice(["{q} x {i} @ ${p}", "{i} x{q} @ {p}", "{q} x {i} @ {p}"]).format(
            q=q, i=item, p=f"{price:.2f}" if isinstance(price, float) else price))
    text = "\n".join(lines)
    return Example(input=text, args=(text,))


CART = _fam(
    "shopping_cart_total",
    ("Compute the total cost of the cart.",
     "Each line is quantity x item @ unit price. What is the cart total?",
     "How much does everything in the cart cost altogether?",
     "Add up the order: quantity times price for each line."),
    r'''import re

def cart_total(cart):
    """Total a cart whose lines look like 'qty x item @ price'."""
    # Step 1: For each line read the quantity and the unit price.
    total, units = 0.0, 0
    for line in cart.strip().split('\n'):
        before, price = line.split('@')
        qty = int(re.findall(r'\d+', before)[0])
        # Step 2: Add quantity times price to the running total.
        total += qty * float(price.strip().lstrip('$'))
        units += qty
    # Step 3: Round to cents.
    return {'units': units, 'answer': round(total, 2)}
''',
    _cart_sample, "number")


# 39. Task order with dependencies --------------------------------------------------------------

def _topo_sample(rng):
    tasks = rng.sample(_TASKS, rng.randint(4, 7))
    order = tasks[:]
    rng.shuffle(order)  # a hidden valid order
    rules = set()
    for _ in range(rng.randint(2, len(tasks) + 2)):
        i, j = sorted(rng.sample(range(len(order)), 2))
        rules.add((order[i], order[j]))
    rules = sorted(rules)  # a set's order depends on the hash seed: sort, then shuffle
    rng.shuffle(rules)
    phr = rng.choice(["{a} must come before {b}", "{b} depends on {a}", "{a} before {b}"])
    text = "Tasks: " + ", ".join(tasks) + "\n" + "\n".join(phr.format(a=a, b=b) for a, b in rules)
    return Example(input=text, args=(text,))


TOPO = _fam(
    "task_order_with_dependencies",
    ("Give an order to do the tasks that respects every rule. When several tasks are ready, pick the one listed first.",
     "Schedule the tasks so prerequisites come first; break ties by the order in the task list.",
     "Find a valid task order (ties go to the earliest listed task).",
     "In what order should the tasks be done? Respect the dependencies, and prefer earlier-listed tasks when free to choose."),
    r'''import re

def schedule(text):
    """Order tasks so every prerequisite comes first, breaking ties by list order."""
    # Step 1: Read the task list and the prerequisite rules.
    lines = text.strip().split('\n')
    tasks = [t.strip() for t in lines[0].split(':', 1)[1].split(',')]
    needs = {t: set() for t in tasks}
    for rule in lines[1:]:
        m = re.match(r'(.+?) (must come before|before|depends on) (.+)', rule)
        a, kind, b = m.groups()
        if kind == 'depends on':
            a, b = b, a
        needs[b].add(a)
    # Step 2: Repeatedly take the first listed task whose prerequisites are all done.
    done = []
    while len(done) < len(tasks):
        ready = [t for t in tasks if t not in done and needs[t] <= set(done)]
        done.append(ready[0])
    return {'rules': len(lines) - 1, 'answer': done}
''',
    _topo_sample)


# 40. Parking lot peak --------------------------------------------------------------------------

def _parking_sample(rng):
    cars = rng.randint(0, 20)
    lines = [rng.choice([f"At opening there are {cars} cars.", f"Start: {cars} cars parked."])]
    t = rng.randint(6, 9) * 60
    for _ in range(rng.randint(4, 9)):
        t += rng.choice([10, 15, 20, 30, 45, 60])
        if cars and rng.random() < 0.45:
            n = rng.randint(1, cars)
            cars -= n
            lines.append(f"{_hm(t)} {n} {'car leaves' if n == 1 else 'cars leave'}")
        else:
            n = rng.randint(1, 12)
            cars += n
            lines.append(f"{_hm(t)} {n} {'car enters' if n == 1 else 'cars enter'}")
    text = "\n".join(lines)
    return Example(input=text, args=(text,))


PARKING = _fam(
    "parking_lot_peak_occupancy",
    ("What was the largest number of cars in the lot at any moment?",
     "Track the parking lot through the log and give its peak occupancy.",
     "Simulate arrivals and departures; report the maximum number of parked cars.",
     "Find the busiest moment: how many cars were parked at the peak?"),
    r'''import re

def peak_occupancy(log):
    """Track cars entering and leaving a lot and find the peak count."""
    # Step 1: Read the starting count.
    lines = log.strip().split('\n')
    cars = int(re.findall(r'\d+', lines[0])[0])
    peak, peak_time = cars, 'start'
    # Step 2: Apply each event and remember the highest count and when it happened.
    for line in lines[1:]:
        time, n = re.match(r'(\d{2}:\d{2}) (\d+)', line).groups()
        cars += int(n) if 'enter' in line else -int(n)
        if cars > peak:
            peak, peak_time = cars, time
    return {'final': cars, 'peak_time': peak_time, 'answer': peak}
''',
    _parking_sample, "number")


# 41. Best average student ----------------------------------------------------------------------

def _avg_sample(rng):
    while True:
        names = rng.sample(_NAMES, rng.randint(3, 6))
        marks = {n: [rng.randint(50, 100) for _ in range(rng.randint(2, 5))] for n in names}
        avgs = sorted((sum(v) / len(v) for v in marks.values()), reverse=True)
        if avgs[0] - avgs[1] > 1e-9:
            break
    text = "\n".join(f"{n}: {', '.join(map(str, marks[n]))}" for n in names)
    return Example(input=text, args=(text,))


AVG = _fam(
    "best_average_student",
    ("Each line lists a student's marks. Who has the highest average?",
     "Find the student with the best mean mark.",
     "Compute every student's average and name the top one.",
     "Which student's marks average out highest?"),
    r'''def best_average(records):
    """Find the student whose marks have the highest average."""
    # Step 1: Parse each 'name: m1, m2, ...' line and average the marks.
    averages = {}
    for line in records.strip().split('\n'):
        name, marks = line.split(':')
        values = [int(m) for m in marks.split(',')]
        averages[name.strip()] = sum(values) / len(values)
    # Step 2: Pick the highest average.
    best = max(averages, key=averages.get)
    return {'best_average': round(averages[best], 2), 'answer': best}
''',
    _avg_sample)


# 42. Count increases ---------------------------------------------------------------------------

def _incr_sample(rng):
    temps = [rng.randint(-5, 35)]
    for _ in range(rng.randint(5, 20)):
        temps.append(temps[-1] + rng.randint(-6, 6))
    return Example(input=_list_text(rng, temps), args=(temps,))


INCR = _fam(
    "count_increases_over_previous",
    ("These are daily readings. On how many days was the value higher than the day before?",
     "Count how many numbers are larger than the number just before them.",
     "How many times does the sequence go up from one entry to the next?",
     "Count the day-over-day increases in the list."),
    r'''def count_increases(values):
    """Count positions where a value is higher than the previous one."""
    # Step 1: Compare each value with its predecessor.
    changes = [b - a for a, b in zip(values, values[1:])]
    # Step 2: Count the positive changes.
    answer = sum(1 for c in changes if c > 0)
    return {'comparisons': len(changes), 'decreases': sum(1 for c in changes if c < 0), 'answer': answer}
''',
    _incr_sample, "number")


# 43. Water tank with capacity ------------------------------------------------------------------

def _tank_sample(rng):
    cap = rng.choice([50, 80, 100, 120, 150, 200, 250])
    level = rng.randint(0, cap)
    lines = [f"Capacity: {cap} L. Starting level: {level} L."]
    for _ in range(rng.randint(4, 8)):
        verb = rng.choice(["fill", "drain", "fill", "drain", "add", "use"])
        lines.append(f"{verb} {rng.randint(5, cap // 2 + 20)}")
    text = "\n".join(lines)
    return Example(input=text, args=(text,))


TANK = _fam(
    "water_tank_level",
    ("Water above the capacity spills over and the level cannot drop below 0. What is the final level?",
     "Simulate the tank step by step (it overflows at capacity and cannot go negative). Give the final amount.",
     "After all the fills and drains, how many litres remain in the tank? Excess spills; an empty tank stays at 0.",
     "Track the tank level, capping it between 0 and the capacity."),
    r'''import re

def tank_level(log):
    """Simulate a tank that overflows at capacity and cannot go below empty."""
    # Step 1: Read the capacity and the starting level.
    lines = log.strip().split('\n')
    capacity, level = [int(n) for n in re.findall(r'\d+', lines[0])]
    spilled = 0
    # Step 2: Add for fill/add, subtract for drain/use, then clamp to [0, capacity].
    for line in lines[1:]:
        verb, amount = line.split()
        level += int(amount) if verb in ('fill', 'add') else -int(amount)
        if level > capacity:
            spilled += level - capacity
            level = capacity
        level = max(level, 0)
    return {'capacity': capacity, 'spilled': spilled, 'answer': level}
''',
    _tank_sample, "number")


# 44. Key-value store commands -----------------------------------------------------------------

def _kv_sample(rng):
    keys = rng.sample(["apples", "pens", "cups", "books", "tokens", "coins", "seats", "boxes", "cards",
                       "bolts", "eggs", "keys", "stamps", "tiles", "jars"], rng.randint(2, 4))
    store = {}
    cmds = []
    for _ in range(rng.randint(4, 10)):
        k = rng.choice(keys)
        if k in store:
            op = rng.choice(["ADD", "SUB", "SET", "DEL"] if rng.random() < 0.3 else ["ADD", "SUB", "SET"])
        else:
            op = "SET"
        if op == "DEL":
            cmds.append(f"DEL {k}")
            del store[k]
        else:
            v = rng.randint(1, 30)
            cmds.append(f"{op} {k} {v}")
            store[k] = v if op == "SET" else store[k] + v if op == "ADD" else store[k] - v
    text = "\n".join(cmds)
    return Example(input=text, args=(text,))


KV = _fam(
    "key_value_store_commands",
    ("Run the commands on an empty key-value store (SET, ADD, SUB, DEL) and give its final contents.",
     "Simulate these store commands in order. What does the store hold at the end?",
     "Apply each SET/ADD/SUB/DEL command and report the final mapping.",
     "Starting from nothing, execute the commands and show the resulting key-value pairs."),
    r'''def run_store(commands):
    """Execute SET/ADD/SUB/DEL commands on an empty key-value store."""
    # Step 1: Start with an empty store.
    store = {}
    # Step 2: Apply each command in order.
    for line in commands.strip().split('\n'):
        parts = line.split()
        op, key = parts[0], parts[1]
        if op == 'SET':
            store[key] = int(parts[2])
        elif op == 'ADD':
            store[key] += int(parts[2])
        elif op == 'SUB':
            store[key] -= int(parts[2])
        elif op == 'DEL':
            del store[key]
    return {'keys': len(store), 'answer': store}
''',
    _kv_sample)


# 45. Trace variable assignments ----------------------------------------------------------------

def _trace_sample(rng):
    names = rng.sample(list("abcdxyzmnpqt"), rng.randint(2, 4))
    env, stmts = {}, []
    for name in names[:2]:
        v = rng.randint(0, 12)
        env[name] = v
        stmts.append(f"{name} = {v}")
    for _ in range(rng.randint(2, 6)):
        target = rng.choice(names)
        left = rng.choice(list(env))
        op = rng.choice(["+", "-", "*"])
        right = rng.choice(list(env) + [str(rng.randint(1, 9))])
        rv = env[right] if right in env else int(right)
        val = env[left] + rv if op == "+" else env[left] - rv if op == "-" else env[left] * rv
        if abs(val) > 10000:
            continue
        env[target] = val
        stmts.append(f"{target} = {left} {op} {right}")
    var = rng.choice(list(env))
    text = rng.choice(["\n", "; "]).join(stmts)
    return Example(input=text, args=(text, var), fields={"var": var})


TRACE = _fam(
    "trace_variable_assignments",
    ("What is the value of {var} after these statements run in order?",
     "Trace the assignments step by step and give the final value of {var}.",
     "Execute the statements mentally. What does {var} hold at the end?",
     "After the last line, what is {var}?"),
    r'''import re

def trace(code, target):
    """Run simple assignments of the form 'x = y op z' step by step."""
    # Step 1: Start with no variables and split the code into statements.
    env = {}
    statements = [s.strip() for s in re.split(r'[;\n]', code) if s.strip()]
    # Step 2: Evaluate each right-hand side with the current values, then assign.
    for stmt in statements:
        name, expr = [s.strip() for s in stmt.split('=')]
        tokens = expr.split()
        value = env[tokens[0]] if tokens[0] in env else int(tokens[0])
        if len(tokens) == 3:
            right = env[tokens[2]] if tokens[2] in env else int(tokens[2])
            op = tokens[1]
            value = value + right if op == '+' else value - right if op == '-' else value * right
        env[name] = value
    return {'statements': len(statements), 'final_values': env, 'answer': env[target]}
''',
    _trace_sample, "number")


FAMILIES = [
    EXTREME, SECOND, PARITY, ABOVE, RUNNING, SORT, DEDUP, MERGE, INTERSECT, INVENTORY, BANK, STACK, QUEUE,
    ROBOT, ELEVATOR, TOP, CSV_SUM, LOOKUP, BOOLEXPR, QUANT, MEETINGS, RANK, RPS, TTT, VOTE, GROUP, CHUNK,
    FLATTEN, ROTATE, MISSING, PROG, PAIRS, RUN, SORTED, TRANSPOSE, SUMS, FREQ, CART, TOPO, PARKING, AVG,
    INCR, TANK, KV, TRACE,
]
