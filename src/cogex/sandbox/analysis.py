"""Static analysis of a program before it runs: the checks for forbidden names and attributes
(:func:`static_violation`, also applied to code a program generates), the rewrite of ``match``
statements into guarded form, and the scope analyser that finds the helpers a program calls
but never defines (:func:`undefined_functions`).

Loaded by the child process too, so it imports only the standard library and :mod:`.policy`.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import re

from cogex.sandbox.policy import (
    ALLOWED_MODULES,
    ESCAPE_DUNDERS,
    FORBIDDEN_ATTRS,
    HOOK_DUNDERS,
    MATCH_GUARD,
    READ_ONLY_DUNDERS,
    RESERVED_PREFIX,
    SAFE_DUNDERS,
    PROGRAM_FILENAME,
)

#: Names Python provides without an import (plus the interactive helpers).
_BUILTIN_NAMES = frozenset(dir(builtins)) | {"exit", "quit", "help", "copyright", "credits", "license"}

_FORMAT_FIELD = re.compile(r"\{[^{}]*?\.([A-Za-z_][A-Za-z0-9_]*)")


def is_forbidden_attr(name: str) -> bool:
    """True for attribute names the program may not read or write (in-interpreter layer)."""
    if name in FORBIDDEN_ATTRS:
        return True
    return name.startswith("__") and name.endswith("__") and name not in SAFE_DUNDERS


def _is_forbidden_definition(name: str) -> bool:
    return (name in HOOK_DUNDERS or name in ESCAPE_DUNDERS or name in READ_ONLY_DUNDERS
            or name.startswith(RESERVED_PREFIX))


def _class_body_bindings(node: ast.ClassDef) -> list[tuple[int, str]]:
    """Names a class body binds directly (assignments, annotations, defs), with their line."""
    found: list[tuple[int, str]] = []
    for stmt in node.body:
        targets: list[ast.expr] = []
        if isinstance(stmt, ast.Assign):
            targets = stmt.targets
        elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
            targets = [stmt.target]
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.append((stmt.lineno, stmt.name))
        for target in targets:
            for sub in ast.walk(target):
                if isinstance(sub, ast.Name):
                    found.append((sub.lineno, sub.id))
    return found


def static_violation(tree: ast.AST) -> str | None:
    """Return a message for the first obviously hostile construct in ``tree``, else None.

    Best effort only (strings can be built at run time); the OS layer is the real boundary.
    Refused: forbidden attributes (read, written or named by a match pattern keyword), string
    constants naming escape attributes (also as ``{0.attr}`` format fields), defining a hook
    dunder (a metaclass ``__instancecheck__``, ``__getattribute__``...) or an escape dunder,
    and any name with the sandbox's reserved prefix.
    """
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            if is_forbidden_attr(node.attr) or node.attr.startswith(RESERVED_PREFIX):
                return f"line {node.lineno}: attribute {node.attr!r} is not allowed"
            if isinstance(node.ctx, (ast.Store, ast.Del)) and node.attr in READ_ONLY_DUNDERS:
                return f"line {node.lineno}: assigning attribute {node.attr!r} is not allowed"
        elif isinstance(node, ast.MatchClass):
            for attr in node.kwd_attrs:
                if is_forbidden_attr(attr):
                    return f"line {node.lineno}: match attribute {attr!r} is not allowed"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value in ESCAPE_DUNDERS or node.value in FORBIDDEN_ATTRS - {"mro"}:
                return f"line {node.lineno}: string {node.value!r} names a forbidden attribute"
            for attr in _FORMAT_FIELD.findall(node.value):
                if is_forbidden_attr(attr):
                    return f"line {node.lineno}: format field reads forbidden attribute {attr!r}"
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if _is_forbidden_definition(node.name):
                return f"line {node.lineno}: defining {node.name!r} is not allowed"
        elif isinstance(node, ast.ClassDef):
            for lineno, name in _class_body_bindings(node):
                if _is_forbidden_definition(name):
                    return f"line {lineno}: defining {name!r} in a class is not allowed"
        elif isinstance(node, ast.keyword) and node.arg is not None:
            if _is_forbidden_definition(node.arg):
                return f"line {node.value.lineno}: keyword {node.arg!r} is not allowed"
        elif isinstance(node, ast.Name) and node.id.startswith(RESERVED_PREFIX):
            return f"line {node.lineno}: the name {node.id!r} is reserved"
        elif isinstance(node, ast.arg) and node.arg.startswith(RESERVED_PREFIX):
            return f"line {node.lineno}: the name {node.arg!r} is reserved"
    return None


def generated_code_violation(tree: ast.AST) -> str | None:
    """The check applied to code that stdlib helpers compile at run time (``dataclasses``
    builds methods from field names, ``typing`` evaluates forward references): such text may
    carry program-supplied fragments that the static check never saw."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and (node.attr in ESCAPE_DUNDERS or node.attr in FORBIDDEN_ATTRS):
            return f"attribute {node.attr!r} is not allowed"
        if isinstance(node, (ast.Match, ast.MatchClass)):
            return "match statements are not allowed"
        if isinstance(node, ast.Name) and (node.id in ESCAPE_DUNDERS or node.id.startswith(RESERVED_PREFIX)):
            return f"the name {node.id!r} is not allowed"
    return None


