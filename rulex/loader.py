"""Find a pack's files, read them (rules in .rulex or YAML, lexicons in YAML or CSV) into ASTs.

A pack is a directory with a `pack.yaml` manifest, a directory without one (every rule
file in it, lexicons under `lexicons/`), or one or more rule files.

A pack reads only files that resolve (symlinks followed) inside its directory or inside a
directory its manifest lists under `dependencies:`; a rule file given by name reads only
files inside its own directory. Anything else is an RX200 that shows nothing of the file.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

import yaml

from . import ast, memo
from .attributes import Attribute, read_attributes
from .diagnostics import DiagnosticBag
from .lexicons import Lexicon, by_entry_type, load_lexicon
from .source import SourceFile, Span, text_digest
from .yamlpos import YamlDoc

MANIFEST = "pack.yaml"
MAX_LEXICONS = 2000  # each lexicon and built-in type gets one private-use marker character (view.py)
MANIFEST_KEYS = ("name", "version", "description", "files", "lexicons", "overlap", "output",
                 "timeout_ms", "sentence_budget_ms", "document_budget_ms", "licence", "license", "dateline",
                 "attributes", "tests", "dependencies")
RULE_FILE_KEYS = ("event", "entity", "rules", "defines", "imports")
RULE_KEYS = ("id", "pattern", "template", "where", "priority", "overlap", "case", "not preceded by",
             "not followed by", "preceded by", "followed by", "examples", "counter", "counters", "description", "set", "find")
FIND_KEYS = ("pattern", "direction", "scope")
EXAMPLE_KEYS = ("text", "args")
RULE_SUFFIXES = (".rulex", ".yaml", ".yml")
LEXICON_SUFFIXES = (".yaml", ".yml", ".csv", ".tsv")


@dataclass(frozen=True)
class Manifest:
    name: str
    version: str = "0.0.0"
    description: str = ""
    overlap: str = "longest"
    output: tuple[str, ...] = ()
    timeout_ms: int = 250
    sentence_budget_ms: int = 5000       # all the rules in one sentence (RX501)
    document_budget_ms: int = 30000      # one document, per million characters (RX501)
    dateline: str | None = None          # a rule whose Time, near the start, dates an undated document
    dateline_span: Span | None = field(default=None, compare=False)
    attributes: tuple[Attribute, ...] = ()   # event attributes set by cue words
    tests: tuple[str, ...] = ("tests/*.txt",)  # annotated corpus files, relative to the pack
    dependencies: tuple[str, ...] = ()   # directories outside the pack it may read (resolved)


@dataclass(frozen=True)
class LoadedPack:
    """Everything read from disk, before names are resolved."""
    manifest: Manifest
    files: tuple[ast.RuleFile, ...]
    lexicons: tuple[Lexicon, ...]
    sources: dict[str, SourceFile] = field(hash=False, compare=False)


def display_name(path: Path) -> str:
    """A path as users see it in messages: relative to the working directory when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative


LEAVES = ("a pack reads only files inside its directory or a directory pack.yaml lists under "
          "`dependencies:`")
LEAVES_LOOSE = "a rule file given by name reads only files inside its own directory"
MOVE_IN = "copy the file into the pack, or list its directory under `dependencies:` in pack.yaml"


@dataclass(frozen=True)
class Reach:
    """The directories a pack may read files from: its root, then its dependencies (resolved)."""
    root: Path
    dependencies: tuple[Path, ...] = ()
    loose: bool = False   # the root is the directory of a rule file given by name

    def admits(self, resolved: Path) -> bool:
        return any(resolved == d or resolved.is_relative_to(d) for d in (self.root, *self.dependencies))

    def why(self) -> str:
        return LEAVES_LOOSE if self.loose else LEAVES


