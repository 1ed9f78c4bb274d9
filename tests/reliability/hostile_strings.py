"""Text a hostile or careless user might type or upload: SQL, HTML, script, markdown links, formulas,
format strings, control characters and scripts from far away. Used by the hostile-input tests."""

import pandas as pd

from indicators.models import Indicator, Source

HOSTILE = [
    "x'); DROP TABLE observation;--",
    'Robert"); DELETE FROM batch WHERE 1=1; --',
    "' OR '1'='1",
    "1; UPDATE observation SET value = 0; SELECT '",
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "[click me](javascript:alert(1))",
    "![pixel](https://evil.example/track.png)",
    "**bold** _italic_ `code` # heading ~~strike~~ > quote",
    "$x^2$ :material/home: :red[red text] :smile:",
    "O'Brien \\' \\\" ; -- /* comment */",
    "line one\nline two\r\n\ttabbed",
    "nul\x00byte and bell\x07",
    "%s %d {0} {name} ? $1 :param",
    '=HYPERLINK("https://evil.example","click")',
    "Ђорђе Србија · Zürich · 中文 · 🇷🇸🇺🇸 · \u202eevil\u202c",
    "<a href='https://evil.example'>link</a>",
    "bare addresses: https://evil.example/login www.evil.example someone@evil.example",
]


def store_hostile(store, kind: str = "user") -> None:
    """Every hostile string as a source title, an indicator name, a quote, a note, an editor, a reason."""
    for number, text in enumerate(HOSTILE):
        ident = f"hostile_{number}"
        store.save_source(
            Source(id=ident, title=text, publisher=text, authors=text, note=text, kind=kind), who=text, reason=text
        )
        store.save_indicator(
            Indicator(
                id=ident, name=text, unit="percent", category="economy", description=text, benchmark_label=text,
                benchmark_value=1.0,
            ),
            who=text,
            reason=text,
        )  # fmt: skip
        rows = pd.DataFrame(
            {
                "indicator_id": [ident],
                "entity": ["SRB"],
                "period": ["2020"],
                "period_start": [pd.Timestamp("2020-01-01")],
                "value": [float(number)],
                "qualifier": ["about"],
                "source_id": [ident],
                "quote": [text],
                "note": [text],
            }
        )
        store.write_observations(rows, kind="edit", who=text, reason=text)
