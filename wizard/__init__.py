from . import aftersales_contract_equipment_wizard
from . import aftersales_contract_equipment_wizard_line
from . import aftersales_hour_topup_wizard
from . import aftersales_invoice_due_wizard
