from . import aftersales_report_mixin
from . import aftersales_service_level_report
from . import aftersales_utilisation_report
from . import aftersales_hour_bank_report