def pack_files(paths: list[Path]) -> list[Path]:
    """Every file whose content decides a pack (for the compile cache key): those of the pack's
    directory and of its dependencies that resolve inside them."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            root = path.resolve()
            reach = Reach(root, tuple(_dependencies(root, *_quiet_manifest(root))))
            for folder in (path, *reach.dependencies):
                out.extend(sorted(p for p in folder.rglob("*") if p.suffix in RULE_SUFFIXES + LEXICON_SUFFIXES
                                  and p.is_file() and _admitted(p, reach)))
        else:
            out.append(path)
    return out


def _quiet_manifest(root: Path) -> tuple[YamlDoc | None, dict, DiagnosticBag]:
    """A pack directory's manifest, read without reporting (the loader reports)."""
    bag = DiagnosticBag()
    manifest = root / MANIFEST
    if not manifest.is_file() or not _admitted(manifest, Reach(root)):
        return None, {}, bag
    try:
        doc = YamlDoc.parse(SourceFile.read(manifest, MANIFEST), bag)
    except (OSError, UnicodeDecodeError):
        return None, {}, bag
    if doc is None or not isinstance(doc.root, yaml.MappingNode):
        return None, {}, bag
    return doc, doc.mapping(doc.root, None, "pack manifest") or {}, bag


def _admitted(path: Path, reach: Reach) -> bool:
    try:
        return reach.admits(path.resolve())
    except (OSError, RuntimeError, ValueError):
        return False


def _inside(path: Path, reach: Reach, what: str, span: Span | None, bag: DiagnosticBag) -> Path | None:
    """`path` resolved (symlinks followed) when the pack may read it; otherwise an RX200 at
    `span` (or at the path itself) that names where it leads and shows nothing of it."""
    where = span or Span(display_name(path), 0, 0, 1, 1)
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError, ValueError) as err:   # a symlink loop, a NUL in the name
        name = display_name(path).replace("\0", "\\0")
        bag.add("RX200", f"cannot read {name}: {getattr(err, 'strerror', None) or err}", where)
        return None
    if reach.admits(resolved):
        return resolved
    bag.add("RX200", f"{what} leaves the pack (resolves to {resolved}); {reach.why()}", where,
            None if reach.loose else MOVE_IN)
    return None


# The import cycle rulex -> pack -> loader -> memo -> rulex hides memo.code_version's type from mypy (as in pack).
_CODE_VERSION: str = memo.code_version()  # type: ignore[has-type]

# Lexicons read before (their entries and diagnostics), by file name and content: an edit of a
# rule does not read the pack's 48,000 aliases again (the edit loop, issue 19).
LEXICONS = memo.Store("lexicons", _CODE_VERSION, limit=64)
LEXICON_WORTH_KEEPING = 20_000  # characters: a smaller lexicon file reads in milliseconds


# Rule files read before (their items and diagnostics), by name and content: an edit of one rule
# file does not parse the others again.
RULE_FILES = memo.Store("rule-files", _CODE_VERSION + ast.grammar_text(), limit=256)


def _load_lexicon(source: SourceFile, bag: DiagnosticBag, memoised: bool) -> Lexicon | None:
    """`load_lexicon`, or what it gave for the same file before, when `memoised`."""
    if not memoised or len(source.text) < LEXICON_WORTH_KEEPING:
        return load_lexicon(source, bag)
    return _memoised(LEXICONS, source, bag, load_lexicon)


def _memoised(store: memo.Store, source: SourceFile, bag: DiagnosticBag, read):
    """What `read(source, bag)` gave for a file of the same name and content before, with the
    diagnostics it reported (added to `bag` again), or what it gives now (then kept in `store`)."""
    key = (source.name, text_digest(source.text))
    found = store.get(key)
    if found is None:
        own = DiagnosticBag()
        found = (read(source, own), tuple(own.items))
        store.put(key, found)
    result, diagnostics = found
    bag.extend(diagnostics)
    return result


