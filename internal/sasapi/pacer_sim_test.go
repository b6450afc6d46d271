package sasapi

import (
	"container/heap"
	"math"
	"testing"
	"time"
)

// pacingRun is the outcome of one simulated read against a token bucket.
type pacingRun struct {
	attempts, throttled int
	wall                time.Duration
	bound               time.Duration // L + (calls − QPS) ÷ QPS
	paces               []float64     // the pace after each answer
}

// simulatePacing runs calls requests through workers concurrent workers
// sharing one ratePacer on a fake clock, against a service that answers
// after latency from a token bucket of qps a second starting full with one
// second of tokens (the fake's rate limit). A throttled request is retried
// after retryWait. With firstAlone the first request is answered before the
// workers start, as a listing's first page is. No real time passes.
func simulatePacing(qps float64, workers, calls int, firstAlone bool, latency, retryWait time.Duration) pacingRun {
	start := time.Unix(1_700_000_000, 0)
	now := start
	pacer := newRatePacer(func() time.Time { return now })
	tokens, refilled := math.Max(qps, 1), start

	var events eventQueue
	starters := workers
	if firstAlone {
		starters = 1
	}
	for range starters {
		heap.Push(&events, simEvent{at: start, kind: evReady})
	}
	var run pacingRun
	pending, done := calls, 0
	for events.Len() > 0 && done < calls {
		ev := heap.Pop(&events).(simEvent)
		now = ev.at
		switch ev.kind {
		case evReady:
			if !ev.retry {
				if pending == 0 {
					continue
				}
				pending--
			}
			at, epoch := pacer.reserve()
			heap.Push(&events, simEvent{at: at, kind: evSend, epoch: epoch})
		case evSend:
			if pacer.stale(ev.epoch) {
				heap.Push(&events, simEvent{at: now, kind: evReady, retry: true})
				continue
			}
			run.attempts++
			sent := pacer.sending()
			heap.Push(&events, simEvent{at: now.Add(latency), kind: evAnswer, sent: sent})
		case evAnswer:
			tokens = math.Min(math.Max(qps, 1), tokens+now.Sub(refilled).Seconds()*qps)
			refilled = now
			if tokens < 1 {
				run.throttled++
				pacer.throttled(ev.sent, 0)
				heap.Push(&events, simEvent{at: now.Add(retryWait), kind: evReady, retry: true})
			} else {
				tokens--
				done++
				pacer.answered(ev.sent)
				heap.Push(&events, simEvent{at: now, kind: evReady})
				if firstAlone && done == 1 {
					for range workers - 1 {
						heap.Push(&events, simEvent{at: now, kind: evReady})
					}
				}
			}
			run.paces = append(run.paces, pacer.current())
		}
	}
	run.wall = now.Sub(start)
	run.bound = latency + time.Duration(math.Max(0, float64(calls)-qps)/qps*float64(time.Second))
	return run
}

type simEventKind int

const (
	evReady  simEventKind = iota // a worker wants to send (a new request, or a retry)
	evSend                       // a reserved start time came
	evAnswer                     // the service answers
)

type simEvent struct {
	at    time.Time
	kind  simEventKind
	epoch uint64
	sent  time.Time
	retry bool
}

type eventQueue []simEvent

func (q eventQueue) Len() int           { return len(q) }
func (q eventQueue) Less(i, j int) bool { return q[i].at.Before(q[j].at) }
func (q eventQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)        { *q = append(*q, x.(simEvent)) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// The pacer converges on a token bucket's rate: few throttled requests,
// close to the rate bound, and a pace that settles near the service's
// rate rather than swinging.
func TestPacerConvergesOnATokenBucket(t *testing.T) {
	for _, tc := range []struct {
		qps        float64
		calls      int
		firstAlone bool // one listing; else many listings start at once
	}{
		// One listing of 10,000 images, as in the benchmark.
		{10, 100, true}, {20, 100, true}, {50, 100, true},
		// Twenty data sources of ten pages each, as in the acceptance test.
		{20, 200, false},
		// Long runs, to see where the pace settles.
		{5, 1000, true}, {20, 2000, true}, {50, 3000, false},
	} {
		run := simulatePacing(tc.qps, DefaultMaxConcurrency, tc.calls, tc.firstAlone, 20*time.Millisecond, 150*time.Millisecond)
		ratio := run.wall.Seconds() / run.bound.Seconds()
		tail := run.paces[len(run.paces)*3/4:]
		lo, hi, sum := math.Inf(1), 0.0, 0.0
		for _, p := range tail {
			lo, hi, sum = math.Min(lo, p), math.Max(hi, p), sum+p
		}
		mean := sum / float64(len(tail))
		t.Logf("qps %g, %d calls: %d throttled of %d attempts, wall %.2f s = %.2f× the bound, pace in the last quarter %.1f..%.1f, mean %.1f",
			tc.qps, tc.calls, run.throttled, run.attempts, run.wall.Seconds(), ratio, lo, hi, mean)
		if limit := tc.calls / 10; run.throttled > limit {
			t.Errorf("qps %g, %d calls: %d throttled, want at most 10%% (%d)", tc.qps, tc.calls, run.throttled, limit)
		}
		if ratio > 1.2 {
			t.Errorf("qps %g, %d calls: wall %.2f× the rate bound, want at most 1.2×", tc.qps, tc.calls, ratio)
		}
		// The bucket stores tokens while the pace is below its rate, so the
		// pace can run above it for a while before throttling says so.
		if tc.calls >= 1000 && (math.Abs(mean/tc.qps-1) > 0.1 || lo < 0.85*tc.qps || hi > 1.35*tc.qps) {
			t.Errorf("qps %g: pace %.1f..%.1f (mean %.1f) in the last quarter, want a mean within 10%% of the service's rate and a swing within 0.85..1.35×", tc.qps, lo, hi, mean)
		}
	}
}
