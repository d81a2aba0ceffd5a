# Shared plumbing: who writes which field, input limits, numbering, batch work and crons
from . import aftersales_field_policy
from . import aftersales_input_guard
from . import ir_sequence
from . import aftersales_numbering_mixin
from . import aftersales_cron_mixin

# Contracts, their lines, templates, revisions and price indexes
from . import aftersales_contract
from . import aftersales_contract_invoicing
from . import aftersales_contract_renewal
from . import aftersales_contract_generation
from . import aftersales_contract_hour_bank
from . import aftersales_contract_hour_bank_ledger
from . import aftersales_contract_preventive
from . import aftersales_contract_margin
from . import aftersales_contract_line
from . import aftersales_contract_template
from . import aftersales_contract_revision
from . import aftersales_price_index
from . import aftersales_price_index_value

# Hour banks: the ledger and its monthly summary
from . import aftersales_hour_move
from . import aftersales_hour_bank_month

# Coverage: what covers a serial on a day, shared by tickets and interventions
from . import aftersales_coverage_mixin

# Rate cards
from . import aftersales_rate_card
from . import aftersales_rate_card_zone

# Help desk: teams, stages, tickets
from . import aftersales_team
from . import aftersales_ticket_stage
from . import aftersales_ticket
from . import aftersales_ticket_sla
from . import aftersales_ticket_service_level
from . import aftersales_ticket_intake
from . import aftersales_ticket_actions
from . import aftersales_technician_capacity

# Interventions: worksheet, planning, stock, purchase, fleet, costing, billing, cancel
from . import aftersales_intervention
from . import aftersales_intervention_worksheet
from . import aftersales_intervention_planning
from . import aftersales_intervention_stock
from . import aftersales_intervention_purchase
from . import aftersales_intervention_fleet
from . import aftersales_intervention_costing
from . import aftersales_intervention_costing_lines
from . import aftersales_intervention_estimate
from . import aftersales_intervention_billing
from . import aftersales_intervention_invoicing
from . import aftersales_intervention_cancel
from . import aftersales_intervention_time
from . import aftersales_intervention_booking
from . import aftersales_intervention_charge

# Odoo's models the add-on extends, by app
from . import account_analytic_line
from . import account_move
from . import account_move_line
from . import fleet_vehicle
from . import fleet_vehicle_odometer
from . import hr_employee
from . import hr_expense
from . import hr_version
from . import ir_qweb_field_aftersales_hours
from . import product_template
from . import purchase_order
from . import repair_order
from . import res_company
from . import res_config_settings
from . import res_partner
from . import resource_calendar
from . import resource_calendar_leaves
from . import sale_order
from . import sale_order_line
from . import stock_lot
from . import stock_move
from . import stock_picking
from . import stock_scrap
