package sasapi

import (
	"context"
	"sync"
)

// concurrencyLimiter bounds the requests a client has in flight, AIMD
// style (additive increase, multiplicative decrease): throttling halves the
// limit, and each run of successes as long as the current limit raises it
// by one, up to max. A slot is held for one attempt, not across backoff.
type concurrencyLimiter struct {
	mu        sync.Mutex
	limit     int
	max       int
	inflight  int
	successes int
	changed   chan struct{} // closed and replaced whenever a slot may have freed
}

func newConcurrencyLimiter(maxInFlight int) *concurrencyLimiter {
	limit := max(maxInFlight, 1)
	return &concurrencyLimiter{limit: limit, max: limit, changed: make(chan struct{})}
}

func (l *concurrencyLimiter) acquire(ctx context.Context) error {
	for {
		l.mu.Lock()
		if l.inflight < l.limit {
			l.inflight++
			l.mu.Unlock()
			return nil
		}
		wait := l.changed
		l.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wait:
		}
	}
}

func (l *concurrencyLimiter) release(success bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inflight--
	if success {
		l.successes++
		if l.successes >= l.limit && l.limit < l.max {
			l.limit++
			l.successes = 0
		}
	}
	l.broadcast()
}

func (l *concurrencyLimiter) throttled() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.limit = max(1, l.limit/2)
	l.successes = 0
}

func (l *concurrencyLimiter) broadcast() {
	close(l.changed)
	l.changed = make(chan struct{})
}
