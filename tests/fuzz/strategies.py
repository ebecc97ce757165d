"""Hypothesis strategies for hostile inputs: text that is almost a valid file, and structures that are
almost a valid population, with the characters and numbers that broke parsers before (issue 10)."""

from __future__ import annotations

import json

from hypothesis import strategies as st

#: Characters that mean something to some format, or to no format at all.
SPECIAL = "#>=:,;{}[]()!$*_<&'\"\\`|~@+-.% /"
HOSTILE_CHARS = (
    "\t",
    "\r",
    "\n",
    "\r\n",
    "\u2028",
    "\x85",
    "\x0b",
    "\x1c",
    "\ufeff",
    "\ud800",
    "\udfff",
    "\x00",
    "\x7f",
    "é",
    "😀",
    "\u200b",
    "١",
    "²",
    "ﬁ",
    "Ａ",
)
#: Names that broke something, or look like markup.
HOSTILE_NAMES = (
    "[Session expired: click](https://example.com)",
    "![t](http://host/x.png)",
    "$x$",
    "<a href=x>y</a>",
    "**b**",
    ":red[R]",
    "=HYPERLINK(\"http://x\")",
    "-2+3",
    "+1",
    "@SUM(A1)",
    "'-x",
    "A#B",
    "B>C",
    "C=D",
    "x:y",
    "1",
    "01",
    "1.0",
    "nan",
    "None",
    "True",
    "",
    " ",
    "\ufeffA",
    "A\ufeff",
    "\ud83d",
    "A\nB",
    "A\rB",
    "A\u2028B",
    "a" * 300,
    "{1,2}",
    "# comment",
    "A, B",
    "\"q\"",
    "x\x00y",
    "ＡＢ",
    "www.example.com",
    "a@b.co",
)
NUMBER_TEXTS = (
    "0",
    "1",
    "2",
    "3",
    "-1",
    "0.5",
    "1e-5",
    "1e15",
    "1e16",
    "1e308",
    "1e309",
    "1e-320",
    "nan",
    "inf",
    "-inf",
    "1_000",
    "١",
    "²",
    "9" * 5000,
    "True",
    "0x10",
    " 2 ",
    "",
    "1e",
    "+3",
    ".5",
    "5.",
    "99999999999",
    "2.0000000000000004",
)


@st.composite
def mostly(draw, valid: st.SearchStrategy, hostile: st.SearchStrategy, ratio: int = 9):
    """``valid`` about ``ratio`` times as often as ``hostile``: most inputs get deep into the parser (and
    back out through the round trip), the rest probe its edges."""
    return draw(hostile if draw(st.integers(0, ratio)) == 0 else valid)


@st.composite
def names(draw, hostile: bool = True) -> str:
    plain = st.text(alphabet=st.sampled_from(list("ABCDEFGH")), min_size=1, max_size=3)
    odd = st.lists(
        st.sampled_from(list("ABCxyz01") + list(SPECIAL) + ["é", "😀", "ﬁ", "Ａ", "​"]), min_size=1, max_size=6
    ).map("".join)
    if not hostile:
        return draw(mostly(plain, odd))
    worst = st.one_of(
        st.sampled_from(HOSTILE_NAMES),
        st.lists(st.sampled_from(list("AB") + list(SPECIAL) + list(HOSTILE_CHARS)), min_size=1, max_size=6).map(
            "".join
        ),
    )
    return draw(mostly(plain, st.one_of(odd, worst), ratio=5))


def name_pools(min_size: int = 1, max_size: int = 4, unique: bool = False) -> st.SearchStrategy[list[str]]:
    """A few names: mostly ordinary ones (so that the input gets parsed through), sometimes hostile."""
    return mostly(
        st.lists(names(hostile=False), min_size=min_size, max_size=max_size, unique=unique),
        st.lists(names(), min_size=min_size, max_size=max_size, unique=unique),
        ratio=3,
    )


