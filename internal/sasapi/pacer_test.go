package sasapi

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"
)

// testClock is a fake clock for the pacer: time moves only when told.
type testClock struct{ now time.Time }

func (c *testClock) Now() time.Time          { return c.now }
func (c *testClock) Advance(d time.Duration) { c.now = c.now.Add(d) }
func newTestPacer() (*ratePacer, *testClock) {
	clock := &testClock{now: time.Unix(1_700_000_000, 0)}
	return newRatePacer(clock.Now), clock
}

// admitN sends and answers n requests spread evenly over span.
func admitN(p *ratePacer, clock *testClock, n int, span time.Duration) {
	for range n {
		sent := p.sending()
		p.answered(sent)
		clock.Advance(span / time.Duration(n))
	}
}

func TestRatePacer(t *testing.T) {
	t.Run("no pacing before the service throttles", func(t *testing.T) {
		p, clock := newTestPacer()
		admitN(p, clock, 50, 100*time.Millisecond)
		for range 10 {
			if at, _ := p.reserve(); !at.Equal(clock.Now()) {
				t.Fatalf("reserve = %v, want now (%v): nothing throttled yet", at, clock.Now())
			}
		}
	})

	t.Run("throttling paces at 90% of the rate the service granted", func(t *testing.T) {
		p, clock := newTestPacer()
		admitN(p, clock, 20, 500*time.Millisecond)
		sent := p.sending()
		clock.Advance(20 * time.Millisecond)
		if !p.throttled(sent, 0) {
			t.Fatal("the first throttling did not start an episode")
		}
		if got := p.current(); math.Abs(got-18) > 1e-9 {
			t.Fatalf("pace = %.2f, want 18 (0.9 × 20 granted in the last second)", got)
		}
		interval := time.Second / 18
		first, _ := p.reserve()
		if want := clock.Now().Add(interval); first.Sub(want).Abs() > time.Millisecond {
			t.Errorf("first start %v after the throttling, want one interval (%v)", first.Sub(clock.Now()), interval)
		}
		for range 5 {
			next, _ := p.reserve()
			if gap := next.Sub(first); (gap - interval).Abs() > time.Millisecond {
				t.Errorf("starts %v apart, want %v", gap, interval)
			}
			first = next
		}
	})

	t.Run("requests in flight sent before the throttled one count as granted", func(t *testing.T) {
		p, clock := newTestPacer()
		admitN(p, clock, 10, 200*time.Millisecond)
		for range 5 {
			p.sending()
		}
		clock.Advance(time.Millisecond)
		sent := p.sending()
		clock.Advance(time.Millisecond)
		p.sending() // sent after the throttled request: not counted
		clock.Advance(20 * time.Millisecond)
		p.throttled(sent, 0)
		if got := p.current(); math.Abs(got-13.5) > 1e-9 {
			t.Errorf("pace = %.2f, want 13.5 (0.9 × (10 answered + 5 in flight before))", got)
		}
	})

	t.Run("one episode lowers the pace once", func(t *testing.T) {
		p, clock := newTestPacer()
		admitN(p, clock, 20, 500*time.Millisecond)
		before := []time.Time{p.sending(), p.sending(), p.sending()}
		clock.Advance(20 * time.Millisecond)
		p.throttled(before[0], 0)
		pace := p.current()
		for _, sent := range before[1:] {
			if p.throttled(sent, 0) {
				t.Error("throttling of a request sent before the episode began started another")
			}
		}
		if got := p.current(); got != pace {
			t.Errorf("pace = %.2f after the same episode's throttling, want it left at %.2f", got, pace)
		}
		clock.Advance(time.Millisecond)
		after := p.sending()
		clock.Advance(20 * time.Millisecond)
		if !p.throttled(after, 0) {
			t.Error("throttling of a request sent after the episode began is not a new episode")
		}
		if got := p.current(); got >= pace {
			t.Errorf("pace = %.2f after a new episode, want below %.2f", got, pace)
		}
	})

	t.Run("too few admitted requests set no pace", func(t *testing.T) {
		p, clock := newTestPacer()
		admitN(p, clock, minEvidence-1, 100*time.Millisecond)
		if !p.throttled(p.sending(), 0) {
			t.Error("the first throttling is not an episode")
		}
		if got := p.current(); got != 0 {
			t.Errorf("pace = %.2f after throttling with %d admitted, want none", got, minEvidence-1)
		}
	})

	t.Run("admitted requests older than the window are forgotten", func(t *testing.T) {
		p, clock := newTestPacer()
		admitN(p, clock, 50, 100*time.Millisecond)
		clock.Advance(2 * rateWindow)
		p.throttled(p.sending(), 0)
		if got := p.current(); got != 0 {
			t.Errorf("pace = %.2f from requests admitted %v ago, want none", got, 2*rateWindow)
		}
	})

	t.Run("Retry-After holds back every request", func(t *testing.T) {
		p, clock := newTestPacer()
		sent := p.sending()
		p.throttled(sent, 3*time.Second)
		for range 3 {
			if at, _ := p.reserve(); at.Before(clock.Now().Add(3 * time.Second)) {
				t.Errorf("start %v after a Retry-After of 3s, want no earlier than 3s", at.Sub(clock.Now()))
			}
		}
	})

	t.Run("a start reserved before a throttling is stale", func(t *testing.T) {
		p, clock := newTestPacer()
		_, epoch := p.reserve()
		if p.stale(epoch) {
			t.Fatal("a fresh reservation is stale")
		}
		clock.Advance(time.Millisecond)
		p.throttled(p.sending(), 0)
		if !p.stale(epoch) {
			t.Error("a reservation made before a throttling is not stale")
		}
	})

	t.Run("the pace rises while in use, not while idle, slower near the ceiling", func(t *testing.T) {
		p, clock := newTestPacer()
		admitN(p, clock, 20, 500*time.Millisecond)
		p.throttled(p.sending(), 0) // pace 18, ceiling 20
		clock.Advance(10 * time.Second)
		p.answered(p.sending()) // one request in ten seconds: not in use
		if got := p.current(); got != 18 {
			t.Fatalf("pace = %.2f after an idle spell, want 18", got)
		}
		// A second of requests at the pace.
		admitN(p, clock, 18, time.Second)
		fast := p.current()
		if fast <= 18 || fast > 18*1.1 {
			t.Errorf("pace = %.2f after a second in use, want it to catch up towards the ceiling 20 but not past 95%%", fast)
		}
		for p.current() < 0.95*20 {
			admitN(p, clock, 20, time.Second)
		}
		near := p.current()
		admitN(p, clock, 20, time.Second)
		if rise := p.current() - near; rise <= 0 || rise > 20*rateGrowthSlow+1e-9 {
			t.Errorf("near the ceiling a second in use raised the pace by %.3f, want a slow rise (≤ %.2f)", rise, 20*rateGrowthSlow)
		}
	})

	t.Run("wait honours cancellation", func(t *testing.T) {
		p := newRatePacer(time.Now)
		p.throttled(p.sending(), time.Hour)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, _, err := p.wait(ctx)
			done <- err
		}()
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("wait = %v, want context.Canceled", err)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("wait did not return after cancellation")
		}
	})
}

