"""19.0.1.3.0: a contract's fees are net of their credit notes.

* The lines of the credit notes posted before the upgrade did not keep the contract line
  of the lines they reverse: they get it here, matched line by line (same product, in
  the order of the lines, as the reversal copied them).
* The contracts' stored fees, revenue and margins follow the reports' fee rule
  (``fee_lines_query``): computed again for every contract."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    cr.execute(
        """
        WITH original AS (
            SELECT l.move_id, l.product_id, l.aftersales_contract_line_id,
                   ROW_NUMBER() OVER (PARTITION BY l.move_id, l.product_id ORDER BY l.id) AS rank
              FROM account_move_line l
             WHERE l.display_type = 'product'
               AND l.move_id IN (
                    SELECT m.reversed_entry_id FROM account_move m
                     WHERE m.reversed_entry_id IS NOT NULL
               )
        ), reversal AS (
            SELECT l.id, m.reversed_entry_id, l.product_id, l.aftersales_contract_line_id,
                   ROW_NUMBER() OVER (PARTITION BY l.move_id, l.product_id ORDER BY l.id) AS rank
              FROM account_move_line l
              JOIN account_move m ON m.id = l.move_id
             WHERE m.reversed_entry_id IS NOT NULL AND l.display_type = 'product'
        )
        UPDATE account_move_line target
           SET aftersales_contract_line_id = original.aftersales_contract_line_id
          FROM reversal
          JOIN original
            ON original.move_id = reversal.reversed_entry_id
           AND original.product_id = reversal.product_id
           AND original.rank = reversal.rank
         WHERE target.id = reversal.id
           AND reversal.aftersales_contract_line_id IS NULL
           AND original.aftersales_contract_line_id IS NOT NULL
        """
    )
    env = api.Environment(cr, SUPERUSER_ID, {})
    contracts = env["aftersales.contract"].with_context(active_test=False).search([])
    field = contracts._fields["fee_revenue"]
    for computed in env.registry.field_computed.get(field, [field]):
        env.add_to_compute(computed, contracts)
    # and the revenue and margins computed from the fees
    contracts.modified(["fee_revenue"])
    env.flush_all()
