from . import aftersales_report_ratio
from . import aftersales_profitability_report
from . import aftersales_reliability_report
