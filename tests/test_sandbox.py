"""Functional tests of the program sandbox (cogex.execute.sandbox)."""

from __future__ import annotations

import textwrap

import pytest

from cogex.sandbox import client as sandbox
from cogex.sandbox import (
    PendingCall,
    SandboxLimits,
    SandboxResult,
    run_call,
    run_calls,
    undefined_functions,
)

SORT_WORDS = textwrap.dedent('''
    import math
    def sort_words(words):
        """Sort words alphabetically."""
        # Step 1: Sort the words.
        sorted_words = sorted(words)
        # Step 2: Ask a helper for a judgement (undefined function, known only by name).
        mood = guess_mood(' '.join(words))
        return {'sorted_words': sorted_words, 'mood': mood, 'answer': ' '.join(sorted_words)}
''')


def run1(program: str, call: str, **kw) -> SandboxResult:
    return run_calls(textwrap.dedent(program), [call], **kw)[0]


@pytest.fixture
def spawn_counter(monkeypatch):
    """Counts sandbox child processes started."""
    count = {"n": 0}
    original = sandbox._Child.__init__

    def counting_init(self, *args, **kwargs):
        count["n"] += 1
        original(self, *args, **kwargs)

    monkeypatch.setattr(sandbox._Child, "__init__", counting_init)
    return count


# --------------------------------------------------------------------------------------
# isolation really active
# --------------------------------------------------------------------------------------

def test_isolation_layers_are_active_and_verified():
    report = sandbox._probe_isolation()
    assert report["verified"] == {"seccomp": True, "no_new_privs": True, "netns": True,
                                  "unprivileged": True}
    assert report["seccomp"] and report["netns"]
    assert report["problems"] == []


# --------------------------------------------------------------------------------------
# pure programs
# --------------------------------------------------------------------------------------

