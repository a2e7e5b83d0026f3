"""Pure scoring functions: official answer extraction, normalizers and metrics."""
