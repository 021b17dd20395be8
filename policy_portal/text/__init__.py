"""Text tools every other group uses: dates and escaping for pages, HTML and Markdown
handling, a policy's sections and clause numbers. Imports nothing else from policy_portal."""
