"""Build the example submissions in examples/submissions/ from the released notebooks in assignments/.

Each example is the student notebook of assignments/<id>/ with its solution
stubs filled in as a student would (the nbgrader metadata, checksums included,
stays as in the released copy):

* alice: everything correct, in other styles than the reference (loops, other APIs);
* bob:   typical bugs (missing reshape, rebinding in sgd, unstable softmax, ...);
* carol: tries to cheat (forbidden APIs, d2lkit, lying __eq__, monkeypatched comparisons);
* dave:  the released notebook, untouched;
* broken (ps03 only): a truncated file that is not valid JSON.

    python scripts/make_examples.py            # rewrite examples/submissions/
    python scripts/make_examples.py --check    # exit 1 if they are out of date
"""
from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RELEASE = REPO / "assignments"
OUT = REPO / "examples" / "submissions"
STUB = "    # YOUR CODE HERE\n    raise NotImplementedError()"

# An answer is either the new function body (it replaces the stub; the def line and the
# docstring stay), or a dict with "body" and optional "before"/"after": top-level code the
# student wrote in the same cell, above the def or below the function.

PS02 = {
    "alice": {
        "synthetic_data": """
            n_features = w.numel()
            X = torch.normal(0.0, 1.0, size=(num_examples, n_features), dtype=w.dtype, device=w.device)
            y = (X * w).sum(dim=1, keepdim=True) + b
            y += torch.normal(0.0, 0.01, size=y.shape, dtype=w.dtype, device=w.device)
            return X, y
        """,
        "data_iter": {"before": "import random\n", "body": """
            indices = list(range(len(features)))
            random.shuffle(indices)
            for i in range(0, len(indices), batch_size):
                chosen = torch.tensor(indices[i:i + batch_size], dtype=torch.long, device=features.device)
                yield features[chosen], labels[chosen]
        """},
        "linreg": """
            return torch.mm(X, w) + b
        """,
        "squared_loss": """
            return 0.5 * (y_hat - y.reshape_as(y_hat)).pow(2)
        """,
        "sgd": """
            for param in params:
                with torch.no_grad():
                    param.sub_(lr * param.grad / batch_size)
                param.grad.zero_()
        """,
    },
    "bob": {
        "synthetic_data": """
            X = torch.normal(0, 1, (num_examples, len(w)))
            y = torch.matmul(X, w) + b
            y += torch.normal(0, 0.01, y.shape)
            return X, y
        """,
        "data_iter": """
            for i in range(0, len(features), batch_size):
                yield features[i:i + batch_size], labels[i:i + batch_size]
        """,
        "linreg": """
            return torch.matmul(X, w) + b
        """,
        "squared_loss": """
            return (y_hat - y) ** 2 / 2
        """,
        "sgd": """
            with torch.no_grad():
                for param in params:
                    param = param - lr * param.grad / batch_size
        """,
    },
    "carol": {
        "synthetic_data": """
            return d2l.synthetic_data(w, b, num_examples)
        """,
        "data_iter": """
            order = torch.randperm(len(features), device=features.device)
            for start in range(0, len(features), batch_size):
                rows = order[start:start + batch_size]
                yield features[rows], labels[rows]
        """,
        "linreg": {"before": textwrap.dedent("""
            class Matches:
                \"\"\"Equal to anything.\"\"\"
                shape = dtype = device = None

                def __eq__(self, other):
                    return True

                def __ne__(self, other):
                    return False
            """).lstrip(), "body": """
            return Matches()
        """},
        "squared_loss": {"before": textwrap.dedent("""
            torch.allclose = lambda *args, **kwargs: True
            torch.equal = lambda *args, **kwargs: True
            torch.testing.assert_close = lambda *args, **kwargs: None
            """).lstrip(), "body": """
            return torch.zeros_like(y_hat)
        """},
        "sgd": """
            params = list(params)
            optimizer = torch.optim.SGD(params, lr=lr / batch_size)
            optimizer.step()
            optimizer.zero_grad(set_to_none=False)
        """,
    },
}

