"""The site renderer: a policy's page (in any language), comparisons between versions, lists."""