PURE_CASES = [
    ("def f(xs):\n    return sorted(xs, key=lambda w: (len(w), w))\n", "f(['pear', 'fig', 'apple', 'kiwi'])",
     ["fig", "kiwi", "pear", "apple"]),
    ("def f(n):\n    p = 1\n    for i in range(1, n + 1):\n        p *= i\n    return p\n", "f(60)",
     __import__("math").factorial(60)),
    ("def f(a, b):\n    return a ** b % 1000000007, -a // 7, divmod(a, 13)\n", "f(123456789123456789, 20)",
     (pow(123456789123456789, 20, 1000000007), -123456789123456789 // 7, divmod(123456789123456789, 13))),
    ("def f(s):\n    return s[::-1].upper().replace('L', '_'), s.split(), ' '.join(w.capitalize() for w in s.split())\n",
     "f('hello world')", ("D_ROW O__EH", ["hello", "world"], "Hello World")),
    ("import math, fractions\ndef f(x):\n    return math.isqrt(x), str(fractions.Fraction(x, 6)), math.gcd(x, 84)\n",
     "f(48)", (6, "8", 12)),
    ("from collections import Counter, defaultdict\ndef f(text):\n    c = Counter(text.split())\n"
     "    d = defaultdict(list)\n    for w in text.split():\n        d[len(w)].append(w)\n"
     "    return c.most_common(1), dict(d)\n", "f('a bb a ccc bb a')",
     ([("a", 3)], {1: ["a", "a", "a"], 2: ["bb", "bb"], 3: ["ccc"]})),
    ("import re, json, itertools, functools, operator\ndef f(s):\n"
     "    nums = [int(x) for x in re.findall(r'-?\\d+', s)]\n"
     "    return json.dumps(nums), functools.reduce(operator.mul, nums, 1), list(itertools.accumulate(nums))\n",
     "f('a3b-4c10')", ("[3, -4, 10]", -120, [3, -1, 9])),
    ("import datetime\ndef f(y, m, d, n):\n    day = datetime.date(y, m, d) + datetime.timedelta(days=n)\n"
     "    return day.isoformat(), day.strftime('%A'), datetime.datetime.strptime('2021-03-04', '%Y-%m-%d').day\n",
     "f(2024, 2, 27, 3)", ("2024-03-01", "Friday", 4)),
    ("import statistics, heapq, bisect\ndef f(xs):\n"
     "    return statistics.mean(xs), statistics.median(xs), heapq.nlargest(2, xs), bisect.bisect_left(sorted(xs), 5)\n",
     "f([1, 9, 5, 3])", (4.5, 4.0, [9, 5], 2)),
    ("from dataclasses import dataclass, field\nfrom typing import List\n@dataclass\nclass Box:\n"
     "    name: str\n    items: List[int] = field(default_factory=list)\n"
     "def f(name):\n    b = Box(name)\n    b.items.append(3)\n    return repr(b)\n", "f('x')", "Box(name='x', items=[3])"),
    ("import decimal, unicodedata, textwrap, string, hashlib\ndef f(s):\n"
     "    return (str(decimal.Decimal('0.1') * 3), unicodedata.name(s[0]), textwrap.wrap('aa bb cc', 5),\n"
     "            string.ascii_uppercase[:3], hashlib.sha256(s.encode()).hexdigest()[:8])\n",
     "f('é')", ("0.3", "LATIN SMALL LETTER E WITH ACUTE", ["aa bb", "cc"], "ABC",
                __import__("hashlib").sha256("é".encode()).hexdigest()[:8])),
    ("class Stack:\n    def __init__(self):\n        self.items = []\n    def push(self, x):\n"
     "        self.items.append(x)\n        return self\n    def __len__(self):\n        return len(self.items)\n"
     "def f(xs):\n    s = Stack()\n    for x in xs:\n        s.push(x)\n    return len(s), s.items[-1]\n",
     "f([1, 2, 3])", (3, 3)),
    ("def f():\n    return {'s': {3, 1, 2}, 'e': set(), 't': (1,), 'b': b'\\x00x', 'n': None, 'z': -0.0, 'c': 1+2j}\n",
     "f()", {"s": {1, 2, 3}, "e": set(), "t": (1,), "b": b"\x00x", "n": None, "z": -0.0, "c": 1 + 2j}),
    ("def f(a, b=2, *, c=3):\n    return a + b + c\n", "f(1, c=10)", 13),
    ("def f(x):\n    return x\n", "f({'k': [1, (2, 3)], 'neg': -5, 'f': 1.5e-3})",
     {"k": [1, (2, 3)], "neg": -5, "f": 1.5e-3}),
]


def _plain_python(program: str, call: str):
    """Reference result: the same (trusted, test-authored) program run by plain Python."""
    namespace: dict = {}
    exec(program, namespace)
    return eval(call, namespace)


@pytest.mark.parametrize("program,call,expected", PURE_CASES)
def test_pure_programs(program, call, expected):
    result = run1(program, call)
    assert result.status == "ok", result
    assert result.value == expected == _plain_python(program, call)
    assert result.error is None and result.pending is None


#: Programs that use what the hardened Python layer guards (class patterns, run-time generated
#: code in dataclasses / typing / functools, attribute hooks) and must behave as in plain Python.
HARDENED_LAYER_CASES = {
    "class_patterns": (textwrap.dedent('''
        from dataclasses import dataclass
        @dataclass
        class Point:
            x: int
            y: int
        class MyInt(int):
            pass
        class Box:
            __match_args__ = ('content',)
            def __init__(self, c):
                self.content = c
        def f(items):
            out = []
            for it in items:
                match it:
                    case Point(0, y):
                        out.append(('axis', y))
                    case Point(x, y) if x == y:
                        out.append(('diag', x))
                    case Point(x=x):
                        out.append(('pt', x))
                    case MyInt(v):
                        out.append(('myint', int(v)))
                    case bool(b):
                        out.append(('bool', b))
                    case int(n) | float(n):
                        out.append(('num', n))
                    case str() as s:
                        out.append(('str', s))
                    case Box(Box(inner)):
                        out.append(('box2', inner))
                    case Box(c):
                        out.append(('box', c))
                    case [a, *rest]:
                        out.append(('list', a, len(rest)))
                    case {'k': v}:
                        out.append(('map', v))
                    case _:
                        out.append(('other',))
            return out
        def g():
            return f([Point(0, 5), Point(2, 2), Point(3, 4), MyInt(7), True, 3, 2.5, 'hi', Box(Box(1)),
                      Box(2), [1, 2, 3], {'k': 9}, None])
        def too_many():
            match Box(1):
                case Box(a, b):
                    return a, b
    '''), "g()"),
    "generated_code": (textwrap.dedent('''
        import collections, dataclasses, enum, functools, typing
        from dataclasses import dataclass, field
        @dataclass(frozen=True, order=True)
        class A:
            x: int
            y: list = field(default_factory=list, compare=False)
        @dataclass(slots=True, kw_only=True)
        class B:
            name: str
            n: int = 3
            def __post_init__(self):
                self.n += 1
        class Color(enum.Enum):
            RED = 1
            GREEN = 2
        P = collections.namedtuple('P', ['a', 'b'], defaults=[0])
        class Q(typing.NamedTuple):
            a: int
            b: str = 'x'
        @functools.singledispatch
        def kind(x):
            return 'obj'
        @kind.register
        def _(x: int):
            return 'int'
        def deco(fn):
            @functools.wraps(fn)
            def inner(*a):
                return fn(*a) * 2
            return inner
        @deco
        def twice(v):
            """doc"""
            return v
        class Lazy:
            def __getattr__(self, name):
                return name.upper()
        def f():
            a = A(1)
            try:
                a.x = 2
                frozen = False
            except dataclasses.FrozenInstanceError:
                frozen = True
            return (repr(a), a < A(2), dataclasses.asdict(a), dataclasses.replace(a, x=5).x, repr(B(name='q')),
                    frozen, Color(2).name, tuple(P(1)), dict(Q(1)._asdict()), kind(1), kind(1.0), twice(3),
                    twice.__name__, twice.__doc__, Lazy().abc, str(typing.List['int']))
    '''), "f()"),
}


@pytest.mark.parametrize("name", sorted(HARDENED_LAYER_CASES))
def test_hardened_python_layer_keeps_plain_python_semantics(name):
    program, call = HARDENED_LAYER_CASES[name]
    result = run1(program, call)
    assert result.status == "ok", result
    assert result.value == _plain_python(program, call)


def test_class_pattern_errors_are_pythons_own():
    program, _ = HARDENED_LAYER_CASES["class_patterns"]
    result = run1(program, "too_many()")
    assert result.error == "runtime_error" and "accepts 1 positional sub-pattern (2 given)" in result.detail


def test_big_int_results_cross_the_boundary():
    result = run1("def f(n):\n    return 3 ** n\n", "f(5000)")
    assert result.status == "ok" and result.value == 3 ** 5000


def test_print_is_harmless():
    assert run1("def f():\n    print('hello', 1)\n    return 1\n", "f()").value == 1


def test_random_is_deterministic_across_runs():
    program = "import random\ndef f():\n    return [random.randint(1, 10**9) for _ in range(3)], random.choice('abcdef')\n"
    first = run_calls(program, ["f()", "f()"])
    second = run_calls(program, ["f()"])
    assert first[0].status == "ok"
    assert first[0].value == first[1].value == second[0].value


def test_set_iteration_order_is_deterministic():
    program = "def f(words):\n    return list(set(words))\n"
    call = "f(['pear', 'apple', 'fig', 'kiwi', 'plum', 'lime'])"
    assert run_calls(program, [call])[0].value == run_calls(program, [call])[0].value


# --------------------------------------------------------------------------------------
# batching
# --------------------------------------------------------------------------------------

def test_many_calls_share_one_child(spawn_counter):
    program = "def sq(x):\n    return x * x\n"
    results = run_calls(program, [f"sq({i})" for i in range(50)])
    assert [r.value for r in results] == [i * i for i in range(50)]
    assert spawn_counter["n"] == 1


def test_each_call_starts_from_fresh_module_state(spawn_counter):
    program = "seen = []\ndef f(x):\n    seen.append(x)\n    return len(seen)\n"
    results = run_calls(program, ["f(1)", "f(2)", "f(3)"])
    assert [r.value for r in results] == [1, 1, 1]
    assert spawn_counter["n"] == 1


def test_builtins_tampering_does_not_leak_into_next_call():
    program = "def evil():\n    __builtins__['len'] = lambda x: 42\n    return len([1])\n" \
              "def good():\n    return len([1, 2])\n"
    results = run_calls(program, ["evil()", "good()"])
    assert results[0].value == 42
    assert results[1].value == 2


def test_bad_calls_do_not_need_a_child(spawn_counter):
    results = run_calls("def f(x):\n    return x\n", ["f(os)", "g(", "f(1)"])
    assert [r.status for r in results] == ["error", "error", "ok"]
    assert spawn_counter["n"] == 1


def test_empty_batch():
    assert run_calls("def f():\n    return 1\n", []) == []


# --------------------------------------------------------------------------------------
# oracle / pending replay
# --------------------------------------------------------------------------------------

def test_pending_then_replay_with_oracle():
    first = run_calls(SORT_WORDS, ["sort_words(['pear', 'apple'])"])[0]
    assert first.status == "pending"
    assert first.pending == PendingCall(name="guess_mood", args=("pear apple",), kwargs={},
                                        key="guess_mood('pear apple')")
    assert first.value is None and first.error is None
    second = run_calls(SORT_WORDS, ["sort_words(['pear', 'apple'])"],
                       oracle={first.pending.key: "cheerful"})[0]
    assert second.status == "ok"
    assert second.value == {"sorted_words": ["apple", "pear"], "mood": "cheerful", "answer": "apple pear"}
    assert second.undefined_calls == [("guess_mood('pear apple')", "cheerful")]


def test_replay_loop_across_a_batch_of_items():
    program = textwrap.dedent('''
        def solve(a, b):
            x = double(a)
            y = double(b)
            z = combine(x, y=y)
            return z
    ''')
    calls = ["solve(1, 2)", "solve(3, 3)"]
    oracle: dict = {}
    asked: list[str] = []
    for _ in range(10):
        results = run_calls(program, calls, oracle=oracle)
        pend = [r.pending for r in results if r.status == "pending"]
        if not pend:
            break
        for p in pend:  # the "model", answered in one batch
            asked.append(p.key)
            oracle[p.key] = p.args[0] * 2 if p.name == "double" else p.args[0] + p.kwargs["y"]
    assert [r.value for r in results] == [6, 12]
    assert asked == ["double(1)", "double(3)", "double(2)", "combine(6, y=6)", "combine(2, y=4)"]
    assert results[1].undefined_calls == [("double(3)", 6), ("double(3)", 6), ("combine(6, y=6)", 12)]


def test_oracle_keys_are_canonical():
    program = "def f():\n    return g({'b', 'a', 'c'}, z=1, a=[1, (2,)])\n"
    result = run1(program, "f()")
    assert result.pending.key == "g({'a', 'b', 'c'}, a=[1, (2,)], z=1)"
    assert result.pending.args == ({"a", "b", "c"},)
    assert result.pending.kwargs == {"z": 1, "a": [1, (2,)]}


def test_swallowed_pending_is_still_pending():
    program = "def f():\n    try:\n        x = ask('q')\n    except BaseException:\n        x = 'fake'\n" \
              "    y = ask('other')\n    return x, y\n"
    result = run1(program, "f()")
    assert result.status == "pending"
    assert result.pending.key == "ask('q')"


def test_non_literal_oracle_value_and_arguments():
    program = "def f():\n    return g(1)\ndef h():\n    return g(h)\n"
    bad_value = run_calls(program, ["f()"], oracle={"g(1)": object()})[0]
    assert bad_value.status == "error" and bad_value.error == "not_literal"
    bad_arg = run1(program, "h()")
    assert bad_arg.status == "error" and bad_arg.error == "not_literal"


def test_allow_undefined_false_is_a_pure_python_executor():
    result = run_calls(SORT_WORDS, ["sort_words(['b', 'a'])"], allow_undefined=False)[0]
    assert result.status == "error" and result.error == "undefined_name"
    assert result.detail == "undefined function 'guess_mood'"
    ok = run_calls("def f(x):\n    return sorted(x)\n", ["f([2, 1])"], allow_undefined=False)[0]
    assert ok.value == [1, 2]


def test_run_call_with_callback():
    asked: list[PendingCall] = []

    def on_undefined(call: PendingCall):
        asked.append(call)
        return f"mood-of-{call.args[0]}"

    result = run_call(SORT_WORDS, "sort_words(['b', 'a'])", on_undefined=on_undefined)
    assert result.status == "ok"
    assert result.value["mood"] == "mood-of-b a"
    assert [c.key for c in asked] == ["guess_mood('b a')"]
    assert result.undefined_calls == [("guess_mood('b a')", "mood-of-b a")]


def test_run_call_asks_each_distinct_key_once():
    program = "def f():\n    return [g(i % 2) for i in range(6)]\n"
    asked = []
    result = run_call(program, "f()", on_undefined=lambda c: asked.append(c.key) or c.args[0] + 10)
    assert result.value == [10, 11, 10, 11, 10, 11]
    assert asked == ["g(0)", "g(1)"]


def test_run_call_max_rounds_and_no_callback():
    program = "def f():\n    return [g(i) for i in range(100)]\n"
    asked = []
    result = run_call(program, "f()", on_undefined=lambda c: asked.append(c) or 0, max_rounds=5)
    assert result.status == "error" and result.error == "budget_exceeded" and len(asked) == 5
    no_cb = run_call(SORT_WORDS, "sort_words(['a'])")
    assert no_cb.status == "error" and no_cb.error == "undefined_name"


def test_run_call_callback_exception_propagates():
    def boom(call):
        raise KeyError("model down")

    with pytest.raises(KeyError):
        run_call(SORT_WORDS, "sort_words(['a'])", on_undefined=boom)


def test_oracle_wait_is_excluded_from_wall_clock():
    import time as _time

    def slow(call):
        _time.sleep(0.6)
        return 1

    program = "def f():\n    return sum(g(i) for i in range(3))\n"
    limits = SandboxLimits(wall_seconds=1.0)
    assert run_call(program, "f()", on_undefined=slow, limits=limits).value == 3


# --------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("call", [
    "f(__import__('os'))", "f(x)", "f(1 + 1)", "obj.method(1)", "f(*[1])", "f(**{'a': 1})",
    "f(", "1", "f(lambda: 0)", "f(open('/etc/passwd'))", "f([1, 2][0])", "missing(1)",
])
def test_bad_calls(call):
    result = run1("def f(x=0):\n    return x\n", call)
    assert result.status == "error" and result.error == "bad_call", result


