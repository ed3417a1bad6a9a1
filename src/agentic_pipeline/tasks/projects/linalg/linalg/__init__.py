"""Exact linear algebra on small matrices of Fractions."""