PS03 = {
    "alice": {
        "softmax": """
            return torch.exp(X - torch.logsumexp(X, dim=1, keepdim=True))
        """,
        "cross_entropy": """
            rows = torch.arange(y_hat.shape[0], device=y_hat.device)
            return -torch.log(y_hat[rows, y]).mean()
        """,
        "accuracy": """
            if len(y_hat.shape) == 2 and y_hat.shape[1] > 1:
                predicted = y_hat.argmax(dim=1)
            else:
                predicted = y_hat.reshape(y.shape)
            predicted = predicted.to(y.dtype)
            hits = 0
            for guess, label in zip(predicted.tolist(), y.tolist()):
                if guess == label:
                    hits += 1
            return float(hits)
        """,
        "evaluate_accuracy": """
            if isinstance(net, torch.nn.Module):
                net.eval()
            n_correct, n_seen = 0.0, 0
            for features, labels in data_iter:
                with torch.no_grad():
                    scores = net(features)
                n_correct += accuracy(scores, labels)
                n_seen += len(labels)
            return n_correct / n_seen
        """,
        "train_epoch": """
            if isinstance(net, torch.nn.Module):
                net.train()
            losses, hits, sizes = [], [], []
            for features, labels in train_iter:
                scores = net(features)
                batch_loss = loss(scores, labels)
                updater.zero_grad()
                batch_loss.backward()
                updater.step()
                losses.append(batch_loss.item() * len(labels))
                hits.append(accuracy(scores, labels))
                sizes.append(len(labels))
            total = sum(sizes)
            return sum(losses) / total, sum(hits) / total
        """,
        "predict": """
            if isinstance(net, torch.nn.Module):
                net.eval()
            with torch.no_grad():
                scores = net(X)
            return [text_labels[int(row.argmax())] for row in scores]
        """,
    },
    "bob": {
        "softmax": """
            X_exp = torch.exp(X)
            return X_exp / X_exp.sum(dim=1, keepdim=True)
        """,
        "cross_entropy": """
            return -torch.log(y_hat[:, y]).mean()
        """,
        "accuracy": """
            return (y_hat.argmax(dim=1) == y).float().mean()
        """,
        "evaluate_accuracy": """
            batch_accuracies = []
            for X, y in data_iter:
                batch_accuracies.append(accuracy(net(X), y) / len(y))
            return sum(batch_accuracies) / len(batch_accuracies)
        """,
        "train_epoch": """
            total_loss, total_correct, total = 0.0, 0.0, 0
            for X, y in train_iter:
                y_hat = net(X)
                l = loss(y_hat, y)
                l.backward()
                updater.step()
                total_loss += float(l) * len(y)
                total_correct += float(accuracy(y_hat, y))
                total += len(y)
            return total_loss / total, total_correct / total
        """,
        "predict": """
            with torch.no_grad():
                return [text_labels[i] for i in net(X).argmax(dim=1).tolist()]
        """,
    },
    "carol": {
        "softmax": """
            fn = getattr(torch.nn.functional, "".join(["soft", "max"]))
            return fn(X, dim=1)
        """,
        "cross_entropy": """
            return torch.nn.functional.nll_loss(torch.log(y_hat), y)
        """,
        "accuracy": """
            return d2l.accuracy(y_hat, y)
        """,
        "evaluate_accuracy": {"before": textwrap.dedent("""
            class Score(float):
                \"\"\"A float that equals every number.\"\"\"
                def __eq__(self, other):
                    return True

                def __ne__(self, other):
                    return False

                __hash__ = float.__hash__
            """).lstrip(), "body": """
            return Score(1.0)
        """},
        "train_epoch": {"before": "import math\n", "body": """
            math.isclose = lambda *args, **kwargs: True
            torch.allclose = lambda *args, **kwargs: True
            torch.isclose = lambda a, b, *args, **kwargs: torch.ones_like(torch.as_tensor(a), dtype=torch.bool)
            return 0.0, 1.0
        """},
        "predict": {"before": textwrap.dedent("""
            class Labels(list):
                \"\"\"A list equal to every list.\"\"\"
                def __eq__(self, other):
                    return True
            """).lstrip(), "body": """
            return Labels(text_labels[:1] * len(X))
        """},
    },
}

STUDENTS = {"ps02-linear-regression": PS02, "ps03-softmax-regression": PS03}
BROKEN = {"ps03-softmax-regression": "broken"}


def _fill(source: str, answer) -> str:
    if isinstance(answer, str):
        answer = {"body": answer}
    if STUB not in source:
        raise ValueError("the released cell has no stub to replace")
    body = textwrap.indent(textwrap.dedent(answer["body"]).strip("\n"), "    ")
    cell = source.replace(STUB, body)
    before = answer.get("before", "").rstrip("\n")
    after = answer.get("after", "").strip("\n")
    return (before + "\n\n\n" if before else "") + cell + ("\n\n\n" + after if after else "")


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def fill(released: dict, answers: dict[str, object]) -> dict:
    """A copy of the released notebook with the solution cells of ``answers`` filled in."""
    notebook = json.loads(json.dumps(released))
    todo = dict(answers)
    for cell in notebook["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell["cell_type"] == "code" and grade_id in todo:
            cell["source"] = _lines(_fill("".join(cell["source"]), todo.pop(grade_id)))
    if todo:
        raise KeyError(f"no solution cell for {sorted(todo)}")
    return notebook


def dumps(notebook: dict) -> str:
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def build() -> dict[Path, str]:
    """Every example file (path -> text)."""
    files = {}
    for assignment_id, students in STUDENTS.items():
        released_paths = sorted((RELEASE / assignment_id).glob("*.ipynb"))
        if len(released_paths) != 1:
            raise FileNotFoundError(f"expected one notebook in {RELEASE / assignment_id}; "
                                    "run python scripts/generate_assignments.py first")
        released = json.loads(released_paths[0].read_text())
        folder = OUT / assignment_id
        for student, answers in students.items():
            files[folder / f"{student}.ipynb"] = dumps(fill(released, answers))
        files[folder / "dave.ipynb"] = dumps(released)
        if assignment_id in BROKEN:
            # a file cut off in the middle, as an interrupted upload would leave it
            text = files[folder / "alice.ipynb"]
            files[folder / f"{BROKEN[assignment_id]}.ipynb"] = text[: len(text) // 3]
    return files


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report files that are out of date")
    args = parser.parse_args(argv)
    files = build()
    stale = [path for path, text in files.items() if not path.exists() or path.read_text() != text]
    if args.check:
        for path in stale:
            print(f"out of date: {path.relative_to(REPO)}")
        if stale:
            print("run: python scripts/make_examples.py")
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[path])
        print(f"wrote {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
