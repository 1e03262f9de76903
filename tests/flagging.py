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

    The pipeline stores the two first results as tables; here they are cached
    on the expression's engine, for the same reason: the flagged lines read each
    of them more than once, and every later query reads the flagged lines.
    """
    # Spark's cache reads the input's in-memory tables without registering
    # them (Ibis 12); counting the input registers them.
    transactions.count().to_pyarrow()
    keyed = flag_transactions(transactions, rules).cache()
    repeated = find_repeated_lines(keyed, rules).cache()
    return flag_duplicate_lines(keyed, repeated, rules)
