from . import aftersales_report_mixin
from . import aftersales_service_level_report
from . import aftersales_utilisation_report
from . import aftersales_hour_bank_report
from . import aftersales_report_ratio
from . import aftersales_profitability_report
from . import aftersales_reliability_report