def load(paths: list[Path], bag: DiagnosticBag, memoised: bool = False) -> LoadedPack:
    """Read a pack (directory or rule files); every problem goes to `bag`. With `memoised`, a
    lexicon read before with the same content comes from the store of lexicons (`LEXICONS`)."""
    sources: dict[str, SourceFile] = {}
    manifest = Manifest(name=paths[0].stem if paths else "rules")
    rule_paths: list[tuple[Path, Reach]] = []
    lexicon_paths: list[tuple[Path, Span | None]] = []
    for path in paths:
        if path.is_dir():
            manifest, reach, found_rules, found_lexicons = _read_directory(path, bag, sources)
            rule_paths += [(p, reach) for p in found_rules]
            lexicon_paths += found_lexicons
        elif path.exists():
            rule_paths.append((path, Reach(path.parent.resolve(), loose=True)))
        else:
            bag.add("RX200", f"no such file or directory: {path}", None)
    files: list[ast.RuleFile] = []
    seen: set[Path] = set()
    queue = [(p, None, reach) for p, reach in rule_paths]
    while queue:
        path, via, reach = queue.pop(0)
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError, ValueError):
            resolved = path
        if resolved in seen:
            continue
        seen.add(resolved)
        source = _read(path, bag, via)
        if source is None:
            continue
        sources[source.name] = source
        if memoised:
            rule_file = _memoised(RULE_FILES, source, bag, parse_rule_file)
        else:
            rule_file = parse_rule_file(source, bag)
        if rule_file is None:  # a YAML file that could not be read: what it uses is unknown
            files.append(ast.RuleFile(source.name, unparsed=(source.text,)))
            continue
        files.append(rule_file)
        for imp in rule_file.imports:
            target = path.parent / imp.path
            if _inside(target, reach, f"`import: {imp.path}`", imp.span, bag) is None:
                continue
            if not target.is_file():
                bag.add("RX200", f"imported file not found: {imp.path}", imp.span)
            else:
                queue.append((target, imp.span, reach))
    lexicons: list[Lexicon] = []
    if len(lexicon_paths) > MAX_LEXICONS:
        bag.add("RX203", f"a pack can have at most {MAX_LEXICONS} lexicon files, not {len(lexicon_paths)}",
                lexicon_paths[MAX_LEXICONS][1], "merge lexicons of the same type into one file")
        lexicon_paths = lexicon_paths[:MAX_LEXICONS]
    for path, via in lexicon_paths:
        source = _read(path, bag, via)
        if source is None:
            continue
        sources[source.name] = source
        lexicon = _load_lexicon(source, bag, memoised)
        if lexicon is None:
            continue
        same = next((other for other in lexicons if (other.family or other.name) == lexicon.name), None)
        if same is not None:
            bag.add("RX203", f"two lexicons are named `{lexicon.name}`: this one and {same.file}",
                    source.span(0, len(source.line_text(1))), "rename one file, or give it another `name:`")
            continue
        lexicons.extend(by_entry_type(lexicon))  # entries with a `type:` of their own: a part each
    if memoised:
        LEXICONS.save()
        RULE_FILES.save()
    return LoadedPack(manifest, tuple(files), tuple(lexicons), sources)


def _read(path: Path, bag: DiagnosticBag, via: Span | None) -> SourceFile | None:
    name = display_name(path)
    try:
        return SourceFile.read(path, name)
    except UnicodeDecodeError as err:
        data = path.read_bytes()
        line = data[:err.start].count(b"\n") + 1
        col = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        bag.add("RX200", f"not valid UTF-8 (byte 0x{data[err.start]:02x})" + (f" in {name}" if via else ""),
                via or Span(name, err.start, err.start + 1, line, col), "save the file as UTF-8")
    except OSError as err:
        bag.add("RX200", f"cannot read {name}: {err.strerror or err}", via)
    return None