def test_negative_and_nested_literal_arguments_are_fine():
    assert run1("def f(x, y):\n    return x, y\n", "f(-5, {'a': (1, -2.5)})").value == (-5, {"a": (1, -2.5)})


def test_syntax_error_for_every_call():
    results = run_calls("def f(:\n    pass\n", ["f()", "g()"])
    assert [r.error for r in results] == ["syntax_error", "syntax_error"]


@pytest.mark.parametrize("program,kind,needle", [
    ("def f():\n    return 1 / 0\n", "runtime_error", "ZeroDivisionError"),
    ("def f():\n    return undefined_variable + 1\n", "undefined_name", "undefined_variable"),
    ("def f():\n    return f\n", "not_literal", "function"),
    ("def f():\n    return float('inf')\n", "not_literal", "inf"),
    ("def f():\n    return 'x' * 200_000\n", "output_too_large", ""),
    ("def f():\n    raise ValueError('bad' * 1000)\n", "runtime_error", "ValueError"),
    ("import numpy\ndef f():\n    return 1\n", "forbidden_import", "numpy"),
    ("def f():\n    try:\n        import os\n    except ImportError:\n        pass\n    return 1\n",
     "forbidden_import", "os"),
    ("x = 1 / 0\ndef f():\n    return 1\n", "runtime_error", "ZeroDivisionError"),
])
def test_error_kinds(program, kind, needle):
    result = run1(program, "f()")
    assert result.status == "error" and result.error == kind, result
    assert needle in result.detail
    assert len(result.detail) <= 500


