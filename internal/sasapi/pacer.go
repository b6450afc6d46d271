package sasapi

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Pacing constants. The service limits each action to some number of
// requests a second (a token bucket, as far as we can tell) and answers
// Throttling.User beyond it; it does not say what the limit is.
const (
	// rateWindow is how far back admitted requests are counted to measure
	// the rate the service is granting. It is one second, so a count of
	// requests within it is a rate in requests a second.
	rateWindow = time.Second
	// rateCut is the share of the measured rate paced at after throttling.
	rateCut = 0.9
	// minRate is the slowest pacing, in requests a second.
	minRate = 1
	// minEvidence is how many requests the service must have admitted
	// within rateWindow before a throttling sets the pace: throttling
	// after fewer says nothing reliable about a rate, and pacing on it
	// would crawl. Below it, backoff and the concurrency limit act alone.
	minEvidence = 5
	// An unthrottled pace rises while it is in use (shares of the pace per
	// second). Below the rate granted when it was last throttled (the
	// ceiling) it about doubles a second, catching up on a cut that went
	// too deep; within 5% of the ceiling it rises by 1% a second, probing
	// without swinging past it; beyond, by 5% a second, in case the limit
	// was raised.
	rateGrowthFast  = 0.7
	rateGrowthSlow  = 0.01
	rateGrowthProbe = 0.05
)

// A count within rateWindow is read as a rate a second: this fails to
// compile if the window is not one second.
const _ = uint64(rateWindow-time.Second) + uint64(time.Second-rateWindow)

// ratePacer spaces the starts of one action's requests so that they stay
// under the service's rate limit. It does not pace at all until the service
// throttles; then it paces at rateCut times the rate the service was
// granting over the last rateWindow, and creeps back up while requests go
// through. Requests in flight when the throttling came, sent before the
// throttled one, count as granted until they too come back throttled. A
// Retry-After pauses every request until it has passed. One pacer is
// shared by every caller of the action on one Client.
//
// Requests are counted by the time they were sent, not answered: a
// throttling answer is small and read at once while the large pages sent
// before it are still being read, and counting by answer would make the
// service look slower than it is.
type ratePacer struct {
	now func() time.Time

	mu        sync.Mutex
	rate      float64     // requests a second; 0: not pacing
	next      time.Time   // earliest start of the next request
	epoch     uint64      // bumped whenever next moves later, so sleepers re-reserve
	loweredAt time.Time   // when the last throttling episode began
	ceiling   float64     // the rate granted when last throttled
	inflight  []time.Time // send times of requests not yet answered
	admitted  []time.Time // send times of admitted requests within rateWindow, in order
	count     grantCount  // what the last episode's pace was measured from
}

// grantCount is what an episode took the service to have granted: the
// requests admitted within rateWindow, and those still in flight that were
// sent before the throttled one.
type grantCount struct {
	admitted   int
	inflight   []time.Time // send times of the requests counted in flight
	paceBefore float64     // the pace before the episode, 0 if none: granted never exceeds it
}

// n is the number of requests counted as granted.
func (g grantCount) n() int { return g.admitted + len(g.inflight) }

// granted is the rate the count shows, in requests a second.
func (g grantCount) granted() float64 {
	if g.paceBefore > 0 {
		return min(float64(g.n()), g.paceBefore)
	}
	return float64(g.n())
}

// uncount takes the request sent at sent off the count if it was counted
// in flight, and reports whether it was.
func (g *grantCount) uncount(sent time.Time) bool {
	k := slices.IndexFunc(g.inflight, sent.Equal)
	if k < 0 {
		return false
	}
	g.inflight = slices.Delete(g.inflight, k, k+1)
	return true
}

func newRatePacer(now func() time.Time) *ratePacer {
	return &ratePacer{now: now}
}

// reserve claims the next start time and returns it with the epoch it was
// claimed in.
func (p *ratePacer) reserve() (time.Time, uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	at := p.now()
	if p.next.After(at) {
		at = p.next
	}
	if p.rate > 0 {
		p.next = at.Add(p.interval())
	}
	return at, p.epoch
}

// stale reports whether a reservation made in epoch was overtaken by
// throttling: its start time was computed at a rate no longer in force.
func (p *ratePacer) stale(epoch uint64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.epoch > epoch
}

// sending records a request leaving now and returns its send time, which
// identifies it to answered, throttled and dropped.
func (p *ratePacer) sending() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	p.inflight = append(p.inflight, now)
	return now
}

