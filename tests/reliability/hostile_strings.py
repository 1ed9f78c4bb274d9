"""Text a hostile or careless user might type or upload: SQL, HTML, script, markdown links, formulas,
format strings, control characters and scripts from far away. Used by the hostile-input tests."""

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
]
