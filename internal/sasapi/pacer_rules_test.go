package sasapi

import (
	"context"
	"errors"
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
