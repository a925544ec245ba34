"""Public libraries, programmes, orders, deliveries, allocation, packing and dispatch."""
