"""What an association configures in mkdocs.yml: its details, languages and the portal's
own words in each language."""
