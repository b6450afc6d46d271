package sasapi

import (
	"context"
	"errors"
	"math"
	"net/http"
	"testing"
	"time"
)

// A throttled answer is recorded before its slot is freed: a request
// waiting for that slot is admitted under the pace and Retry-After the
// answer set, never ahead of them.
func TestAThrottledAnswersSlotIsFreedAfterThePaceIsSet(t *testing.T) {
	c, err := New(Config{Endpoint: "127.0.0.1:1", Protocol: "HTTP", Credential: staticCredential(t, "id", "secret"), MaxConcurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	pacer := c.pacers.forAction(ActionDescribeImageInstances)
	if err := c.inflight.acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	sent := pacer.sending()
	throttled := &APIError{HTTPStatus: http.StatusBadRequest, Code: "Throttling.User", RetryAfter: time.Second}

	pacer.mu.Lock() // the pacer is busy: settle cannot record the throttling yet
	settled := make(chan struct{})
	go func() {
		c.settle(pacer, sent, throttled)
		close(settled)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	got := c.inflight.acquire(ctx)
	pacer.mu.Unlock()
	select {
	case <-settled:
	case <-time.After(5 * time.Second):
		t.Fatal("settle did not return within 5 s of the pacer being free")
	}
	if got == nil {
		t.Fatal("the throttled request's slot was free before the pacer knew of the throttling: a waiting request could go out unpaced")
	}
	if !errors.Is(got, context.DeadlineExceeded) {
		t.Fatalf("acquire = %v, want the slot still held (deadline exceeded)", got)
	}
	if at, _ := pacer.reserve(); time.Until(at) < 900*time.Millisecond {
		t.Errorf("next start %v away after a Retry-After of 1 s, want about 1 s", time.Until(at).Round(time.Millisecond))
	}
}

// Requests still in flight when a throttling sets the pace are counted as
// granted if they were sent before the throttled one; one that comes back
// throttled after all is taken off the count, so a burst the service cut
// short does not leave the pace above its rate. Those sent after the
// throttled one were never counted and change nothing.
func TestThrottledRequestsCountedAsGrantedAreTakenOffTheCount(t *testing.T) {
	p, clock := newTestPacer()
	admitN(p, clock, 20, 100*time.Millisecond)
	var counted []time.Time // in flight, sent before the throttled request
	for range 3 {
		counted = append(counted, p.sending())
		clock.Advance(time.Millisecond)
	}
	throttled := p.sending()
	clock.Advance(time.Millisecond)
	after := p.sending()
	clock.Advance(20 * time.Millisecond)

	steps := []struct {
		name   string
		settle func()
		want   float64
	}{
		{"the throttling counts 20 admitted and 3 in flight", func() { p.throttled(throttled, 0) }, 0.9 * 23},
		{"a counted request comes back throttled", func() { p.throttled(counted[0], 0) }, 0.9 * 22},
		{"a request sent after the throttled one comes back throttled", func() { p.throttled(after, 0) }, 0.9 * 22},
		{"another counted request comes back throttled", func() { p.throttled(counted[2], 0) }, 0.9 * 21},
		{"the last counted request comes back throttled", func() { p.throttled(counted[1], 0) }, 0.9 * 20},
	}
	for _, step := range steps {
		step.settle()
		if got := p.current(); math.Abs(got-step.want) > 1e-9 {
			t.Fatalf("%s: pace = %.2f, want %.2f", step.name, got, step.want)
		}
	}
}
