"""Pages of participatory budgeting: each view checks permission, binds a form, calls the rules."""

from .processes import process_detail, process_list, process_new, process_phase
from .proposals import (
    propose_check,
    propose_cost,
    propose_done,
    propose_idea,
    propose_place,
    review,
    review_list,
)
from .results import ballots_download, receipt_lookup, results
from .voting import issue_paper, paper_batch, receipt, remaining, vote

__all__ = [
    "ballots_download", "issue_paper", "paper_batch", "process_detail", "process_list", "process_new",
    "process_phase", "propose_check", "propose_cost", "propose_done", "propose_idea", "propose_place",
    "receipt", "receipt_lookup", "remaining", "results", "review", "review_list", "vote",
]