def test_error_detail_names_the_program_line():
    result = run1("def f():\n    x = 1\n    return x / 0\n", "f()")
    assert "line 3" in result.detail


def test_limits_are_validated():
    for bad in ({"cpu_seconds": 0}, {"item_seconds": 0}, {"max_helper_calls": 0},
                {"max_helper_arg_chars": 8}, {"max_result_chars": 1000, "max_helper_arg_chars": 2000}):
        with pytest.raises(ValueError):
            SandboxLimits(**bad)


def test_each_result_records_its_wall_time():
    results = run_calls("def f(n):\n    return sum(range(n))\n", ["f(10)", "f(x)"])
    assert results[0].seconds > 0 and results[1].seconds == 0  # a bad call never ran


# --------------------------------------------------------------------------------------
# static analysis
# --------------------------------------------------------------------------------------

def test_undefined_functions_basic():
    assert undefined_functions(SORT_WORDS) == {"guess_mood"}


def test_undefined_functions_tricky():
    program = textwrap.dedent('''
        import math as m
        from collections import Counter
        from itertools import *
        def outer(xs):
            def inner(y):
                return helper_a(y) + m.sqrt(y)       # helper_a undefined
            sq = lambda v: v * v
            total = sum(inner(x) for x in xs)        # sum builtin, inner nested def
            fns = [f for f in (abs, round)]
            out = [f(1) for f in fns]                # comprehension variable called
            if (g := pick(xs)):                      # pick undefined, g bound by walrus
                g()
            return sq(total), Counter(xs), chain(xs), out, later(1)
        def later(v):
            return v
        class Tool:
            def method(self):
                return self.helper() + method()      # attribute call fine; bare method() undefined
            def helper(self):
                return 1
        def uses_param(callback):
            return callback(1)                       # parameter call
        def catcher():
            try:
                pass
            except Exception as err:
                err()
            for item in range(3):
                item()
            with ctx() as c:                         # ctx undefined
                c()
        def scoped():
            local_fn = int
            return local_fn('1')
        def other():
            return local_fn('2')                     # bound in another function only
        def deco_user():
            @make_decorator(3)
            def wrapped():
                return 1
            return wrapped()
        print(len(str(max(1, 2))))
        exit()
    ''')
    assert undefined_functions(program) == {"helper_a", "pick", "method", "ctx", "local_fn",
                                            "make_decorator"}


