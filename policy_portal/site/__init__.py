"""Everything the built site gets: generated files, feeds, search index, content security
policy and pull-request previews."""
