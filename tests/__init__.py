from . import test_contract_invoicing
from . import test_window_actions
from . import test_ticket_coverage
from . import test_ticket_sla
from . import test_ticket_intake
from . import test_ticket_assignment
from . import test_ticket_security
from . import test_ticket_bad_input