def number_texts() -> st.SearchStrategy[str]:
    return mostly(
        st.integers(1, 9).map(str),
        st.one_of(st.sampled_from(NUMBER_TEXTS), st.floats(allow_nan=True, allow_infinity=True).map(repr)),
    )


def line_breaks() -> st.SearchStrategy[str]:
    return mostly(st.just("\n"), st.sampled_from(["\r\n", "\r", "\u2028", "\n\n", "\x85"]), ratio=3)


@st.composite
def ranking_lines(draw, pool: list[str]) -> str:
    n = draw(st.integers(1, 5))
    chosen = draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n))
    seps = draw(
        st.lists(mostly(st.sampled_from([" > ", " = ", ">", "  >  "]), st.just(" , ")), min_size=n - 1, max_size=n - 1)
    )
    body = chosen[0] + "".join(s + c for s, c in zip(seps, chosen[1:]))
    weight = draw(st.one_of(st.none(), number_texts()))
    comment = draw(mostly(st.just(""), st.sampled_from(["  # note", "#", " #x>y"]), ratio=3))
    return (f"{weight}: " if weight is not None else "") + body + comment


@st.composite
def ranking_texts(draw) -> str:
    """The text syntax ``3: B > R = G``, mostly well formed, with hostile names and line breaks."""
    pool = draw(name_pools(max_size=5))
    lines = draw(
        st.lists(
            mostly(ranking_lines(pool), st.sampled_from(["", "# c", "  ", ":", "3:", "> A"]), ratio=5),
            min_size=1,
            max_size=6,
        )
    )
    text = ""
    for line in lines:
        text += line + draw(line_breaks())
    return draw(mostly(st.just(""), st.just("\ufeff"), ratio=3)) + text


@st.composite
def preflib_texts(draw) -> str:
    """PrefLib headers and order lines: declared counts and names, orders with ties, near misses."""
    m = draw(st.integers(1, 5))
    kind = draw(mostly(st.sampled_from(["toi", "toc", "soi", "soc"]), st.sampled_from(["SOC", "xyz", "", "soc extra"])))
    header = [f"# DATA TYPE: {kind}"] if kind else []
    header.append("# NUMBER ALTERNATIVES: " + draw(mostly(st.just(str(m)), number_texts())))
    named = draw(st.booleans())
    if named:
        pool = draw(name_pools(min_size=m, max_size=m, unique=True))
        for i in range(1, m + 1):
            index = draw(number_texts()) if draw(st.integers(0, 20)) == 0 else str(i)
            header.append(f"# ALTERNATIVE NAME {index}: {pool[i - 1]}")
    lines = []
    for _ in range(draw(mostly(st.integers(1, 5), st.just(0)))):
        items = draw(st.permutations(list(range(1, m + 1))))
        items = items[: draw(st.integers(1, m))] if kind in ("soi", "toi") and draw(st.booleans()) else items
        tokens, i = [], 0
        while i < len(items):
            size = draw(st.integers(1, 2)) if kind in ("toc", "toi") else draw(mostly(st.just(1), st.just(2)))
            group = [str(x) for x in items[i : i + size]]
            tokens.append(group[0] if len(group) == 1 else "{" + ",".join(group) + "}")
            i += size
        if draw(st.integers(0, 12)) == 0:
            tokens.append(draw(st.sampled_from(["0", "99", "{}", "{1", "x", str(m + 1), "1", ""])))
        count = draw(mostly(st.integers(1, 5).map(str), number_texts()))
        lines.append(f"{count}: {','.join(tokens)}")
    if draw(st.integers(0, 8)) == 0:
        lines.insert(draw(st.integers(0, len(lines))), "# ALTERNATIVE NAME 1: late")
    brk = draw(line_breaks())
    return brk.join(header + lines) + draw(st.sampled_from(["", brk]))


def csv_cell(value: str) -> str:
    """A CSV cell, quoted the way the csv module would (and when it starts with a space)."""
    if any(c in value for c in ",\"\n\r") or value.startswith(" "):
        return '"' + value.replace('"', '""') + '"'
    return value