def _read_directory(root: Path, bag: DiagnosticBag, sources: dict[str, SourceFile]):
    """The manifest of a pack directory, what it may read, and its rule and lexicon files."""
    manifest_path = root / MANIFEST
    reach = Reach(root.resolve())
    manifest = Manifest(name=reach.root.name)
    if not manifest_path.exists() and not manifest_path.is_symlink():
        def admitted(paths):
            return [p for p in sorted(paths) if _inside(p, reach, display_name(p), None, bag)]
        rules = [p for p in admitted(p for p in root.glob("*") if p.suffix in RULE_SUFFIXES) if not _is_lexicon(p)]
        lexicons = admitted(p for p in (root / "lexicons").glob("*") if p.suffix in LEXICON_SUFFIXES)
        return manifest, reach, rules, [(p, None) for p in lexicons]
    if _inside(manifest_path, reach, display_name(manifest_path), None, bag) is None:
        return manifest, reach, [], []
    source = _read(manifest_path, bag, None)
    if source is None:
        return manifest, reach, [], []
    sources[source.name] = source
    doc = YamlDoc.parse(source, bag)
    fields = doc.mapping(doc.root, MANIFEST_KEYS, what="pack manifest") if doc else None
    if doc is None or not fields:
        return manifest, reach, [], []
    reach = Reach(reach.root, tuple(_dependencies(reach.root, doc, fields, bag)))
    overlap = doc.string(fields, "overlap") or "longest"
    if overlap not in ast.OVERLAP_POLICIES:
        bag.add("RX308", f"unknown overlap policy `{overlap}`", doc.span(fields["overlap"][1]),
                "choose one of: " + ", ".join(ast.OVERLAP_POLICIES))
        overlap = "longest"
    manifest = Manifest(
        name=doc.string(fields, "name", required=True) or manifest.name,
        version=doc.string(fields, "version") or "0.0.0",
        description=doc.string(fields, "description") or "",
        overlap=overlap,
        output=tuple(doc.string_list(fields, "output") or ()),
        timeout_ms=doc.integer(fields, "timeout_ms") or 250,
        sentence_budget_ms=doc.integer(fields, "sentence_budget_ms") or Manifest.sentence_budget_ms,
        document_budget_ms=doc.integer(fields, "document_budget_ms") or Manifest.document_budget_ms,
        dateline=doc.string(fields, "dateline"),
        dateline_span=doc.span(fields["dateline"][1]) if "dateline" in fields else None,
        attributes=read_attributes(doc, fields["attributes"][1], bag) if "attributes" in fields else (),
        tests=_test_globs(root, reach, doc, fields, bag),
        dependencies=tuple(str(d) for d in reach.dependencies),
    )
    rules = _expand(root, reach, doc, fields, "files", bag, default="*.rulex")
    lexicons = _expand(root, reach, doc, fields, "lexicons", bag, default=None)
    return manifest, reach, [p for p, _ in rules if p.name != MANIFEST], lexicons


def _dependencies(root: Path, doc: YamlDoc | None, fields, bag: DiagnosticBag) -> list[Path]:
    """The directories listed under `dependencies:`, resolved; a missing one is an RX200."""
    if doc is None or "dependencies" not in fields:
        return []
    out = []
    node = fields["dependencies"][1]
    for item in [node] if isinstance(node, yaml.ScalarNode) else doc.sequence(node, "dependencies") or []:
        if not isinstance(item, yaml.ScalarNode) or not str(item.value).strip():
            bag.add("RX203", "every item of `dependencies` must be a directory (a path relative to the pack)",
                    doc.span(item))
            continue
        name = str(item.value)
        try:
            folder = (root / name).resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            bag.add("RX200", f"dependency `{name}` not found (no directory {display_name(root / name)})",
                    doc.span(item), "dependencies are directories, relative to the pack folder")
            continue
        if not folder.is_dir():
            bag.add("RX200", f"dependency `{name}` is not a directory", doc.span(item),
                    "list the directory that holds the shared files")
            continue
        out.append(folder)
    return out


MAGIC = re.compile(r"[*?\[]")


def _glob_base(root: Path, reach: Reach, pattern: str, span: Span, bag: DiagnosticBag) -> tuple[Path, str] | None:
    """The folder a manifest glob starts from (its part before any wildcard, which may climb
    out with `..` only into a dependency) and the rest of it; None, reported, when it leaves."""
    if PurePosixPath(pattern).is_absolute() or PureWindowsPath(pattern).is_absolute():
        bag.add("RX200", f"`{pattern}` is an absolute path; the globs of pack.yaml are relative to the pack", span,
                "write the glob relative to the pack folder; for files outside it, list their directory under "
                "`dependencies:` and write `../shared/*.yaml`")
        return None
    parts = PurePosixPath(pattern).parts
    fixed = next((i for i, part in enumerate(parts) if MAGIC.search(part)), len(parts))
    if ".." in parts[fixed:]:
        bag.add("RX200", f"`{pattern}` has `..` after a wildcard", span,
                "`..` may only come first, to reach a directory listed under `dependencies:`")
        return None
    base = root.joinpath(*parts[:fixed]) if fixed else root
    if ".." in parts[:fixed] and _inside(base, reach, f"`{pattern}`", span, bag) is None:
        return None
    return base, "/".join(parts[fixed:])


