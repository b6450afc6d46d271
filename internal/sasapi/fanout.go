package sasapi

import (
	"context"
	"sync"
	"sync/atomic"
)

// fanOut runs do(ctx, k) for k = 0, 1, … n-1, at most limit at a time (0:
// the client's MaxConcurrency, the one place it is read), and returns the
// first failure, which cancels the calls still running and skips the rest.
// do returns more false when no k after its own needs doing (an empty page
// ends a listing). Every request also passes the client's shared limits,
// so fan-outs nested in one another never send more than the client allows.
func (c *Client) fanOut(ctx context.Context, limit, n int, do func(ctx context.Context, k int) (more bool, err error)) error {
	if limit <= 0 {
		limit = c.cfg.MaxConcurrency
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// ks are handed out in order, so once a call says no k after its own
	// is needed, every k not yet handed out can be skipped.
	var next atomic.Int64
	var finished atomic.Bool
	var wg sync.WaitGroup
	for range min(limit, n) {
		wg.Go(func() {
			for {
				k := int(next.Add(1) - 1)
				if k >= n || finished.Load() || ctx.Err() != nil {
					return
				}
				more, err := do(ctx, k)
				if err != nil {
					cancel(err)
					return
				}
				if !more {
					finished.Store(true)
				}
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}

// Each runs do(ctx, k) for k = 0, 1, … n-1 on the client's one fan-out:
// at most its MaxConcurrency at a time, the first failure cancelling the
// rest and returned.
func (c *Client) Each(ctx context.Context, n int, do func(ctx context.Context, k int) error) error {
	return c.fanOut(ctx, 0, n, func(ctx context.Context, k int) (bool, error) { return true, do(ctx, k) })
}