@st.composite
def rankings_csvs(draw) -> str:
    header = draw(
        mostly(
            st.sampled_from(["weight,ranking", "ranking,weight", "Ranking , Weight"]),
            st.sampled_from(["ranking", "rank,weight", "weight,ranking,extra", "", "ranking,ranking"]),
        )
    )
    pool = draw(name_pools())
    rows = []
    for _ in range(draw(st.integers(0, 5))):
        ranking = draw(st.one_of(ranking_lines(pool).map(lambda line: line.split(": ", 1)[-1]), names()))
        weight = draw(mostly(st.sampled_from(["1", "2", "0.5", "1e-05", "3"]), number_texts()))
        cells = [weight, ranking] if header.startswith("weight") else [ranking, weight]
        if draw(st.integers(0, 8)) == 0:
            cells = cells[:1]
        rows.append(",".join(csv_cell(c) for c in cells))
    brk = draw(line_breaks())
    return draw(st.sampled_from(["", "\ufeff"])) + brk.join([header, *rows]) + brk


@st.composite
def comparison_tables(draw) -> list[dict]:
    """Rows of a comparison table: chosen, rejected, maybe prompt and a voter column, with hostile values."""
    pool = draw(name_pools(min_size=2, unique=True))
    voter = draw(st.sampled_from([None, "voter", "annotator", "type"]))
    prompts = draw(mostly(st.just(["p"]), st.lists(st.sampled_from(["p", "q", "", "nan"]), min_size=1, max_size=2)))
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        chosen = draw(st.sampled_from(pool))
        others = [a for a in pool if a != chosen] or pool
        row = {"chosen": chosen, "rejected": draw(mostly(st.sampled_from(others), st.sampled_from(pool)))}
        if draw(st.booleans()):
            row["prompt"] = draw(st.sampled_from(prompts))
        if voter:
            row[voter] = draw(st.one_of(names(), st.integers(0, 5)))
        rows.append(row)
    return rows


@st.composite
def comparison_csvs(draw) -> str:
    rows = draw(comparison_tables())
    columns = list(dict.fromkeys(k for row in rows for k in row)) or ["chosen", "rejected"]
    if draw(st.integers(0, 6)) == 0:
        columns = draw(st.permutations(columns + ["extra"]))[: draw(st.integers(1, len(columns) + 1))]
    lines = [",".join(columns)]
    for row in rows:
        lines.append(",".join(csv_cell(str(row.get(c, ""))) for c in columns))
    brk = draw(line_breaks())
    return brk.join(lines) + brk


def json_values(max_leaves: int = 12) -> st.SearchStrategy:
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-3, 3),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        names(),
        st.sampled_from([10**30, 1e308, -1e308, 5e-324]),
    )
    return st.recursive(
        leaves,
        lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(names(), inner, max_size=4)),
        max_leaves=max_leaves,
    )


@st.composite
def jsonl_texts(draw) -> str:
    rows = draw(comparison_tables())
    lines = [json.dumps(row) for row in rows]
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):  # mixed rows: other shapes, types, garbage
        lines.insert(
            draw(st.integers(0, len(lines))),
            draw(
                st.one_of(
                    json_values().map(json.dumps),
                    st.builds(lambda c, r: json.dumps({"chosen": c, "rejected": r}), json_values(3), json_values(3)),
                    st.sampled_from(
                        [
                            "{",
                            "[1, 2]",
                            "null",
                            '{"chosen": NaN, "rejected": "a"}',
                            "1" * 5000,
                            "[" * 3000 + "]" * 3000,
                            '{"chosen": "a", "rejected": "b"} x',
                        ]
                    ),
                )
            ),
        )
    brk = draw(line_breaks())
    return brk.join(lines) + draw(st.sampled_from(["", brk]))


def suffixed(name, i: int):
    """Distinct type names (a name, or a number as JSON may hold one)."""
    return f"{name}{i}" if isinstance(name, str) else name


