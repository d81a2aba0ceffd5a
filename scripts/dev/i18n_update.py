"""Refresh i18n/it.po from the module's current terms (make i18n).

Exports the terms with Odoo's own exporter, keeps every existing translation whose
msgid still exists, adds the new terms untranslated and drops the obsolete ones. The
file is written sorted, the way oca-checks-po wants it. Untranslated terms are listed:
`make test` fails until they are translated.
"""

import subprocess
import sys
import tempfile

import polib

SAME = "same in Italian"


def _translated(entry):
    """A term is translated when it has a msgstr, or is marked as the same in Italian
    (oca-checks-po wants the msgstr of such a term left empty)."""
    return bool(entry.msgstr) or entry.tcomment == SAME


def main(conf, database, python="python3"):
    with tempfile.NamedTemporaryFile(suffix=".pot") as pot_file:
        subprocess.run(
            [
                python,
                "-m",
                "odoo",
                "i18n",
                "export",
                "-c",
                conf,
                "-d",
                database,
                "-o",
                pot_file.name,
                "aftersales",
            ],
            check=True,
            capture_output=True,
        )
        pot = polib.pofile(pot_file.name)
    po = polib.pofile("i18n/it.po")
    if len(pot) < len(po) / 2:
        sys.exit(
            f"The export has {len(pot)} terms against {len(po)} in i18n/it.po: is the module "
            "installed and its manifest readable? i18n/it.po left as it was."
        )
    known = {(entry.msgctxt, entry.msgid): entry for entry in po}
    for entry in pot:
        old = known.get((entry.msgctxt, entry.msgid))
        if old:
            entry.msgstr = old.msgstr
            entry.tcomment = old.tcomment
    pot.metadata = po.metadata
    pot.header = po.header
    pot.sort(key=lambda entry: entry.msgid)
    with open("i18n/it.po", "w", encoding="utf-8") as out:
        out.write(str(pot))
    missing = [entry.msgid for entry in pot if not _translated(entry)]
    print(f"i18n/it.po: {len(pot)} terms, {len(missing)} untranslated")
    for msgid in missing:
        print("  untranslated:", msgid.replace("\n", "\\n")[:100])


if __name__ == "__main__":
    main(*sys.argv[1:])