def _glob(root: Path, reach: Reach, pattern: str, span: Span, bag: DiagnosticBag) -> list[Path] | None:
    """The files a manifest glob names that the pack may read (None when the glob is refused)."""
    start = _glob_base(root, reach, pattern, span, bag)
    if start is None:
        return None
    base, rest = start
    try:
        matches = sorted(base.glob(rest)) if rest else [base] if base.exists() else []
    except (ValueError, NotImplementedError, OSError, RuntimeError) as err:
        bag.add("RX200", f"bad glob `{pattern}`: {err}", span)
        return None
    if not matches:
        bag.add("RX200", f"`{pattern}` names no file in {display_name(root)}", span)
    return [m for m in matches if m.is_file()
            and _inside(m, reach, f"`{pattern}` names {display_name(m)}, which", span, bag)]


def _expand(root: Path, reach: Reach, doc: YamlDoc, fields, key: str, bag: DiagnosticBag,
            default: str | None) -> list[tuple[Path, Span | None]]:
    """Paths (globs allowed) listed under `key` of the manifest, with the span that named them."""
    if key not in fields:
        if not default:
            return []
        return [(p, None) for p in sorted(root.glob(default))
                if _inside(p, reach, f"`{default}` names {display_name(p)}, which", None, bag)]
    items = doc.sequence(fields[key][1], key) or []
    out: list[tuple[Path, Span | None]] = []
    for item in items:
        if not isinstance(item, yaml.ScalarNode):
            bag.add("RX203", f"every item of `{key}` must be a glob (text)", doc.span(item))
            continue
        pattern = str(item.value)
        out.extend((m, doc.span(item)) for m in _glob(root, reach, pattern, doc.span(item), bag) or ())
    return out


def _test_globs(root: Path, reach: Reach, doc: YamlDoc, fields, bag: DiagnosticBag) -> tuple[str, ...]:
    """The manifest's `tests:` globs that stay inside what the pack may read."""
    globs = doc.string_list(fields, "tests")
    if not globs:
        return ("tests/*.txt",)
    span = doc.span(fields["tests"][1])
    return tuple(g for g in globs if _glob_base(root, reach, g, span, bag) is not None)


def _is_lexicon(path: Path) -> bool:
    """True for YAML files that are not rule files: lexicons (`entries:`) and the manifest."""
    if path.suffix == ".rulex":
        return False
    if path.name == MANIFEST:
        return True
    try:
        head = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return re.search(r"(?m)^entries\s*:", head) is not None


def parse_rule_file(source: SourceFile, bag: DiagnosticBag) -> ast.RuleFile | None:
    """A rule file (`.rulex` or YAML) read into its items; None for YAML that could not be read."""
    if source.name.endswith(".rulex"):
        from . import parser  # Lark loads only when rule text is parsed (not for a cached pack)
        return parser.parse_file(source, bag)
    return _parse_yaml_rules(source, bag)


def _parse_yaml_rules(source: SourceFile, bag: DiagnosticBag) -> ast.RuleFile | None:
    """The YAML form: metadata as keys, patterns as strings in the pattern syntax."""
    doc = YamlDoc.parse(source, bag)
    if doc is None:
        return None
    fields = doc.mapping(doc.root, RULE_FILE_KEYS, what="rule file")
    if fields is None:
        return None
    kind = "event" if "event" in fields else "entity" if "entity" in fields else None
    if kind is None:
        bag.add("RX203", "a YAML rule file needs `event: Type` or `entity: Type`", doc.span(doc.root))
        return None
    type_name = doc.string(fields, kind, required=True) or ""
    defines, unparsed = [], []
    if "defines" in fields:
        node = fields["defines"][1]
        for key_node, value_node in (node.value if isinstance(node, yaml.MappingNode) else ()):
            pattern = _yaml_pattern(doc, value_node, bag)
            if pattern is not None:
                defines.append(ast.Define(str(key_node.value), pattern, doc.span(key_node)))
            else:
                unparsed.append(doc.source.text[value_node.start_mark.index:value_node.end_mark.index])
    imports = [ast.Import(str(n.value), doc.span(n))
               for n in (doc.sequence(fields["imports"][1], "imports") or [] if "imports" in fields else [])]
    rules = []
    for node in (doc.sequence(fields["rules"][1], "rules") or [] if "rules" in fields else []):
        rule = _yaml_rule(doc, node, kind, type_name, bag)
        if rule is not None:
            rules.append(rule)
        else:
            unparsed.append(doc.source.text[node.start_mark.index:node.end_mark.index])
    return ast.RuleFile(source.name, tuple(rules), tuple(defines), tuple(imports), unparsed=tuple(unparsed))


