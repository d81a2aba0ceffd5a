from . import test_contract_constraints
from . import test_contract_generation
from . import test_contract_invoicing
from . import test_contract_invoicing_queries
from . import test_contract_portal
from . import test_contract_renewal
from . import test_warranty_registry
from . import test_window_actions
