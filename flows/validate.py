"""Start-up checks on a flow: every target exists, every node can be reached from the
start, every node can reach a hang-up (no dead ends, no loop without a way out),
every prompt, condition, effect, query and vocabulary it names exists, each menu's
speech vocabulary matches the keys it offers, and every catalog entry is said by
something.

``validate(flow)`` returns the problems as sentences; ``check(flow)`` raises
FlowError listing them all, so the app refuses to start with a broken flow.
"""
from __future__ import annotations

from flows import engine, prompts, speech
from flows.model import Act, Ask, Branch, End, Entry, Flow, Menu, Message, Queue

MENU_KEYS = set("0123456789*#")


class FlowError(ValueError):
    pass


def targets(node) -> list[tuple[str, str]]:
    """(label, target) for every way out of a node."""
    if isinstance(node, Message | Act):
        return [("next", node.next)]
    if isinstance(node, Branch):
        return [("if_true", node.if_true), ("if_false", node.if_false)]
    if isinstance(node, Menu):
        return [(f"key {k}", go.target) for k, go in node.options.items()] + [("on_no_input", node.on_no_input)]
    if isinstance(node, Entry):
        return [("next", node.next), ("on_no_input", node.on_no_input)]
    if isinstance(node, Ask):
        return [(f"answer {a}", t) for a, t in node.answers.items()]
    if isinstance(node, Queue):
        return [(name, getattr(node, name)) for name in
                ("on_key", "on_timeout", "on_full", "on_bridged", "on_error", "on_hangup", "on_closed")
                if getattr(node, name) is not None]
    if isinstance(node, End):
        return []
    raise TypeError(type(node).__name__)


def prompt_keys(flow: Flow) -> set[str]:
    """The prompts the flow's nodes name."""
    keys = set(flow.step_limit_prompts)
    for node in flow.nodes.values():
        keys.update(getattr(node, "prompts", ()))
        keys.update(getattr(node, "retry_prompts", None) or ())
        for name in ("invalid_prompt", "silence_prompt"):
            if hasattr(node, name):
                keys.add(getattr(node, name))
    return keys


def used_prompts(flow: Flow) -> set[str]:
    """Every prompt a call on this flow can say: the nodes' prompts, and those the
    engine, the date wording and the edge declare they say by themselves."""
    return prompt_keys(flow) | set(engine.PROMPTS) | set(prompts.PROMPTS) | set(prompts.EDGE_PROMPTS)


def validate(flow: Flow) -> list[str]:
    problems: list[str] = []
    nodes = flow.nodes
    if flow.start not in nodes:
        return [f"the start node {flow.start!r} does not exist"]
    for name in ("on_input_limit", "on_version_change", "on_distress"):
        target = getattr(flow, name)
        if target is not None and target not in nodes:
            problems.append(f"{name}: unknown node {target!r}")

    for node_id, node in nodes.items():
        try:
            outs = targets(node)
        except TypeError:
            problems.append(f"{node_id}: not a node type the engine runs ({type(node).__name__})")
            continue
        for label, target in outs:
            if target not in nodes:
                problems.append(f"{node_id}: {label} goes to unknown node {target!r}")
        if isinstance(node, Branch) and node.test not in engine.CONDITIONS:
            problems.append(f"{node_id}: unknown condition {node.test!r}")
        if isinstance(node, Act) and node.effect not in engine.EFFECTS:
            problems.append(f"{node_id}: unknown effect {node.effect!r}")
        if isinstance(node, Ask):
            expected = engine.QUERIES.get(node.query)
            if expected is None:
                problems.append(f"{node_id}: unknown query {node.query!r}")
            elif set(node.answers) != set(expected):
                missing = sorted(set(expected) - set(node.answers))
                extra = sorted(set(node.answers) - set(expected))
                problems.append(f"{node_id}: answers to {node.query!r} must be exactly {sorted(expected)}"
                                + (f"; missing {missing}" if missing else "")
                                + (f"; unknown {extra}" if extra else ""))
        if isinstance(node, Menu):
            if not node.options:
                problems.append(f"{node_id}: a menu with no options")
            bad = sorted(set(node.options) - MENU_KEYS)
            if bad:
                problems.append(f"{node_id}: options must be single keys, not {bad}")
            if node.vocabulary is not None and node.vocabulary not in speech.VOCABULARIES:
                problems.append(f"{node_id}: unknown speech vocabulary {node.vocabulary!r}")
            else:
                problems.extend(_check_vocabulary(node_id, node))
            if min(node.max_silence, node.max_invalid, node.max_visits) < 1:
                problems.append(f"{node_id}: limits must be at least 1")
        if isinstance(node, Entry) and (node.max_silence < 1 or node.max_invalid < 1):
            problems.append(f"{node_id}: limits must be at least 1")
        if isinstance(node, End) and not node.prompts and node.outcome is None:
            problems.append(f"{node_id}: a silent hang-up must say why (outcome)")

    if flow.on_distress is not None:
        problems.extend(_check_distress(flow))
    used = used_prompts(flow)
    problems.extend(_check_prompts(used))
    if problems:  # the graph checks below need every target to exist
        return problems

    roots = [flow.start] + [n for n in (flow.on_input_limit, flow.on_version_change, flow.on_distress) if n]
    reachable = _reachable(flow, roots)
    for node_id in nodes:
        if node_id not in reachable:
            problems.append(f"{node_id}: unreachable from {flow.start!r}")

    ends = {node_id for node_id, node in nodes.items() if isinstance(node, End)}
    can_finish = _can_reach(flow, ends)
    for node_id in nodes:
        if node_id not in can_finish:
            problems.append(f"{node_id}: a dead end (no way from here to the end of the call)")
    problems.extend(_unused_prompts(used))
    return problems


