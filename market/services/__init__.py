"""Market workflows, one module per workflow: engagements, pipeline, directory (consent),
alerts (ranking and sending), followed searches."""
