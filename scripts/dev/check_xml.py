"""Fail when an XML file tracked by git does not parse."""

import subprocess
import sys

from lxml import etree

files = subprocess.run(
    ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.xml"],
    capture_output=True,
    text=True,
    check=True,
).stdout.split()
errors = 0
for path in files:
    try:
        etree.parse(path)
    except etree.XMLSyntaxError as exc:
        errors += 1
        print(f"{path}: {exc}")
print(f"check_xml: {len(files)} XML files, {errors} not well-formed")
sys.exit(1 if errors else 0)