def _yaml_pattern(doc: YamlDoc, node: yaml.Node, bag: DiagnosticBag) -> ast.Pattern | None:
    if not isinstance(node, yaml.ScalarNode):
        written = doc.source.text[node.start_mark.index:node.end_mark.index]
        hint = None
        if written[:1] in "{[" and "\n" not in written:
            kind = "mapping" if written[0] == "{" else "list"
            quoted = written.replace('"', '\\"')
            hint = f"in YAML a value that starts with `{written[0]}` is read as a {kind}: quote it: \"{quoted}\""
        bag.add("RX203", "a pattern must be a string", doc.span(node), hint)
        return None
    text, span_of = doc.text_with_positions(node)
    from . import parser
    return parser.parse_pattern(text, span_of, bag)


def _yaml_rule(doc: YamlDoc, node: yaml.Node, kind: str, type_name: str, bag: DiagnosticBag) -> ast.Rule | None:
    fields = doc.mapping(node, RULE_KEYS, what="rule")
    if fields is None:
        return None
    rule_id = doc.string(fields, "id", required=True, span_of=node)
    if rule_id is None:
        return None
    span = doc.span(fields["id"][1])
    template = None
    if "pattern" in fields:
        pattern = _yaml_pattern(doc, fields["pattern"][1], bag)
        pattern_span = doc.span(fields["pattern"][1])
    elif "template" in fields:
        pattern, template = _yaml_template(doc, fields, bag)
        pattern_span = doc.span(fields["template"][1])
    else:
        bag.add("RX306", f"rule `{rule_id}` has no pattern", span, "add `pattern:` or `template:`")
        return None
    if pattern is None:
        return None
    options: dict = {}
    if "priority" in fields:
        options["priority"] = doc.integer(fields, "priority") or 0
    if "overlap" in fields:
        value = doc.string(fields, "overlap")
        if value in ast.OVERLAP_POLICIES:
            options["overlap"] = value
        else:
            bag.add("RX308", f"unknown overlap `{value}`", doc.span(fields["overlap"][1]),
                    "choose one of: " + ", ".join(ast.OVERLAP_POLICIES))
    if "case" in fields:
        value = doc.string(fields, "case")
        if value in ("sensitive", "insensitive"):
            options["case_sensitive"] = value == "sensitive"
        else:
            bag.add("RX308", f"unknown case `{value}`", doc.span(fields["case"][1]),
                    "choose one of: sensitive, insensitive")
    for key, attr in ast.CONTEXT_CLAUSES:
        if key in fields:
            options[attr] = _yaml_pattern(doc, fields[key][1], bag)
    if "set" in fields:
        options["sets"] = _yaml_sets(doc, fields["set"][1], bag)
    if "find" in fields:
        options["searches"] = tuple(s for s in (_yaml_search(doc, n, bag) for n in doc.sequence(fields["find"][1], "find") or [])
                                    if s is not None)
    examples = []
    for item in (doc.sequence(fields["examples"][1], "examples") or [] if "examples" in fields else []):
        examples.append(_yaml_example(doc, item, bag))
    for key in ("counter", "counters"):
        if key in fields:
            node_ = fields[key][1]
            items = [node_] if isinstance(node_, yaml.ScalarNode) else doc.sequence(node_, key) or []
            examples += [ast.Example(str(n.value), False, doc.span(n)) for n in items]
    return ast.Rule(rule_id, kind, type_name, pattern, span, template=template, pattern_span=pattern_span,
                    examples=tuple(e for e in examples if e is not None), **options)


