package sasapi

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// fanOutRecorder is a do for fanOut that records which k ran, how many ran
// at once, and whether each saw its context cancelled.
type fanOutRecorder struct {
	mu        sync.Mutex
	ran       []int
	inflight  int
	peak      int
	cancelled []int
}

func (r *fanOutRecorder) start(k int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ran = append(r.ran, k)
	r.inflight++
	r.peak = max(r.peak, r.inflight)
}

func (r *fanOutRecorder) end(ctx context.Context, k int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.inflight--
	if ctx.Err() != nil {
		r.cancelled = append(r.cancelled, k)
	}
}

func (r *fanOutRecorder) sortedRan() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Sorted(slices.Values(r.ran))
}

// runFanOut runs fanOut with a deadline of its own, so a fan-out that does
// not stop fails the test in seconds instead of hanging the suite.
func runFanOut(t *testing.T, ctx context.Context, c *Client, limit, n int, do func(ctx context.Context, k int) (bool, error)) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- c.fanOut(ctx, limit, n, do) }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("fanOut(limit %d, n %d) did not return within 10 s", limit, n)
		return nil
	}
}

func indices(from, to int) []int {
	var out []int
	for k := from; k < to; k++ {
		out = append(out, k)
	}
	return out
}

// The fan-out runs every k once and exactly as many at a time as its
// limit allows (the client's MaxConcurrency for 0), never more: each call
// waits until that many run at once (or a deadline that only a bound too
// low reaches), then a little longer, for calls beyond the bound to show.
func TestFanOutRunsEveryIndexOnceWithinTheLimit(t *testing.T) {
	cases := []struct {
		name     string
		limit, n int
		wantPeak int
	}{
		{"one at a time", 1, 10, 1},
		{"three at a time", 3, 10, 3},
		{"the client's limit", 0, 10, 4},
		{"a limit above the work", 8, 3, 3},
		{"exactly the limit", 5, 5, 5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &Client{cfg: Config{MaxConcurrency: 4}}
			var rec fanOutRecorder
			full := make(chan struct{})
			var once sync.Once
			err := runFanOut(t, context.Background(), c, tc.limit, tc.n, func(ctx context.Context, k int) (bool, error) {
				rec.start(k)
				rec.mu.Lock()
				if rec.inflight == tc.wantPeak {
					once.Do(func() { close(full) })
				}
				rec.mu.Unlock()
				waitAtMost(full, 2*time.Second)
				time.Sleep(10 * time.Millisecond)
				rec.end(ctx, k)
				return true, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := rec.sortedRan(); !slices.Equal(got, indices(0, tc.n)) {
				t.Errorf("ran %v, want each of 0..%d once", got, tc.n-1)
			}
			if rec.peak != tc.wantPeak {
				t.Errorf("%d ran at once, want exactly %d", rec.peak, tc.wantPeak)
			}
		})
	}
}

// Nothing to do: nothing runs, no error.
func TestFanOutOfNothing(t *testing.T) {
	c := &Client{cfg: Config{MaxConcurrency: 4}}
	calls := 0
	err := runFanOut(t, context.Background(), c, 0, 0, func(context.Context, int) (bool, error) {
		calls++
		return true, nil
	})
	if err != nil || calls != 0 {
		t.Fatalf("error %v after %d calls; want none", err, calls)
	}
}

// The first failure is the answer: it cancels the calls running beside it
// (their own context errors do not replace it) and no k is started after.
func TestFanOutFirstFailureCancelsTheRest(t *testing.T) {
	cases := []struct {
		name      string
		limit     int
		failing   int
		wantRan   []int
		wantPeers []int // running beside the failure, cancelled by it
	}{
		{"sequential: later indices never start", 1, 2, []int{0, 1, 2}, nil},
		{"concurrent: the running ones are cancelled", 3, 2, []int{0, 1, 2}, []int{0, 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &Client{cfg: Config{MaxConcurrency: 4}}
			boom := errors.New("boom")
			var rec fanOutRecorder
			running := make(chan struct{}, tc.limit)
			err := runFanOut(t, context.Background(), c, tc.limit, 10, func(ctx context.Context, k int) (bool, error) {
				rec.start(k)
				defer rec.end(ctx, k)
				if k == tc.failing {
					// Fail once the others of the first wave are running.
					for range len(tc.wantPeers) {
						<-running
					}
					return false, boom
				}
				if slices.Contains(tc.wantPeers, k) {
					running <- struct{}{}
					select {
					case <-ctx.Done():
						return false, ctx.Err()
					case <-time.After(5 * time.Second):
						return false, fmt.Errorf("k %d: not cancelled within 5 s", k)
					}
				}
				return true, nil
			})
			if !errors.Is(err, boom) {
				t.Fatalf("fanOut = %v, want the first failure %v", err, boom)
			}
			if got := rec.sortedRan(); !slices.Equal(got, tc.wantRan) {
				t.Errorf("ran %v, want %v", got, tc.wantRan)
			}
			rec.mu.Lock()
			cancelled := slices.Sorted(slices.Values(rec.cancelled))
			rec.mu.Unlock()
			if !slices.Equal(cancelled, tc.wantPeers) {
				t.Errorf("cancelled %v, want %v", cancelled, tc.wantPeers)
			}
		})
	}
}

// A k that needs nothing after it (more false: an empty page) stops the
// indices after it from starting; those before it, already running, run
// to the end unhindered.
func TestFanOutMoreFalseStopsLaterIndices(t *testing.T) {
	t.Run("sequential", func(t *testing.T) {
		c := &Client{cfg: Config{MaxConcurrency: 4}}
		var rec fanOutRecorder
		err := runFanOut(t, context.Background(), c, 1, 10, func(ctx context.Context, k int) (bool, error) {
			rec.start(k)
			defer rec.end(ctx, k)
			return k != 3, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := rec.sortedRan(); !slices.Equal(got, []int{0, 1, 2, 3}) {
			t.Errorf("ran %v, want 0..3 and nothing after the one that said stop", got)
		}
	})
	t.Run("an earlier index still running", func(t *testing.T) {
		c := &Client{cfg: Config{MaxConcurrency: 4}}
		var rec fanOutRecorder
		stopped := make(chan struct{})
		var finished0 bool
		err := runFanOut(t, context.Background(), c, 2, 10, func(ctx context.Context, k int) (bool, error) {
			rec.start(k)
			defer rec.end(ctx, k)
			switch k {
			case 0:
				waitAtMost(stopped, 5*time.Second)
				rec.mu.Lock()
				finished0 = true
				rec.mu.Unlock()
			case 1:
				close(stopped)
				return false, nil
			}
			return true, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// Which later indices were handed out before the stop took effect
		// depends on scheduling; the sequential case pins the stop itself.
		rec.mu.Lock()
		defer rec.mu.Unlock()
		if !finished0 || len(rec.cancelled) != 0 {
			t.Errorf("index 0 finished %v, cancelled %v; want it finished and none cancelled", finished0, rec.cancelled)
		}
	})
}

// The caller's cancellation ends the fan-out with the context's error:
// before it starts, nothing runs; while it runs, the running calls see it.
func TestFanOutReturnsTheCallersCancellation(t *testing.T) {
	t.Run("cancelled before", func(t *testing.T) {
		c := &Client{cfg: Config{MaxConcurrency: 4}}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		calls := 0
		err := runFanOut(t, ctx, c, 2, 5, func(context.Context, int) (bool, error) {
			calls++
			return true, nil
		})
		if !errors.Is(err, context.Canceled) || calls != 0 {
			t.Fatalf("error %v after %d calls; want context.Canceled and none", err, calls)
		}
	})
	t.Run("cancelled while running", func(t *testing.T) {
		c := &Client{cfg: Config{MaxConcurrency: 4}}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var rec fanOutRecorder
		started := make(chan struct{}, 2)
		err := runFanOut(t, ctx, c, 2, 10, func(ctx context.Context, k int) (bool, error) {
			rec.start(k)
			defer rec.end(ctx, k)
			started <- struct{}{}
			if len(started) == 2 {
				cancel()
			}
			select {
			case <-ctx.Done():
				return false, ctx.Err()
			case <-time.After(5 * time.Second):
				return false, fmt.Errorf("k %d: not cancelled within 5 s", k)
			}
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("fanOut = %v, want context.Canceled", err)
		}
		if got := rec.sortedRan(); !slices.Equal(got, []int{0, 1}) || len(rec.cancelled) != 2 {
			t.Errorf("ran %v, cancelled %v; want 0 and 1, both cancelled", got, rec.cancelled)
		}
	})
}