// pacerInUse is a pacer pacing at rate under ceiling, with admitted
// requests answered within the last rateWindow.
func pacerInUse(rate, ceiling float64, admitted int) *ratePacer {
	p, clock := newTestPacer()
	p.rate, p.ceiling = rate, ceiling
	for k := range admitted {
		p.admitted = append(p.admitted, clock.Now().Add(-rateWindow/2+time.Duration(k)*time.Millisecond))
	}
	return p
}

// One answered request raises a pace in use by the step of its region:
// fast up to 95% of the ceiling (and no further), slow up to 105%, a probe
// beyond; a pace not in use (fewer admitted than 80% of it in the last
// second) stays.
func TestRatePacerRise(t *testing.T) {
	cases := []struct {
		name           string
		rate, ceiling  float64
		admittedBefore int
		want           float64
	}{
		{"far below the ceiling: fast", 10, 20, 10, 10.7},
		{"just below 95% of the ceiling: fast, capped there", 18.8, 20, 20, 19},
		{"at 95% of the ceiling: slow", 19, 20, 20, 19.01},
		{"at 105% of the ceiling: slow", 21, 20, 20, 21.01},
		{"beyond 105% of the ceiling: probe", 22, 20, 20, 22.05},
		{"admitted reach 80% of the pace with this answer: in use", 22.5, 30, 17, 23.2},
		{"admitted one short of 80% of the pace: not in use", 22.5, 30, 16, 22.5},
		{"not pacing: stays off", 0, 20, 20, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := pacerInUse(tc.rate, tc.ceiling, tc.admittedBefore)
			p.answered(p.sending())
			if got := p.current(); math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("pace %.2f (ceiling %.0f, %d admitted before) became %.4f, want %.4f", tc.rate, tc.ceiling, tc.admittedBefore, got, tc.want)
			}
		})
	}
}

// The boundaries above are exact in floating point, or the cases that sit
// on them would test nothing.
func TestRatePacerRiseBoundariesAreExact(t *testing.T) {
	for _, b := range []struct{ got, want float64 }{
		{0.95 * 20, 19},
		{1.05 * 20, 21},
		{0.8 * 22.5, 18},
	} {
		if b.got != b.want {
			t.Errorf("boundary %.17g, want exactly %v", b.got, b.want)
		}
	}
}