def test_undefined_functions_globals_nonlocal_and_classes():
    program = textwrap.dedent('''
        def setup():
            global registered
            def registered():
                return 1
        def use():
            return registered()
        def counter():
            count = 0
            def bump():
                nonlocal count
                count += 1
                return count
            return bump()
        class Config:
            def build(self):
                return 1
            value = build(None)                      # class-body scope sees build
        match [1, 2]:
            case [first, *rest]:
                first(); rest()
        ''')
    assert undefined_functions(program) == set()


def test_undefined_functions_rejects_bad_syntax():
    with pytest.raises(SyntaxError):
        undefined_functions("def (")


def test_main_block_and_common_dunders_are_fine():
    program = textwrap.dedent('''
        class Point:
            def __init__(self, x):
                self.x = x
            def __eq__(self, other):
                return self.x == other.x
            def __repr__(self):
                return f"{type(self).__name__}({self.x})"
        def f():
            return repr(Point(1)), Point(1) == Point(1), Point.__module__, f.__name__
        if __name__ == "__main__":
            raise SystemExit("main block must not run")
    ''')
    assert run1(program, "f()").value == ("Point(1)", True, "__cogex_program__", "f")


# --------------------------------------------------------------------------------------
# fail closed, resources, concurrency
# --------------------------------------------------------------------------------------