@st.composite
def population_dicts(draw) -> dict:
    """A population dict of every kind, mostly well formed, with fields of the wrong type now and then."""
    kind = draw(st.sampled_from(["rankings", "rewards", "comparisons", "matrix"]))
    pool = draw(name_pools(unique=True))
    d: dict = {"kind": kind}
    if draw(st.integers(0, 2)):
        d["alternatives"] = list(pool)
    if kind == "rankings":
        form = draw(st.sampled_from(["rankings", "text", "levels"]))
        if form == "rankings":
            d["rankings"] = [
                {
                    "ranking": draw(
                        st.one_of(
                            ranking_lines(pool).map(lambda line: line.split(": ", 1)[-1]),
                            st.lists(
                                st.one_of(st.sampled_from(pool), st.lists(st.sampled_from(pool), max_size=2)),
                                max_size=4,
                            ),
                        )
                    ),
                    "weight": draw(
                        mostly(
                            st.integers(1, 5),
                            st.one_of(st.floats(allow_nan=False), st.sampled_from([True, 1e308, 10**400, 0, -1, "2"])),
                        )
                    ),
                }
                for _ in range(draw(st.integers(0, 4)))
            ]
        elif form == "text":
            d["text"] = draw(ranking_texts())
        else:
            d["alternatives"] = list(pool)
            d["levels"] = draw(
                st.lists(
                    st.lists(
                        mostly(st.integers(0, 3), st.sampled_from([True, -1, 1.5, 2**40])),
                        min_size=len(pool),
                        max_size=len(pool),
                    ),
                    max_size=4,
                )
            )
            if draw(st.booleans()):
                d["weights"] = draw(
                    st.lists(
                        mostly(st.integers(1, 3), st.sampled_from([1e308, True, 0])),
                        min_size=len(d["levels"]),
                        max_size=len(d["levels"]),
                    )
                )
    elif kind == "rewards":
        d["types"] = [
            {
                "name": suffixed(
                    draw(mostly(names(hostile=False), st.one_of(names(), st.integers(-2, 2), st.just(10**30)))), t
                ),
                "weight": draw(mostly(st.integers(1, 3), st.sampled_from([1e308, True, 0.5]))),
                "rewards": {
                    a: draw(mostly(st.floats(-5, 5), st.sampled_from([True, 1e308, 10**400, "1"])))
                    for a in draw(mostly(st.just(pool), st.lists(st.sampled_from(pool), min_size=1, unique=True)))
                },
            }
            for t in range(draw(st.integers(0, 3)))
        ]
        if draw(st.booleans()):
            d["temperature"] = draw(
                mostly(
                    st.floats(0.1, 10), st.one_of(st.floats(allow_nan=False), st.sampled_from([True, "1", 0, 1e-300]))
                )
            )
    elif kind == "comparisons":
        d["comparisons"] = draw(comparison_tables())
    else:
        m = len(pool)
        d["alternatives"] = list(pool)
        d["matrix"] = [
            [
                0.5
                if i == j
                else draw(mostly(st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]), st.sampled_from([True, 2.0])))
                for j in range(m)
            ]
            for i in range(m)
        ]
        for i in range(m):
            for j in range(i + 1, m):
                if draw(st.integers(0, 9)):
                    d["matrix"][j][i] = 1 - d["matrix"][i][j] if not isinstance(d["matrix"][i][j], bool) else 0
    if draw(st.integers(0, 9)) == 0:  # a field of the wrong shape
        key = draw(st.sampled_from(sorted(d)))
        d[key] = draw(json_values(4))
    return d


