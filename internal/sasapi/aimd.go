package sasapi

import (
	"context"
	"sync"
)

// aimd is an additive-increase, multiplicative-decrease concurrency limit:
// throttling halves the requests allowed in flight, and each run of
// successes as long as the current limit raises it by one, up to max.
type aimd struct {
	mu        sync.Mutex
	limit     int
	max       int
	inflight  int
	successes int
	changed   chan struct{} // closed and replaced whenever a slot may have freed
}

func newAIMD(max int) *aimd {
	if max < 1 {
		max = 1
	}
	return &aimd{limit: max, max: max, changed: make(chan struct{})}
}

func (a *aimd) acquire(ctx context.Context) error {
	for {
		a.mu.Lock()
		if a.inflight < a.limit {
			a.inflight++
			a.mu.Unlock()
			return nil
		}
		wait := a.changed
		a.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wait:
		}
	}
}

func (a *aimd) release(success bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.inflight--
	if success {
		a.successes++
		if a.successes >= a.limit && a.limit < a.max {
			a.limit++
			a.successes = 0
		}
	}
	a.broadcast()
}

func (a *aimd) throttled() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.limit = max(1, a.limit/2)
	a.successes = 0
}

// current reports the limit in force (for tests and logs).
func (a *aimd) current() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.limit
}

func (a *aimd) broadcast() {
	close(a.changed)
	a.changed = make(chan struct{})
}
