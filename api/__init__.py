"""komplekt's interfaces: REST API, web pages and the `komplekt` command line."""
