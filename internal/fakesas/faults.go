package fakesas

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

// FaultKind names a failure the fake can inject.
type FaultKind string

const (
	// FaultThrottling answers HTTP 400 with Code Throttling.User, plus a
	// Retry-After header when Fault.RetryAfter is set.
	FaultThrottling FaultKind = "Throttling"
	// FaultServerError answers HTTP 500 with Code ServerError.
	FaultServerError FaultKind = "ServerError"
	// FaultUnavailable answers HTTP 503 with Code ServiceUnavailable.
	FaultUnavailable FaultKind = "ServiceUnavailable"
	// FaultBadGateway answers HTTP 502 with an HTML page, as a load balancer does.
	FaultBadGateway FaultKind = "BadGateway"
	// FaultGatewayTimeout answers HTTP 504 with an HTML page.
	FaultGatewayTimeout FaultKind = "GatewayTimeout"
	// FaultConnReset writes part of a 200 response head and resets the connection.
	FaultConnReset FaultKind = "ConnReset"
	// FaultTruncated answers HTTP 200 with a consistent Content-Length but only
	// the first half of the JSON body, then closes the connection.
	FaultTruncated FaultKind = "TruncatedJSON"
	// FaultSlow waits Fault.Delay, then answers normally.
	FaultSlow FaultKind = "Slow"
	// FaultNoPermission answers HTTP 403 with Code NoPermission.
	FaultNoPermission FaultKind = "NoPermission"
)

// Fault describes one kind of failure and when to inject it.
type Fault struct {
	Kind FaultKind
	// Action limits the fault to one action; "" means every action.
	Action string
	// Rate is the fraction of eligible requests affected, drawn from a PRNG
	// seeded with Options.Seed. 0 and 1 both mean every request.
	Rate float64
	// MaxConsecutive > 0 caps the streak of faulted requests for the same
	// (Action, CurrentPage): once that many requests in a row were faulted (by
	// any fault), this fault is skipped, so a client that retries always gets
	// through.
	MaxConsecutive int
	// Count > 0 caps the total number of injections of this fault.
	Count int
	// Delay is how long FaultSlow waits.
	Delay time.Duration
	// RetryAfter is the Retry-After header value FaultThrottling sends, if set.
	RetryAfter string
}

// faultState is a Fault plus its injection counter.
type faultState struct {
	Fault
	injected int
}

// streakKey identifies a request "slot" a retrying client comes back to.
type streakKey struct {
	action string
	page   string
}

// eligible reports whether the fault may be drawn for this request.
func (f *faultState) eligible(action string, streak int) bool {
	if f.Action != "" && f.Action != action {
		return false
	}
	if f.Count > 0 && f.injected >= f.Count {
		return false
	}
	return f.MaxConsecutive <= 0 || streak < f.MaxConsecutive
}

// pickFault decides, deterministically for a given seed and request order,
// which fault (if any) this request gets. The first eligible fault that wins
// its draw is injected.
func (s *Server) pickFault(action, page string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := streakKey{action: action, page: page}
	streak := s.streaks[key]
	for _, f := range s.faults {
		if !f.eligible(action, streak) || !s.draw(f.Rate) {
			continue
		}
		f.injected++
		s.streaks[key] = streak + 1
		return f.Fault, true
	}
	delete(s.streaks, key)
	return Fault{}, false
}

// draw returns true with probability rate; callers hold s.mu.
func (s *Server) draw(rate float64) bool {
	if rate <= 0 || rate >= 1 {
		return true
	}
	return s.rng.Float64() < rate
}

// writeFault answers with a fault that replaces the normal response entirely.
// It returns the status for the record (0 when the connection was reset) and
// false when the kind does not replace the response (Slow, TruncatedJSON).
func writeFault(w http.ResponseWriter, requestID string, f Fault) (int, bool) {
	switch f.Kind {
	case FaultThrottling:
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		return writeError(w, requestID, newAPIError(http.StatusBadRequest, "Throttling.User",
			"Request was denied due to user flow control.")), true
	case FaultServerError:
		return writeError(w, requestID, newAPIError(http.StatusInternalServerError, "ServerError", "ServerError")), true
	case FaultUnavailable:
		return writeError(w, requestID, newAPIError(http.StatusServiceUnavailable, "ServiceUnavailable",
			"The request has failed due to a temporary failure of the server.")), true
	case FaultNoPermission:
		return writeError(w, requestID, newAPIError(http.StatusForbidden, "NoPermission", "caller has no permission")), true
	case FaultBadGateway:
		return writeResponse(w, requestID, http.StatusBadGateway, "text/html", gatewayPage(http.StatusBadGateway)), true
	case FaultGatewayTimeout:
		return writeResponse(w, requestID, http.StatusGatewayTimeout, "text/html", gatewayPage(http.StatusGatewayTimeout)), true
	case FaultConnReset:
		resetConnection(w)
		return 0, true
	}
	return 0, false
}

// gatewayPage is the kind of HTML a load balancer returns instead of JSON.
func gatewayPage(status int) []byte {
	text := strconv.Itoa(status) + " " + http.StatusText(status)
	return []byte("<html>\r\n<head><title>" + text + "</title></head>\r\n<body>\r\n<center><h1>" +
		text + "</h1></center>\r\n<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n")
}

// resetConnection takes the connection over, sends the start of a 200
// response and resets it, so the client sees a broken read mid-response.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not hijackable (e.g. HTTP/2 or a recorder): abort the response,
		// which the server turns into a broken connection as well.
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	partial := "HTTP/1.1 200 OK\r\nContent-Type: " + jsonContentType + "\r\nContent-Length: 4096\r\n\r\n{\"RequestId\":\""
	// Errors are irrelevant: the point is to break the exchange.
	_, _ = fmt.Fprint(conn, partial)
	if tcp, ok := conn.(*net.TCPConn); ok {
		// Linger 0 makes Close send RST instead of FIN: a real reset.
		_ = tcp.SetLinger(0)
	}
}

// writeTruncated sends the first half of body with a Content-Length that
// matches what is sent, so the HTTP exchange is valid but the JSON is not,
// and asks the server to close the connection afterwards.
func writeTruncated(w http.ResponseWriter, requestID string, status int, body []byte) int {
	w.Header().Set("Connection", "close")
	return writeResponse(w, requestID, status, jsonContentType, body[:len(body)/2])
}
