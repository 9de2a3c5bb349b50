"""The folders of Sources/StackKit depend on each other one way only: no folder uses a type
declared in a folder that uses one of its own, directly or round about. A folder is a
top-level folder (Manifest/Schema, the decoder's own shapes, is part of Manifest), except that
Engine's subfolders count on their own and Engine's own files as `Engine`. A use is a type's
name in code, comments and string literals left out."""
import os
import re
import unittest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "Sources", "StackKit")
DECL = re.compile(r"^(?:public |package |internal |fileprivate |private )?(?:final )?"
                  r"(?:struct|enum|class|protocol|typealias|actor) (\w+)", re.M)


def strip(text):
    text = re.sub(r'"""[\s\S]*?"""', '""', text)
    text = re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', text)
    return re.sub(r"//.*", "", text)


def graph():
    files = {}
    for folder, _, names in os.walk(ROOT):
        for name in names:
            if name.endswith(".swift"):
                parts = os.path.relpath(folder, ROOT).split(os.sep)
                node = "/".join(parts[:2] if parts[0] == "Engine" else parts[:1])
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    files.setdefault(node, []).append((name, strip(f.read())))
    owner = {}
    for node, texts in files.items():
        for _, text in texts:
            for m in DECL.finditer(text):
                # Top-level declarations only: a nested type is named through its parent.
                owner.setdefault(m.group(1), node)
    edges = {}
    for node, texts in files.items():
        for name, text in texts:
            for word in set(re.findall(r"\b[A-Z]\w*\b", text)):
                other = owner.get(word)
                if other and other != node:
                    edges.setdefault(node, {}).setdefault(other, set()).add(f"{word} in {name}")
    return edges


def cycle(edges):
    state, path = {}, []

    def visit(n):
        state[n] = 1
        path.append(n)
        for m in edges.get(n, {}):
            if state.get(m) == 1:
                return path[path.index(m):] + [m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        state[n] = 2
        path.pop()
        return None

    for n in list(edges):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return None


class LayeringTest(unittest.TestCase):
    def test_no_folder_uses_a_folder_that_uses_it(self):
        edges = graph()
        found = cycle(edges)
        if found:
            hops = [f"{a} -> {b} ({', '.join(sorted(edges[a][b])[:3])})" for a, b in zip(found, found[1:])]
            self.fail("folders in a cycle:\n  " + "\n  ".join(hops))

    def test_the_check_sees_the_uses_it_judges(self):
        edges = graph()
        self.assertIn("Manifest", edges.get("Render", {}))
        self.assertIn("Plan", edges.get("Engine/Services", {}))


if __name__ == "__main__":
    unittest.main()