def check(flow: Flow) -> Flow:
    problems = validate(flow)
    if problems:
        raise FlowError("the call flow is broken:\n  " + "\n  ".join(problems))
    return flow


def _reachable(flow: Flow, roots: list[str]) -> set[str]:
    seen, todo = set(), list(roots)
    while todo:
        node_id = todo.pop()
        if node_id in seen:
            continue
        seen.add(node_id)
        todo.extend(t for _, t in targets(flow.nodes[node_id]))
    return seen


def _can_reach(flow: Flow, goals: set[str]) -> set[str]:
    incoming: dict[str, set[str]] = {n: set() for n in flow.nodes}
    for node_id, node in flow.nodes.items():
        for _, target in targets(node):
            incoming[target].add(node_id)
    seen, todo = set(), list(goals)
    while todo:
        node_id = todo.pop()
        if node_id in seen:
            continue
        seen.add(node_id)
        todo.extend(incoming[node_id])
    return seen


def _check_vocabulary(node_id: str, menu: Menu) -> list[str]:
    """A spoken phrase for every key the menu offers, unless declared DTMF-only, and
    none for a key it does not offer (its words would be hints for nothing)."""
    offered, dtmf_only = set(menu.options), set(menu.dtmf_only)
    problems = [f"{node_id}: dtmf_only key {k!r} is not an option of the menu"
                for k in sorted(dtmf_only - offered)]
    if menu.vocabulary is None:
        return problems
    spoken = set(speech.VOCABULARIES[menu.vocabulary])
    problems += [f"{node_id}: vocabulary {menu.vocabulary!r} has words for key {k!r}, which the menu "
                 f"does not offer" for k in sorted(spoken - offered)]
    problems += [f"{node_id}: key {k!r} has no spoken phrase in vocabulary {menu.vocabulary!r} "
                 f"(add one, or list the key in dtmf_only)" for k in sorted(offered - spoken - dtmf_only)]
    problems += [f"{node_id}: dtmf_only key {k!r} has words in vocabulary {menu.vocabulary!r}"
                 for k in sorted(dtmf_only & spoken)]
    return problems


def _check_distress(flow: Flow, words: tuple[str, ...] | None = None) -> list[str]:
    """The distress words (speech.DISTRESS): some, each in lower case as matched, and
    none that is (or holds, or is part of) a phrase of a menu's own vocabulary: said
    at that menu, such a phrase would be read as distress, or distress as a choice."""
    words = speech.DISTRESS if words is None else words
    if not words:
        return ["on_distress is set but there are no distress words"]
    problems = [f"distress word {w!r} must be lower case, without punctuation, as it is matched"
                for w in words if not w.strip() or speech.normalise(w) != w]
    vocabularies = {node.vocabulary for node in flow.nodes.values()
                    if isinstance(node, Menu) and node.vocabulary in speech.VOCABULARIES}
    for name in sorted(vocabularies):
        for key, phrases in speech.VOCABULARIES[name].items():
            for phrase in phrases:
                said = speech.normalise(phrase)
                for word in words:
                    word = speech.normalise(word)
                    if f" {word} " in f" {said} " or f" {said} " in f" {word} ":
                        problems.append(f"distress word {word!r} overlaps {phrase!r} (key {key!r}) "
                                        f"in vocabulary {name!r}")
    return problems


def _check_prompts(keys: set[str]) -> list[str]:
    problems = []
    known_params = set(engine.PARAMS) | set(engine.RUN_PARAMS) | set(prompts.PARAMS)
    catalogs = {language: prompts.catalog(language) for language in prompts.LANGUAGES}
    for language, entries in catalogs.items():
        for key in sorted(keys - set(entries)):
            problems.append(f"prompt {key!r} is missing from the {language!r} catalog")
        for key, entry in entries.items():
            try:
                names = prompts.placeholders(entry["text"])
            except ValueError as exc:
                problems.append(f"prompt {key!r} ({language}): {exc}")
                continue
            unknown = names - known_params
            if unknown:
                problems.append(f"prompt {key!r} ({language}) uses unknown values {sorted(unknown)}")
            if entry.get("language", language) not in prompts.LANGUAGES:
                problems.append(f"prompt {key!r} ({language}) is in an unknown language")
    first, *others = prompts.LANGUAGES
    for other in others:
        for key in sorted(set(catalogs[first]) ^ set(catalogs[other])):
            problems.append(f"prompt {key!r} is in one catalog but not the other")
        for key in sorted(set(catalogs[first]) & set(catalogs[other])):
            a = prompts.placeholders(catalogs[first][key]["text"])
            b = prompts.placeholders(catalogs[other][key]["text"])
            if a != b:
                problems.append(f"prompt {key!r} uses different values in {first!r} and {other!r}")
    return problems


def _unused_prompts(used: set[str]) -> list[str]:
    """Catalog entries nothing says: left behind by a change to the flow, or said by
    something that does not declare it (engine.PROMPTS, prompts.EDGE_PROMPTS)."""
    catalogued = set().union(*(prompts.catalog(language) for language in prompts.LANGUAGES))
    return [f"prompt {key!r} is in the catalogs but nothing says it" for key in sorted(catalogued - used)]