def _yaml_sets(doc: YamlDoc, node: yaml.Node, bag: DiagnosticBag) -> tuple[ast.FixedValue, ...]:
    """`set: {injury: true}`: attributes every event of the rule carries (plain values only)."""
    fields = doc.mapping(node, None, what="`set`") or {}
    out = []
    for name, (key_node, value_node) in fields.items():
        if not isinstance(value_node, yaml.ScalarNode):
            bag.add("RX203", f"`set: {name}` must be a single value (true, false, a number or text)", doc.span(value_node))
            continue
        out.append(ast.FixedValue(name, doc.plain(value_node), doc.span(key_node)))
    return tuple(out)


def _yaml_search(doc: YamlDoc, node: yaml.Node, bag: DiagnosticBag) -> ast.Search | None:
    """A `find:` item: a pattern string, or `{pattern, direction: before|after|either, scope: clause|sentence}`."""
    if isinstance(node, yaml.ScalarNode):
        pattern = _yaml_pattern(doc, node, bag)
        return None if pattern is None else ast.Search(pattern, ast.Direction.EITHER, ast.Scope.CLAUSE, doc.span(node))
    fields = doc.mapping(node, FIND_KEYS, what="find")
    if fields is None or "pattern" not in fields:
        bag.add("RX203", "a `find:` item needs `pattern:`", doc.span(node))
        return None
    pattern = _yaml_pattern(doc, fields["pattern"][1], bag)
    choices = {"direction": ([d.value for d in ast.Direction], ast.Direction.EITHER.value),
               "scope": ([s.value for s in ast.Scope], ast.Scope.CLAUSE.value)}
    chosen = {}
    for key, (allowed, default) in choices.items():
        value = doc.string(fields, key) if key in fields else default
        if value not in allowed:
            bag.add("RX308", f"unknown {key} `{value}`", doc.span(fields[key][1]), "choose one of: " + ", ".join(allowed))
            return None
        chosen[key] = value
    if pattern is None:
        return None
    return ast.Search(pattern, ast.Direction(chosen["direction"]), ast.Scope(chosen["scope"]), doc.span(node))


def _yaml_example(doc: YamlDoc, node: yaml.Node, bag: DiagnosticBag) -> ast.Example | None:
    if isinstance(node, yaml.ScalarNode):
        return ast.Example(str(node.value), True, doc.span(node))
    fields = doc.mapping(node, EXAMPLE_KEYS, what="example")
    if not fields or "text" not in fields:
        bag.add("RX203", "an example needs `text:`", doc.span(node))
        return None
    expected = []
    if "args" in fields and isinstance(fields["args"][1], yaml.MappingNode):
        for key_node, value_node in fields["args"][1].value:
            value = doc.plain(value_node)
            span = doc.span(key_node)
            if isinstance(value, dict):
                expected.append(ast.ExpectedArg(str(key_node.value), str(value.get("text", "")), span,
                                                value.get("value"), "value" in value))
            else:
                expected.append(ast.ExpectedArg(str(key_node.value), str(value), span))
    return ast.Example(str(fields["text"][1].value), True, doc.span(fields["text"][1]), tuple(expected))


SLOT_DECL = re.compile(r"^\s*(?P<types>[A-Za-z_][\w]*(?:\s*\|\s*[A-Za-z_]\w*)*)\s*(?:as\s+(?P<role>[a-z_]\w*))?\s*$")


def _yaml_template(doc: YamlDoc, fields, bag: DiagnosticBag):
    """`template:` plus `where: {X: "Actor as attacker"}`."""
    node = fields["template"][1]
    text, span_of = doc.text_with_positions(node)
    slots = []
    where = fields.get("where", (None, None))[1]
    for key_node, value_node in (where.value if isinstance(where, yaml.MappingNode) else ()):
        name = str(key_node.value)
        optional = name.endswith("?")
        m = SLOT_DECL.match(str(value_node.value))
        if m is None:
            bag.add("RX100", f"bad slot declaration `{value_node.value}`", doc.span(value_node),
                    "write it as `Type as role`, e.g. `Actor as attacker`")
            continue
        span = doc.span(value_node)
        types = tuple(ast.TypeRef(t.strip(), span) for t in m.group("types").split("|"))
        slots.append(ast.SlotDecl(name.rstrip("?"), types, m.group("role") or name.rstrip("?").lower(),
                                  optional, span))
    template = ast.Template(text, tuple(slots), doc.span(node))
    from . import parser
    return parser.parse_template(text, template.slots, span_of, bag), template
