package sasapi

// current reports the limit in force.
func (l *concurrencyLimiter) current() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limit
}

// Config returns the effective configuration (defaults applied).
func (c *Client) Config() Config { return c.cfg }
