"""HTTP layer: dependencies (auth, rate limit) and one router per resource."""
