"""Running pipelines over inputs: ordered parallel execution, whole jobs, run reports."""
