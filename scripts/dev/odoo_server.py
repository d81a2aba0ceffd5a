"""Odoo's command line as a script file, for the prefork server.

`python -m odoo` serves well with threads, but with --workers Odoo starts its
long-polling process by running its own sys.argv[0] again, which must then be a script.
"""

import odoo.cli

if __name__ == "__main__":
    odoo.cli.main()