@st.composite
def scenario_tomls(draw) -> str:
    """Scenario files: a generated or listed population with settings and claims, or one broken part."""
    lines = [
        'id = "fuzz"',
        'title = "t"',
        'summary = "s"',
        'narrative = "n"',
        'property = "p"',
        'page = "rules"',
        "constructed = true",
        'note = ""',
        "",
        "[source]",
        'paper = ""',
        'section = ""',
        "",
        "[settings]",
        "beta = "
        + draw(mostly(st.sampled_from(["1.0", "0.5", "2"]), st.sampled_from(["inf", "nan", "0", "1e400", "true"]))),
        "k = " + draw(mostly(st.sampled_from(["4", "1", "8"]), st.sampled_from(["0", "2000", "9" * 5000, "1.5"]))),
        "",
        "[population]",
    ]
    kind = draw(mostly(st.sampled_from(["generated", "rankings", "rewards"]), st.just("other")))
    if kind == "generated":
        generator = draw(
            mostly(
                st.sampled_from(
                    [
                        "impartial_culture",
                        "mallows",
                        "plackett_luce",
                        "urn",
                        "single_peaked",
                        "euclidean",
                        "reward_mixture",
                    ]
                ),
                st.just("nope"),
            )
        )
        lines += ['kind = "generated"', f'generator = "{generator}"']
        counts = mostly(
            st.sampled_from(["1", "3", "5", '["A", "B", "C"]']),
            st.sampled_from(["0", "-1", "60000", "99999999999", "1e3", "true", '"3"', "9" * 30]),
        )
        lines.append(f"{'n_types' if generator == 'reward_mixture' else 'n_voters'} = {draw(counts)}")
        lines.append(f"alternatives = {draw(counts)}")
        lines.append(f"seed = {draw(st.sampled_from(['1', '-1', str(2**70), '0']))}")
        extra = {
            "mallows": "phi",
            "urn": "alpha",
            "euclidean": "dimensions",
            "plackett_luce": None,
            "reward_mixture": "dimensions",
        }.get(generator)
        if extra:
            lines.append(
                f"{extra} = "
                + draw(mostly(st.sampled_from(["0.5", "2", "1"]), st.sampled_from(["1e9", "-1", "nan", "1000000000"])))
            )
        if generator == "plackett_luce":
            lines = [line for line in lines if not line.startswith("alternatives")]
            lines.append(
                "utilities = "
                + draw(
                    mostly(
                        st.sampled_from(["{ A = 1.0, B = 0.0 }", "[1.0, 2.0]"]),
                        st.sampled_from(["{ A = inf }", "{}", '"x"']),
                    )
                )
            )
        if generator == "reward_mixture":
            lines.append(f'model = "{draw(mostly(st.sampled_from(["spatial", "gaussian"]), st.just("x")))}"')
    elif kind == "rankings":
        pool = draw(st.lists(names(hostile=False), min_size=1, max_size=3, unique=True))
        lines += [
            'kind = "rankings"',
            "text = "
            + json.dumps(draw(ranking_texts()), ensure_ascii=False)
            .replace("\u2028", "\\u2028")
            .replace("\x85", "\\u0085"),
        ]
        if draw(st.booleans()):
            lines.append("alternatives = " + json.dumps(pool))
    elif kind == "rewards":
        pool = draw(name_pools(max_size=3, unique=True))
        lines += [
            'kind = "rewards"',
            "alternatives = " + json.dumps(pool),
            "temperature = " + draw(mostly(st.sampled_from(["1.0", "0.5"]), st.sampled_from(["0", "inf", "true"]))),
        ]
        for t in range(draw(st.integers(1, 3))):
            lines += [
                "",
                "[[population.types]]",
                f"name = {json.dumps(draw(names()) + str(t))}",
                "weight = 1",
                "rewards = { "
                + ", ".join(
                    f"{json.dumps(a)} = "
                    + draw(mostly(st.sampled_from(["1.0", "0", "-2.5"]), st.sampled_from(["nan", "true", "1e400"])))
                    for a in pool
                )
                + " }",
            ]
    else:
        lines.append(draw(st.sampled_from(['kind = "matrix"', "x = [" * 2000 + "]" * 2000, "kind = 5", ""])))
    if draw(st.integers(0, 5)) == 0:
        expected = draw(st.sampled_from(['"A"', "[1]", "true"]))
        lines += ["", "[[claims]]", 'kind = "condorcet_winner"', f"equals = {expected}"]
    if draw(st.integers(0, 10)) == 0:
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(["[", "x = ", '"\\ud800"', "\ufeff"])))
    brk = draw(mostly(st.just("\n"), st.sampled_from(["\r\n", "\r", "\u2028"]), ratio=5))
    return draw(mostly(st.just(""), st.just("\ufeff"), ratio=5)) + brk.join(lines) + "\n"


