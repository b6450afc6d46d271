package fakesas

import (
	"net/http"
	"time"
)

// tokenBucket is a per-action rate limit as the service applies it: QPS
// tokens a second, at most one second's worth held, starting full.
type tokenBucket struct {
	qps    float64
	tokens float64
	last   time.Time
}

func newTokenBucket(qps float64, now time.Time) *tokenBucket {
	return &tokenBucket{qps: qps, tokens: bucketCapacity(qps), last: now}
}

// bucketCapacity is one second of tokens, and at least one token so that a
// limit below 1 QPS still serves something.
func bucketCapacity(qps float64) float64 {
	return max(qps, 1)
}

// take spends one token if there is one.
func (b *tokenBucket) take(now time.Time) bool {
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(bucketCapacity(b.qps), b.tokens+elapsed.Seconds()*b.qps)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// SetQPS limits every action to qps requests a second, each action with
// its own bucket starting full; qps <= 0 removes the limit. A request
// finding its bucket empty is answered Throttling.User.
func (s *Server) SetQPS(qps float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.qps = max(qps, 0)
	s.buckets = map[string]*tokenBucket{}
}

// admit reports whether the rate limit lets a request for action through.
func (s *Server) admit(action string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.qps <= 0 {
		return true
	}
	now := s.clock()
	b := s.buckets[action]
	if b == nil {
		b = newTokenBucket(s.qps, now)
		s.buckets[action] = b
	}
	return b.take(now)
}

// rateLimited is the answer to a request over the limit; like the service,
// it sends no Retry-After.
func rateLimited() *apiError {
	return newAPIError(http.StatusBadRequest, "Throttling.User", "Request was denied due to user flow control.")
}
