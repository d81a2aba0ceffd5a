import logging

from odoo import api, models
from odoo.exceptions import LockError, UserError

_logger = logging.getLogger(__name__)


class AftersalesCronMixin(models.AbstractModel):
    """Work done in batches: by the scheduled runs, and by the buttons that do the same
    work by hand.

    - ``_cron_in_batches``: the loop of every batch cron of the add-on (contract
      invoicing and renewal, preventive visits, *Invoice Due Interventions*, signed
      reports), as ``account.move._autopost_draft_entries`` runs it;
    - ``_batch_then_one_by_one`` and ``_one_by_one``: a batch in one go, and when it
      fails, each part in its own savepoint, so that one bad part stops only itself;
    - ``_lock_for_manual_run``: a button locks the records a cron may be working on,
      or tells the user that the scheduled run holds them.
    """

    _name = "aftersales.cron.mixin"
    _description = "After-Sales Batch Work"

    # ------------------------------------------------------------------
    # The cron loop
    # ------------------------------------------------------------------
    @api.model
    def _cron_in_batches(self, find, work, record_errors=None, lock=None, recheck=None, once=False):
        """Run a cron a batch at a time until nothing is left or its time is up:

        1. ``find(skipped)`` returns the next batch, leaving out the ids in ``skipped``,
           and how many records are left (None: as counted before);
        2. commit the progress. A commit releases every row lock, so the locks are taken
           after it, never before;
        3. lock the batch: ``lock(batch)`` returns the records of the batch this run
           holds (by default, the rows it could lock, ``try_lock_for_update``); what
           another transaction holds is skipped;
        4. re-check the records held against ``recheck``, a domain read after the lock:
           a concurrent run may have done them between the search and the lock;
        5. ``work(records)`` returns how many records count as done for the progress,
           and {record: error} of those that failed: they are skipped, and
           ``record_errors(errors)`` records them (on the record, in the log);
        6. commit the progress, and stop when the cron's time is up.

        A record done comes back in a later batch when it still matches (a contract's
        next period), unless ``once``; one skipped does not come back in this run.
        """
        Cron = self.env["ir.cron"]
        lock = lock or (lambda batch: batch.try_lock_for_update())
        skipped = set()
        while True:
            batch, remaining = find(list(skipped))
            if not batch:
                return
            Cron._commit_progress(remaining=remaining)
            # the first statement of the new transaction, which takes its snapshot
            locked = lock(batch)
            skipped.update((batch if once else batch - locked).ids)
            records = locked.filtered_domain(recheck) if recheck is not None else locked
            done, errors = work(records) if records else (0, {})
            if errors:
                skipped.update(record.id for record in errors)
                record_errors(errors)
            if Cron._commit_progress(done) <= 0:
                return

    @api.model
    def _cron_find(self, domain, batch_size, order=None):
        """A cron's next batch of ``domain`` and how many records are left (counted only
        when the batch is full)."""
        records = self.search(domain, limit=batch_size, order=order)
        remaining = self.search_count(domain) if len(records) == batch_size else len(records)
        return records, remaining

    # ------------------------------------------------------------------
    # A batch, then one by one
    # ------------------------------------------------------------------
    @api.model
    def _batch_then_one_by_one(self, work, batch, parts):
        """``work(batch)`` in a savepoint; when it fails, ``work(part)`` for each part of
        ``parts`` (a dict {key: part}, or a recordset whose records are their own keys)
        in its own savepoint, to isolate the culprit. Returns the results of the calls
        that went through and {key: exception} of the parts that failed."""
        try:
            with self.env.cr.savepoint():
                return [work(batch)], {}
        except Exception as error:  # noqa: BLE001 - retried one by one to isolate the culprit
            _logger.info("A batch failed (%s): retried one by one", error)
        return self._one_by_one(work, parts)

    @api.model
    def _one_by_one(self, work, parts, catch=Exception):
        """``work(part)`` for each part of ``parts`` (as in ``_batch_then_one_by_one``),
        each in its own savepoint; an exception of ``catch`` stops only its part. Returns
        the results of the calls that went through and {key: exception}."""
        if isinstance(parts, models.BaseModel):
            parts = {record: record for record in parts}
        results, errors = [], {}
        for key, part in parts.items():
            try:
                with self.env.cr.savepoint():
                    results.append(work(part))
            except catch as error:
                errors[key] = error
        return results, errors

    # ------------------------------------------------------------------
    # Buttons that do a cron's work
    # ------------------------------------------------------------------
    def _lock_for_manual_run(self, busy_message):
        """Lock ``self`` for a button that does what a cron does, or tell the user, with
        ``busy_message``, that the scheduled run is working on them."""
        try:
            self.lock_for_update()
        except LockError:
            raise UserError(busy_message) from None
