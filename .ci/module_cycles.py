"""Fails when a module of the crate uses one that uses it back, directly or through others.

Reads, on standard input, the module graph that `cargo modules dependencies --no-fns
--no-traits --no-types` prints (Graphviz), and checks its "uses" edges. (cargo-modules' own
`--acyclic` also counts the edges between a type and its methods, which are no layering.)
"""
import re
import sys

edges = {}
for line in sys.stdin:
    match = re.match(r'\s*"([^"]+)" -> "([^"]+)" \[label="uses"', line)
    if match:
        edges.setdefault(match.group(1), set()).add(match.group(2))
if not edges:
    sys.exit("no module graph on standard input")


def reachable(start):
    seen, stack = set(), [start]
    while stack:
        for target in edges.get(stack.pop(), ()):
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


cycles = sorted((a, b) for a in edges for b in edges[a] if a in reachable(b))
for a, b in cycles:
    print(f"{a} uses {b}, which uses it back")
print(f"{len(edges)} modules, {sum(map(len, edges.values()))} uses, {len(cycles)} in cycles")
sys.exit(1 if cycles else 0)
