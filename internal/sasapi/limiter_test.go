package sasapi

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestConcurrencyLimiter(t *testing.T) {
	ctx := context.Background()

	t.Run("halves on throttling, never below 1", func(t *testing.T) {
		a := newConcurrencyLimiter(8)
		for _, want := range []int{4, 2, 1, 1, 1} {
			a.throttled()
			if got := a.current(); got != want {
				t.Fatalf("limit after throttling = %d, want %d", got, want)
			}
		}
		if got := newConcurrencyLimiter(0).current(); got != 1 {
			t.Errorf("newConcurrencyLimiter(0) limit = %d, want 1", got)
		}
	})

	t.Run("grows back to max after successes, no further", func(t *testing.T) {
		a := newConcurrencyLimiter(8)
		a.throttled()
		a.throttled()
		a.throttled() // limit 1
		successes := 0
		for a.current() < 8 {
			if successes > 100 {
				t.Fatalf("limit stuck at %d after %d successes", a.current(), successes)
			}
			if err := a.acquire(ctx); err != nil {
				t.Fatal(err)
			}
			a.release(true)
			successes++
		}
		// Additive increase: one more per run of `limit` successes, 1+2+...+7.
		if successes != 28 {
			t.Errorf("took %d successes to grow from 1 to 8, want 28", successes)
		}
		for range 50 {
			_ = a.acquire(ctx)
			a.release(true)
		}
		if got := a.current(); got != 8 {
			t.Errorf("limit = %d after more successes, want max 8", got)
		}
	})

	t.Run("failures do not grow the limit", func(t *testing.T) {
		a := newConcurrencyLimiter(4)
		a.throttled() // 2
		for range 20 {
			_ = a.acquire(ctx)
			a.release(false)
		}
		if got := a.current(); got != 2 {
			t.Errorf("limit = %d after failures, want 2", got)
		}
	})

	t.Run("acquire blocks at the limit until a release", func(t *testing.T) {
		a := newConcurrencyLimiter(2)
		for range 2 {
			if err := a.acquire(ctx); err != nil {
				t.Fatal(err)
			}
		}
		acquired := make(chan error, 1)
		go func() { acquired <- a.acquire(ctx) }()
		select {
		case err := <-acquired:
			t.Fatalf("third acquire returned (%v) with 2 of 2 slots in use", err)
		case <-time.After(50 * time.Millisecond):
		}
		a.release(true)
		if err := <-acquired; err != nil {
			t.Fatalf("acquire after release: %v", err)
		}
	})

	t.Run("a lowered limit holds back new requests", func(t *testing.T) {
		a := newConcurrencyLimiter(4)
		for range 4 {
			_ = a.acquire(ctx)
		}
		a.throttled() // limit 2, 4 in flight
		a.release(false)
		a.release(false) // 2 in flight: still at the limit
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		if err := a.acquire(short); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("acquire with 2 in flight and limit 2 = %v, want it to wait until the deadline", err)
		}
		a.release(false)
		if err := a.acquire(ctx); err != nil {
			t.Fatalf("acquire below the limit: %v", err)
		}
	})

	t.Run("acquire honours cancellation", func(t *testing.T) {
		a := newConcurrencyLimiter(1)
		_ = a.acquire(ctx)
		cctx, cancel := context.WithCancel(ctx)
		result := make(chan error, 1)
		go func() { result <- a.acquire(cctx) }()
		cancel()
		select {
		case err := <-result:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("acquire = %v, want context.Canceled", err)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("acquire did not return after cancellation")
		}
	})
}
