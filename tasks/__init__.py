"""Benchmark adapters, one module per benchmark family; evalkit.task describes what each module defines."""
