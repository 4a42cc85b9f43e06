"""Linked events: two events told together share their arguments (`link:` items of a pack).

"A suicide bomber blew himself up at a checkpoint in Kandahar, killing six soldiers": the Kill
needs the Attack's place and attacker, the Attack the Kill's victims. A link declares which
event types are linked and which roles they share:

    link: attack_kill
      events: Attack, Kill
      joined by: "," | which | that | in
      share: attacker = killer, victim, weapon, place, time

Two events of those types in one sentence are linked when their extents (span and own
arguments, those a `find:` found included) overlap, touch (only spaces between them), or
stand with only `joined by` between them. Each then takes, for
every shared role it has no argument in, the other's arguments of the paired role. Links run
in the order they are written, each once, after overlaps are settled, so a later link passes
on what an earlier one shared; a role the event's own pattern filled is never added to. Every argument taken
says so in its derivation (`found_by: link`) and each event's provenance lists its links,
with the roles taken (none, when it had them all).
"""
from __future__ import annotations

from dataclasses import replace

from .compiler import CompiledLink
from .match import Argument, Match
from .segment import normalise


def link_events(links: tuple[CompiledLink, ...], matches: list[Match], text: str) -> list[Match]:
    """The matches with the arguments their links share; matches in no link are unchanged."""
    if not links:
        return matches
    matches = list(matches)
    by_sentence: dict[tuple[int, int], list[int]] = {}  # only events of one sentence can link
    for i, m in enumerate(matches):
        if m.kind == "event":
            by_sentence.setdefault(m.provenance.sentence, []).append(i)
    for link in links:
        for indices in by_sentence.values():
            first = [i for i in indices if matches[i].type == link.types[0]]
            second = [i for i in indices if matches[i].type == link.types[1]]
            for i in first:
                for j in second:
                    if i != j and linked(link, matches[i], matches[j], text):
                        matches[i], matches[j] = share(link, matches[i], matches[j])
    return matches


def linked(link: CompiledLink, a: Match, b: Match, text: str) -> bool:
    """Whether two events of one sentence overlap, touch, or have only `joined by` between them."""
    if a.provenance.sentence != b.provenance.sentence:
        return False
    (left_start, left_end), (right_start, right_end) = sorted((extent(a), extent(b)))
    if right_start < left_end:
        return True
    gap = text[left_end:right_start]
    if not gap.strip():
        return True
    pattern = link.joined_regex
    return pattern is not None and pattern.fullmatch(normalise(gap)) is not None


def extent(match: Match) -> tuple[int, int]:
    """An event's span with its own arguments, those a `find:` found beyond it included."""
    own = [a for a in match.arguments if a.derivation.get("found_by") != "link"]
    return min([match.start] + [a.start for a in own]), max([match.end] + [a.end for a in own])


def share(link: CompiledLink, a: Match, b: Match) -> tuple[Match, Match]:
    """Both events, each with the arguments of the other's paired roles it lacked."""
    pairs = [(p.first, p.second) for p in link.share]
    return _take(link, a, b, pairs), _take(link, b, a, [(second, first) for first, second in pairs])


def _take(link: CompiledLink, receiver: Match, giver: Match, pairs: list[tuple[str, str]]) -> Match:
    """`receiver` with `giver`'s arguments for each (receiver role, giver role) it has none of."""
    source = {"type": giver.type, "rule": giver.rule, "start": giver.start, "end": giver.end}
    if any(note["with"] == source and note["link"] == link.id for note in receiver.provenance.links):
        return receiver  # a same-type link meets each pair twice
    own = {arg.role for arg in receiver.arguments if arg.derivation.get("found_by") != "link"}
    have = {(arg.role, arg.start, arg.end) for arg in receiver.arguments}
    taken: list[Argument] = []
    for role, giver_role in pairs:
        if role in own:
            continue
        for arg in giver.arguments:
            if arg.role == giver_role and (role, arg.start, arg.end) not in have:
                have.add((role, arg.start, arg.end))
                how = {**arg.derivation, "found_by": "link", "link": link.id, "link_file": link.file,
                       "link_line": link.line, "from_event": source, "from_role": giver_role}
                taken.append(replace(arg, role=role, derivation=how))
    arguments = tuple(sorted(receiver.arguments + tuple(taken), key=lambda a: a.start))
    note = {"link": link.id, "link_file": link.file, "link_line": link.line, "with": source,
            "roles": sorted({a.role for a in taken})}
    derivation = tuple({"role": a.role, "text": a.text, **a.derivation} for a in arguments)  # in argument order
    provenance = replace(receiver.provenance, derivation=derivation, links=receiver.provenance.links + (note,))
    return replace(receiver, arguments=arguments, provenance=provenance)