class MatchRewriter(ast.NodeTransformer):
    """Route every class pattern with positional sub-patterns through the runtime guard.

    ``case C(a, b)`` reads the attributes named by ``C.__match_args__`` without calling
    ``getattr``; the guard (``MATCH_GUARD``) substitutes a stand-in class whose
    ``__match_args__`` are the real ones, checked. The class expression is evaluated right
    before the ``match`` statement (class patterns only admit dotted names, so this differs
    from Python only when a class in an unreached case is undefined).
    """

    def __init__(self) -> None:
        self.count = 0

    def visit_Match(self, node: ast.Match) -> list[ast.stmt] | ast.Match:
        self.generic_visit(node)
        prelude: list[ast.stmt] = []
        for case in node.cases:
            for pattern in ast.walk(case.pattern):
                if isinstance(pattern, ast.MatchClass) and pattern.patterns:
                    name = f"{RESERVED_PREFIX}_mc{self.count}__"
                    self.count += 1
                    call = ast.Call(func=ast.Name(MATCH_GUARD, ast.Load()),
                                    args=[pattern.cls, ast.Constant(len(pattern.patterns))], keywords=[])
                    prelude.append(ast.copy_location(ast.Assign(targets=[ast.Name(name, ast.Store())], value=call),
                                                     node))
                    pattern.cls = ast.copy_location(ast.Name(name, ast.Load()), pattern.cls)
        return [*prelude, node] if prelude else node


def rewrite_matches(tree: ast.Module) -> ast.Module:
    """``tree`` with guarded class patterns (see MatchRewriter); modifies ``tree``."""
    return ast.fix_missing_locations(MatchRewriter().visit(tree))


class _Scope:
    __slots__ = ("kind", "parent", "bound", "globals", "nonlocals")

    def __init__(self, kind: str, parent: _Scope | None) -> None:
        self.kind = kind
        self.parent = parent
        self.bound: set[str] = set()
        self.globals: set[str] = set()
        self.nonlocals: set[str] = set()


class _Analyzer(ast.NodeVisitor):
    """Scope-aware collection of bindings and of calls to plain names."""

    def __init__(self) -> None:
        self.module = _Scope("module", None)
        self.scope = self.module
        self.calls: list[tuple[_Scope, str]] = []

    # bindings
    def _bind(self, name: str, scope: _Scope | None = None) -> None:
        scope = scope or self.scope
        (self.module.bound if name in scope.globals else scope.bound).add(name)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self._bind(node.id)

    def visit_Global(self, node: ast.Global) -> None:
        self.scope.globals.update(node.names)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self.scope.nonlocals.update(node.names)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._bind(alias.asname or alias.name.partition(".")[0])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name != "*":
                self._bind(alias.asname or alias.name)
            elif node.module in ALLOWED_MODULES and not node.level:
                module = importlib.import_module(node.module)
                names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
                for name in names:
                    self._bind(name)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self._bind(node.name)
        self.generic_visit(node)

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.name:
            self._bind(node.name)
        self.generic_visit(node)

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self._bind(node.name)

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        if node.rest:
            self._bind(node.rest)
        self.generic_visit(node)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        scope = self.scope
        while scope.kind == "comprehension" and scope.parent is not None:
            scope = scope.parent
        self._bind(node.target.id, scope)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name):
            self.calls.append((self.scope, node.func.id))
        self.generic_visit(node)

    # scopes
    def _enter(self, kind: str) -> _Scope:
        self.scope = _Scope(kind, self.scope)
        return self.scope

    def _leave(self, scope: _Scope) -> None:
        assert scope.parent is not None
        self.scope = scope.parent

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        args = node.args
        for default in [*args.defaults, *[d for d in args.kw_defaults if d is not None]]:
            self.visit(default)
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        params += [a for a in (args.vararg, args.kwarg) if a is not None]
        if not isinstance(node, ast.Lambda):
            for deco in node.decorator_list:
                self.visit(deco)
            for param in params:
                if param.annotation is not None:
                    self.visit(param.annotation)
            if node.returns is not None:
                self.visit(node.returns)
            self._bind(node.name)
        scope = self._enter("function")
        for param in params:
            self._bind(param.arg)
        for stmt in node.body if isinstance(node.body, list) else [node.body]:
            self.visit(stmt)
        self._leave(scope)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expr in [*node.decorator_list, *node.bases, *[k.value for k in node.keywords]]:
            self.visit(expr)
        self._bind(node.name)
        scope = self._enter("class")
        for stmt in node.body:
            self.visit(stmt)
        self._leave(scope)

    def _comprehension(self, node: ast.expr, results: list[ast.expr]) -> None:
        generators: list[ast.comprehension] = node.generators  # type: ignore[attr-defined]
        self.visit(generators[0].iter)
        scope = self._enter("comprehension")
        for i, gen in enumerate(generators):
            if i:
                self.visit(gen.iter)
            self.visit(gen.target)
            for cond in gen.ifs:
                self.visit(cond)
        for expr in results:
            self.visit(expr)
        self._leave(scope)

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self._comprehension(node, [node.elt])

    visit_SetComp = visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._comprehension(node, [node.key, node.value])

    # resolution
    def resolves(self, scope: _Scope, name: str) -> bool:
        module = self.module
        if name in scope.globals:
            return name in module.bound
        if name in scope.bound or name in scope.nonlocals:
            return True
        current = scope.parent
        while current is not None and current is not module:
            if current.kind != "class":  # class bodies are invisible to nested scopes
                if name in current.globals:
                    return name in module.bound
                if name in current.bound or name in current.nonlocals:
                    return True
            current = current.parent
        return name in module.bound


def undefined_in_tree(tree: ast.AST) -> set[str]:
    analyzer = _Analyzer()
    analyzer.visit(tree)
    return {name for scope, name in analyzer.calls
            if name not in _BUILTIN_NAMES and not analyzer.resolves(scope, name)}


def undefined_functions(program: str) -> set[str]:
    """Names called in ``program`` that it never binds (in a visible scope) and that are not builtins.

    Raises SyntaxError for unparsable programs.
    """
    return undefined_in_tree(ast.parse(program, PROGRAM_FILENAME))
