"""The HTTP edge: everything between a socket and the GraphQL schema or a REST
route (authentication, the error shape, CORS, GraphQL-over-HTTP, caching)."""
