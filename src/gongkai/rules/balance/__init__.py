"""B: balance rules — the sums the national format prints or implies."""
