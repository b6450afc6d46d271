package fakesas

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

// TestEveryOperationGoesThroughThePipeline holds each action of the table
// to the checks every request passes before its handler runs: signature,
// QPS limit and injected faults.
func TestEveryOperationGoesThroughThePipeline(t *testing.T) {
	actions := make([]string, 0, len(operations))
	for action := range operations {
		actions = append(actions, action)
	}
	slices.Sort(actions)
	for _, action := range actions {
		t.Run(action, func(t *testing.T) {
			s := startServer(t, Options{Images: DemoImages(time.Now())})
			clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
			s.mu.Lock()
			s.clock = clock.Now
			s.mu.Unlock()
			cases := []struct {
				name   string
				setup  func()
				req    rawRequest
				status int
				code   string
			}{
				{"unsigned", nil, rawRequest{action: action, unsigned: true}, 400, "MissingAuthorization"},
				{"tampered query", nil, rawRequest{action: action, query: map[string]string{"CurrentPage": "1"}, afterSign: func(r *http.Request) {
					r.URL.RawQuery = "CurrentPage=2"
				}}, 400, "SignatureDoesNotMatch"},
				{"fault for the action", func() { s.SetFaults(Fault{Kind: FaultServerError, Action: action, Count: 1}) },
					rawRequest{action: action}, 500, "ServerError"},
				{"over the QPS limit", func() {
					s.SetQPS(1)
					doRaw(t, s.Endpoint(), rawRequest{action: action}) // spends the one token
				}, rawRequest{action: action}, 400, "Throttling.User"},
			}
			for _, tc := range cases {
				if tc.setup != nil {
					tc.setup()
				}
				resp := doRaw(t, s.Endpoint(), tc.req)
				if resp.err != nil {
					t.Fatalf("%s: %v", tc.name, resp.err)
				}
				if resp.status != tc.status || resp.code() != tc.code {
					t.Fatalf("%s: got %d %q, want %d %q: %s", tc.name, resp.status, resp.code(), tc.status, tc.code, resp.body)
				}
			}
		})
	}
}