def test_fails_closed_when_isolation_is_missing(monkeypatch):
    monkeypatch.delenv(sandbox.INSECURE_ENV_VAR, raising=False)
    monkeypatch.setattr(sandbox._Child, "_verify_layers",
                        lambda self: {"seccomp": False, "no_new_privs": True, "netns": True, "unprivileged": True})
    with pytest.raises(sandbox.SandboxUnavailableError, match="seccomp"):
        run_calls("def f():\n    return 1\n", ["f()"])
    monkeypatch.setenv(sandbox.INSECURE_ENV_VAR, "1")
    with pytest.warns(RuntimeWarning, match="INSECURELY"):
        assert run_calls("def f():\n    return 1\n", ["f()"])[0].value == 1


def test_no_file_descriptor_leak():
    before = len(__import__("os").listdir("/proc/self/fd"))
    for _ in range(5):
        run_calls("def f():\n    while True:\n        pass\n", ["f()"], limits=SandboxLimits(wall_seconds=0.3))
        run_calls("def f():\n    return 1\n", ["f()", "f()"])
    assert len(__import__("os").listdir("/proc/self/fd")) <= before


def test_concurrent_callers_from_threads():
    from concurrent.futures import ThreadPoolExecutor

    program = "def f(x):\n    return [x] * 3\n"
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda i: run_calls(program, [f"f({i})", f"f({i + 1})"]), range(8)))
    assert [[r.value for r in rs] for rs in results] == [[[i] * 3, [i + 1] * 3] for i in range(8)]
