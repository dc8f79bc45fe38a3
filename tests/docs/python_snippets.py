#!/usr/bin/python3
"""Runs the Python snippets of a Markdown page as a reader would: every
```python block in order, in one interpreter, so later blocks see the names
earlier ones defined. It runs in a fresh temporary directory that links the
repository's scenarios/ (the page says to run the snippets from the
repository root; the temporary directory keeps the files they write out of
the source tree). TIERSIM_BIN names the binary, as the page says.

usage: python_snippets.py PAGE.md REPOSITORY_ROOT
"""
import os
import re
import sys
import tempfile


def snippets(page):
    with open(page, encoding="utf-8") as f:
        text = f.read()
    blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
    if not blocks:
        sys.exit(f"{page}: no ```python blocks: nothing to test")
    return blocks


def main():
    page, root = sys.argv[1], os.path.abspath(sys.argv[2])
    blocks = snippets(os.path.abspath(page))
    os.environ.setdefault("MPLBACKEND", "Agg")  # figures without a display
    with tempfile.TemporaryDirectory() as work:
        os.symlink(os.path.join(root, "scenarios"), os.path.join(work, "scenarios"))
        os.chdir(work)
        names = {"__name__": "__main__"}
        for number, code in enumerate(blocks, 1):
            print(f"--- {page} block {number} ---", flush=True)
            exec(compile(code, f"{page}[block {number}]", "exec"), names)
    print(f"{len(blocks)} blocks ran", flush=True)


if __name__ == "__main__":
    main()