// wait blocks until the caller may send, records the request as sent and
// returns its send time and how long the caller waited.
func (p *ratePacer) wait(ctx context.Context) (time.Time, time.Duration, error) {
	start := p.now()
	for {
		at, epoch := p.reserve()
		if now := p.now(); at.After(now) {
			if err := sleep(ctx, at.Sub(now)); err != nil {
				return time.Time{}, 0, err
			}
			if p.stale(epoch) {
				continue
			}
		}
		sent := p.sending()
		return sent, sent.Sub(start), nil
	}
}

// answered records that the service admitted the request sent at sent
// (any answer but throttling) and lets the pace rise if it is in use.
func (p *ratePacer) answered(sent time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.settle(sent)
	k := len(p.admitted)
	for k > 0 && p.admitted[k-1].After(sent) {
		k--
	}
	p.admitted = slices.Insert(p.admitted, k, sent)
	p.forget(p.now())
	if p.rate > 0 && float64(len(p.admitted)) >= 0.8*p.rate {
		p.rate = p.risen()
	}
}

// risen is the pace after one more request admitted while the pace is in
// use. At the pace, rate requests a second are admitted: each adds a share
// of the rise per second.
func (p *ratePacer) risen() float64 {
	if p.rate < 0.95*p.ceiling {
		return min(p.rate+rateGrowthFast, 0.95*p.ceiling)
	}
	if p.rate <= 1.05*p.ceiling {
		return p.rate + rateGrowthSlow
	}
	return p.rate + rateGrowthProbe
}

// dropped forgets a request that got no answer (a network failure or a
// cancellation): it says nothing about the service's rate.
func (p *ratePacer) dropped(sent time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.settle(sent)
}

// throttled records that the request sent at sent was throttled, with the
// Retry-After the service sent (0 if none). It reports whether this starts
// a new throttling episode: throttling of requests sent before the last
// episode began is part of it and lowers nothing more.
func (p *ratePacer) throttled(sent time.Time, retryAfter time.Duration) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.settle(sent)
	now := p.now()
	p.forget(now)
	episode := sent.After(p.loweredAt)
	if episode {
		p.loweredAt = now
		// Requests sent before this one and still unanswered most likely
		// got through: the service took them first.
		p.count = grantCount{admitted: len(p.admitted), inflight: p.inflightBefore(sent), paceBefore: p.rate}
		if p.count.n() < minEvidence {
			p.count = grantCount{}
		} else {
			p.paceFromCount()
			p.next = now.Add(p.interval())
		}
	} else if p.count.uncount(sent) {
		// Counted as granted when the episode began, throttled after all:
		// in a burst the service's order is not quite the send order.
		p.paceFromCount()
	}
	if resume := now.Add(retryAfter); resume.After(p.next) {
		p.next = resume
	}
	p.epoch++
	return episode
}

// paceFromCount sets the ceiling and the pace from the episode's count.
func (p *ratePacer) paceFromCount() {
	p.ceiling = p.count.granted()
	p.rate = max(minRate, rateCut*p.ceiling)
}

// current reports the pace in requests a second, 0 when not pacing.
func (p *ratePacer) current() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rate
}

func (p *ratePacer) interval() time.Duration {
	return time.Duration(float64(time.Second) / p.rate)
}

// settle removes the request sent at sent from those in flight.
func (p *ratePacer) settle(sent time.Time) {
	if k := slices.IndexFunc(p.inflight, sent.Equal); k >= 0 {
		p.inflight = slices.Delete(p.inflight, k, k+1)
	}
}

// inflightBefore returns the send times of the requests in flight sent
// before sent.
func (p *ratePacer) inflightBefore(sent time.Time) []time.Time {
	var before []time.Time
	for _, t := range p.inflight {
		if t.Before(sent) {
			before = append(before, t)
		}
	}
	return before
}

// forget drops admitted requests sent more than rateWindow before now.
func (p *ratePacer) forget(now time.Time) {
	cutoff := now.Add(-rateWindow)
	k := 0
	for k < len(p.admitted) && !p.admitted[k].After(cutoff) {
		k++
	}
	p.admitted = p.admitted[k:]
}

// pacers holds one ratePacer per action: the service limits each API
// separately.
type pacers struct {
	now func() time.Time

	mu       sync.Mutex
	byAction map[string]*ratePacer
}

func newPacers(now func() time.Time) *pacers {
	return &pacers{now: now, byAction: map[string]*ratePacer{}}
}

func (ps *pacers) forAction(action string) *ratePacer {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	p := ps.byAction[action]
	if p == nil {
		p = newRatePacer(ps.now)
		ps.byAction[action] = p
	}
	return p
}
