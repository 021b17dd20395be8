"""What an association configures: its settings in mkdocs.yml (declared once in
`settings.SETTINGS`, read with their lines by `config_file`), its languages, the environment
variables operators set (`environment.ENVIRONMENT`) and the portal's own words in each language."""
