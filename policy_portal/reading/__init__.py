"""Policy files read and validated: the schema of front-matter fields, the reader, the
`Policy` model, a folder of policies (`Library`) and earlier versions."""
