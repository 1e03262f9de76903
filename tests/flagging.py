"""Every cleaning rule of transaction lines at once, as the pipeline's three nodes apply them."""

import ibis

from customer_segmentation.pipelines.data_processing.nodes import (
    CleaningRules,
    find_repeated_lines,
    flag_duplicate_lines,
    flag_transactions,
)


def flag_every_rule(transactions: ibis.Table, rules: CleaningRules) -> ibis.Table:
    """The flagged lines: the written lines' rules, then the duplicate-line rule.

    The pipeline stores the two first results as tables; here they stay
    expressions (small test tables are computed again for each reading).
    """
    keyed = flag_transactions(transactions, rules)
    return flag_duplicate_lines(keyed, find_repeated_lines(keyed, rules), rules)
