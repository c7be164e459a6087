"""Static from-scratch rules: find forbidden APIs in a solution's source (trusted, in the harness).

The analysis reads the exercise's solution cell and every notebook function
or class it refers to, resolving names through the notebook's imports and
simple aliases (``import torch.nn.functional as F``, ``from torch import
softmax as sm``, ``F = torch.nn.functional``, ``getattr(torch, 'softmax')``,
``__import__``/``importlib.import_module`` with constant names). Imports
outside the solution (a setup cell importing ``d2lkit``) are not violations;
using what they bind inside the solution is.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

from autograder.guard import expand
from autograder.notebook import CodeCell, clean_source


@dataclass(frozen=True)
class Violation:
    api: str  # the forbidden name that matched, e.g. torch.softmax
    found: str  # what the student wrote, resolved, e.g. torch.nn.functional.softmax
    where: str  # e.g. "line 4 of cell 7 (softmax)"

    def message(self, exercise_id: str) -> str:
        return (f"'{exercise_id}' must be written from scratch, but it uses {self.found} ({self.where}); "
                f"{self.api} is not allowed here")


def _parse(cell: CodeCell):
    source = clean_source(cell.source)
    if source is None:
        return None
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


def _bind_import(node, aliases: dict[str, str]):
    """Record the names an import binds; return the dotted modules it imports."""
    imported = []
    if isinstance(node, ast.Import):
        for alias in node.names:
            imported.append(alias.name)
            if alias.asname:
                aliases[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                aliases[top] = top
    elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
        for alias in node.names:
            dotted = f"{node.module}.{alias.name}" if alias.name != "*" else node.module
            imported.append(dotted)
            if alias.name != "*":
                aliases[alias.asname or alias.name] = dotted
    return imported


class _Resolver:
    def __init__(self, aliases: dict[str, str]):
        self.aliases = aliases

    def dotted(self, node) -> str | None:
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.dotted(node.value)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            constant = node.args[1] if len(node.args) >= 2 else None
            if node.func.id == "getattr" and isinstance(constant, ast.Constant) and isinstance(constant.value, str):
                base = self.dotted(node.args[0])
                return f"{base}.{constant.value}" if base else None
            if node.func.id == "__import__" and node.args and isinstance(node.args[0], ast.Constant):
                return str(node.args[0].value).split(".")[0]
        if isinstance(node, ast.Call) and self.dotted(node.func) == "importlib.import_module":
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                return node.args[0].value
        return None


def _module_aliases(trees) -> dict[str, str]:
    aliases: dict[str, str] = {}
    resolver = _Resolver(aliases)
    for tree in trees:
        for node in tree.body:
            _bind_import(node, aliases)
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                target = resolver.dotted(node.value)
                if target:
                    aliases[node.targets[0].id] = target
    return aliases


def _definitions(cells, trees) -> dict[str, tuple[CodeCell, ast.AST]]:
    found = {}
    for cell, tree in zip(cells, trees):
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found[node.name] = (cell, node)
    return found


def find_violations(cells: list[CodeCell], solution: CodeCell, forbidden) -> list[Violation]:
    """Forbidden APIs used by ``solution`` or by notebook code it refers to."""
    forbidden = expand(list(forbidden))
    if not forbidden:
        return []
    parsed = [(cell, tree) for cell in cells if (tree := _parse(cell)) is not None]
    aliases = _module_aliases([tree for _, tree in parsed])
    definitions = _definitions([c for c, _ in parsed], [t for _, t in parsed])
    methods = {name.rsplit(".", 1)[1] for name in forbidden if name.startswith("torch.Tensor.")}
    solution_tree = _parse(solution)
    if solution_tree is None:
        return []

    def match(dotted: str) -> str | None:
        for name in forbidden:
            if dotted == name or dotted.startswith(name + "."):
                return name
        return None

    violations: dict[tuple[str, str], Violation] = {}
    queue = [(solution, solution_tree, f"cell {solution.number}" + (f" ({solution.grade_id})" if solution.grade_id else ""))]
    visited = {id(solution_tree)}
    while queue:
        cell, tree, place = queue.pop(0)
        local = dict(aliases)
        resolver = _Resolver(local)
        chain_parts = set()
        for node in ast.walk(tree):
            where = f"line {getattr(node, 'lineno', '?')} of {place}"
            for module in _bind_import(node, local):
                api = match(module)
                if api:
                    violations.setdefault((api, where), Violation(api, f"import {module}", where))
            if isinstance(node, ast.Attribute):
                chain_parts.add(id(node.value))
        for node in ast.walk(tree):
            where = f"line {getattr(node, 'lineno', '?')} of {place}"
            if isinstance(node, (ast.Name, ast.Attribute, ast.Call)) and id(node) not in chain_parts:
                dotted = resolver.dotted(node)
                if dotted:
                    api = match(dotted)
                    if api:
                        violations.setdefault((api, where), Violation(api, dotted, where))
                    continue
            if isinstance(node, ast.Attribute) and node.attr in methods and resolver.dotted(node.value) is None:
                api = f"torch.Tensor.{node.attr}"
                violations.setdefault((api, where), Violation(api, f"the tensor method .{node.attr}()", where))
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in definitions:
                helper_cell, helper = definitions[node.id]
                if id(helper) not in visited:
                    visited.add(id(helper))
                    queue.append((helper_cell, ast.Module(body=[helper], type_ignores=[]),
                                  f"'{node.id}' in cell {helper_cell.number}"))
    return list(violations.values())
