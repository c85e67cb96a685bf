"""The rollup statements as they were before the full-rebuild speed-up (main at
5c4a386): eligibility as correlated subqueries per visit, the connection test as
a subplan per visit, cohort and open leads each from their own pass. Kept
verbatim as the slow reference of tests/test_processing_differential.py, which
requires the product's statements to write exactly the same rows."""