# ---------------------------------------------------------------------------- mutations
#: Inserted by text mutations: characters and tokens that mean something to some format.
TOKENS = (
    *SPECIAL,
    *HOSTILE_CHARS,
    "\n",
    "\n",
    "1e309",
    "9" * 5000,
    "0",
    "-",
    "#",
    ">",
    "=",
    ",",
    "{",
    "}",
    ":",
    "[",
    "]",
    '"',
    "'",
    "\\",
    "nan",
    "true",
    "[[[[[[[[",
    "}}}}",
    '{"',
    "\\ud800",
    "\\u0000",
    "=1+1",
    "@",
    *HOSTILE_NAMES[:8],
)
#: Put in place of a value by structure mutations.
VALUES = (
    None,
    True,
    False,
    0,
    -1,
    1,
    1.5,
    1e308,
    -1e308,
    10**400,
    float("nan"),
    float("inf"),
    "",
    " ",
    "x",
    "A > B",
    "\ud800",
    "[x](https://example.com)",
    [],
    {},
    [[[[]]]],
    ["A"],
    {"A": 1},
    "9" * 5000,
)
#: Ordinary values a structure mutation puts in as often as hostile ones (so that mutants still parse).
BENIGN = (1, 2, 3, 0.5, 0.25, "A", "B", "C", "A > B", ["A", "B"])


def mutate_text(text: str, rnd) -> str:
    """One random edit of ``text``: delete, insert a token, duplicate / swap / drop a line, change the line
    breaks, replace a number, or cut it short."""
    op = rnd.randrange(9)
    n = len(text)
    at = rnd.randrange(n + 1)
    if op == 0 and n:
        return text[:at] + text[at + rnd.randint(1, 5) :]
    if op in (1, 2):
        return text[:at] + rnd.choice(TOKENS) + text[at:]
    lines = text.split("\n")
    if op == 3:
        i = rnd.randrange(len(lines))
        lines.insert(i, lines[i])
        return "\n".join(lines)
    if op == 4 and len(lines) > 1:
        i, j = rnd.randrange(len(lines)), rnd.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
        return "\n".join(lines)
    if op == 5:
        return text.replace("\n", rnd.choice(["\r", "\r\n", "\u2028", "\n\n", ""]))
    if op == 6:
        digits = [i for i, c in enumerate(text) if c.isdigit()]
        if digits:
            i = rnd.choice(digits)
            return text[:i] + rnd.choice(["0", "-1", "1e309", "99999999999", "9" * 40, "1.5", "²"]) + text[i + 1 :]
    if op == 7:
        del lines[rnd.randrange(len(lines))]
        return "\n".join(lines)
    return text[:at]


def mutate_value(value, rnd, depth: int = 0):
    """A copy of a JSON-like ``value`` with one random change somewhere inside it."""
    if isinstance(value, dict) and value and depth < 6 and rnd.random() < 0.8:
        out = dict(value)
        key = rnd.choice(list(out))
        op = rnd.randrange(6)
        if op == 0:
            del out[key]
        elif op == 1:
            out[rnd.choice(["extra", "kind", "alternatives", "weight", "name", f"{key} "])] = rnd.choice(VALUES)
        else:
            out[key] = mutate_value(out[key], rnd, depth + 1)
        return out
    if isinstance(value, list) and value and depth < 6 and rnd.random() < 0.8:
        out = list(value)
        i = rnd.randrange(len(out))
        op = rnd.randrange(5)
        if op == 0:
            del out[i]
        elif op == 1:
            out.insert(i, out[i])
        else:
            out[i] = mutate_value(out[i], rnd, depth + 1)
        return out
    if isinstance(value, str) and rnd.random() < 0.5:
        return mutate_text(value, rnd)
    return rnd.choice(VALUES if rnd.random() < 0.5 else BENIGN)
