package sasapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

const scanDigest = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// scanClock is a fake clock: sleeping records the wait and moves the clock
// on at once, and a sleep past the deadline fails as a context deadline
// would, so minutes of backoff take no time.
type scanClock struct {
	mu       sync.Mutex
	now      time.Time
	deadline time.Time
	sleeps   []time.Duration
}

// newScanClock's deadline, two hours on, ends a wait that never finishes.
func newScanClock() *scanClock {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	return &scanClock{now: now, deadline: now.Add(2 * time.Hour)}
}

func (c *scanClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *scanClock) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	if !c.deadline.IsZero() && c.now.Add(d).After(c.deadline) {
		c.now = c.deadline
		return context.DeadlineExceeded
	}
	c.now = c.now.Add(d)
	return nil
}

func (c *scanClock) waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// options are ScanOptions on this clock with the production intervals.
func (c *scanClock) options() ScanOptions {
	return ScanOptions{now: c.Now, sleep: c.sleep}
}

func (c *scanClock) ms(offset time.Duration) int64 { return c.Now().Add(offset).UnixMilli() }

// scanStub is a scripted service: each creation and each status read is
// answered by the test's function, given its 1-based number.
type scanStub struct {
	mu       sync.Mutex
	creates  int
	latests  int
	queries  []url.Values
	onCreate func(n int, w http.ResponseWriter)
	onLatest func(n int, w http.ResponseWriter)
}

func (s *scanStub) client(t *testing.T, adjust ...func(*Config)) *Client {
	t.Helper()
	endpoint, _ := stubServer(t, func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		action := r.Header.Get("x-acs-action")
		s.queries = append(s.queries, r.URL.Query())
		var n int
		var answer func(int, http.ResponseWriter)
		switch action {
		case ActionPublicCreateImageScanTask:
			s.creates++
			n, answer = s.creates, s.onCreate
		case ActionDescribeImageLatestScanTask:
			s.latests++
			n, answer = s.latests, s.onLatest
		}
		s.mu.Unlock()
		if answer == nil {
			t.Errorf("unexpected %s request", action)
			http.Error(w, "unexpected", http.StatusNotImplemented)
			return
		}
		answer(n, w)
	})
	return clientFor(t, endpoint, adjust...)
}

func (s *scanStub) counts() (creates, latests int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.creates, s.latests
}

// bounded is the context of a test driven by the fake clock: a loop that
// never ends fails the test within seconds instead of hanging it.
func bounded(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func writeBody(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-acs-request-id", "REQ-1")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func created(taskID string) string {
	return `{"RequestId":"REQ-1","Data":{"TaskId":"` + taskID + `","CanCreate":true,"Status":"INIT","Result":"SUCCESS","TotalCount":1}}`
}

// latestBody is a DescribeImageLatestScanTask answer with one task; a zero
// startMs leaves StartTime empty, as the service may.
func latestBody(taskID, status string, startMs int64) string {
	start := `""`
	if startMs != 0 {
		start = fmt.Sprint(startMs)
	}
	finish := `""`
	switch status {
	case "SUCCESS", "FAIL", "TIMOUT", "TIMEOUT":
		finish = fmt.Sprint(startMs + 90_000)
	}
	return `{"RequestId":"REQ-2","Task":[{"Id":7,"TaskId":"` + taskID + `","Name":"IMAGE_SCAN","TaskType":"IMAGE_SCAN","Target":"` + scanDigest +
		`","TargetType":"IMAGE","Status":"` + status + `","Source":"openapi","Finish":1,"StartTime":` + start + `,"FinishTime":` + finish +
		`,"Create":"2026-03-01 18:00:00","Modified":"2026-03-01 18:01:30"}]}`
}

const noTask = `{"RequestId":"REQ-2","Task":[]}`

func serverError(w http.ResponseWriter) {
	writeBody(w, http.StatusInternalServerError, `{"RequestId":"REQ-E","Code":"ServerError","Message":"ServerError"}`)
}

func TestStartImageScanSendsTheBareDigestAndTheScope(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: []fakesas.Image{{"Uuid": "u", "Digest": scanDigest, "RepoName": "app"}}})
	c := clientFor(t, fake.Endpoint())
	start, err := c.StartImageScan(bounded(t), ImageScanRequest{
		Digest: "sha256:" + strings.ToUpper(scanDigest), RepoName: "app", RepoNamespace: "prod", Tag: "1.0",
		RegionID: "cn-hangzhou", InstanceID: "cri-1", RegistryType: "acr",
	}, ScanOptions{})
	if err != nil {
		t.Fatalf("StartImageScan: %v", err)
	}
	tasks := fake.ScanTasks()
	if len(tasks) != 1 || start.TaskID != tasks[0].TaskID || start.Data == nil || start.Task != nil {
		t.Fatalf("start %+v, fake tasks %v", start, tasks)
	}
	want := url.Values{
		"Digests": {scanDigest}, "RepoNames": {"app"}, "RepoNamespaces": {"prod"}, "Tags": {"1.0"},
		"RegionIds": {"cn-hangzhou"}, "InstanceIds": {"cri-1"}, "RegistryTypes": {"acr"},
	}
	for k, v := range want {
		if got := tasks[0].Query.Get(k); got != v[0] {
			t.Errorf("%s = %q, want %q", k, got, v[0])
		}
	}
	for k := range tasks[0].Query {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected parameter %s=%q", k, tasks[0].Query.Get(k))
		}
	}

	onlyDigest, err := c.StartImageScan(bounded(t), ImageScanRequest{Digest: scanDigest}, ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if q := fake.ScanTasks()[1].Query; len(q) != 1 || q.Get("Digests") != scanDigest || onlyDigest.TaskID == start.TaskID {
		t.Errorf("an unscoped request sent %v", q)
	}
}

func TestStartImageScanRejectsBadRequestsWithoutSending(t *testing.T) {
	stub := &scanStub{}
	c := stub.client(t)
	for _, req := range []ImageScanRequest{
		{Digest: ""},
		{Digest: "sha256:abc"},
		{Digest: "sha512:" + scanDigest},
		{Digest: scanDigest + "0"},
		{Digest: scanDigest, Tag: "1.0,1.1"},
	} {
		if _, err := c.StartImageScan(bounded(t), req, ScanOptions{}); err == nil {
			t.Errorf("%+v was accepted", req)
		}
	}
	if creates, latests := stub.counts(); creates+latests != 0 {
		t.Fatalf("%d requests sent", creates+latests)
	}
}

func TestNormalizeDigest(t *testing.T) {
	for in, want := range map[string]bool{
		scanDigest: true, "sha256:" + scanDigest: true, "SHA256:" + strings.ToUpper(scanDigest): true, " " + scanDigest + " ": true,
		"": false, "sha256:": false, scanDigest[1:]: false, "sha1:" + scanDigest: false, strings.Replace(scanDigest, "0", "g", 1): false,
	} {
		got, ok := NormalizeDigest(in)
		if ok != want || (ok && got != scanDigest) {
			t.Errorf("NormalizeDigest(%q) = %q, %v; want %v", in, got, ok, want)
		}
	}
}

// The status machine: every documented status, the service's TIMOUT and
// an unknown one, in the sequences a task goes through.
func TestWaitImageScanFollowsTheTaskToItsEnd(t *testing.T) {
	cases := []struct {
		name     string
		statuses []string
		want     string // "" for success, else the ScanFailedError status
		raw      string
	}{
		{"success", []string{"PROCESSING", "START", "MESSAGE_SEND", "PRE_ANALYZER", "SUCCESS"}, "", ""},
		{"fail", []string{"START", "PRE_ANALYZER", "FAIL"}, ScanStatusFail, "FAIL"},
		{"the service's TIMOUT", []string{"START", "TIMOUT"}, ScanStatusTimeout, "TIMOUT"},
		{"TIMEOUT spelled right", []string{"TIMEOUT"}, ScanStatusTimeout, "TIMEOUT"},
		{"unknown statuses keep waiting", []string{"QUEUED", "", "SUCCESS"}, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clock := newScanClock()
			began := clock.Now()
			stub := &scanStub{onLatest: func(n int, w http.ResponseWriter) {
				writeBody(w, 200, latestBody("T1", tc.statuses[min(n, len(tc.statuses))-1], began.UnixMilli()+1000))
			}}
			c := stub.client(t)
			task, err := c.WaitImageScan(bounded(t), scanDigest, &ScanStart{TaskID: "T1", Began: began}, clock.options())
			if _, latests := stub.counts(); latests != len(tc.statuses) {
				t.Errorf("%d status reads, want %d (one per status)", latests, len(tc.statuses))
			}
			if task == nil || task.TaskId.Value != "T1" {
				t.Fatalf("task %+v", task)
			}
			if tc.want == "" {
				if err != nil || task.ScanStatus() != ScanStatusSuccess || !task.FinishTime.Valid {
					t.Fatalf("got %v, %v; want a finished SUCCESS", task.Status, err)
				}
				return
			}
			var failed *ScanFailedError
			if !errors.As(err, &failed) || failed.Status != tc.want || failed.RawStatus != tc.raw || failed.TaskID != "T1" {
				t.Fatalf("error %v, want a ScanFailedError %s (%s) of T1", err, tc.want, tc.raw)
			}
			if !strings.Contains(err.Error(), "T1") || !strings.Contains(err.Error(), tc.raw) {
				t.Errorf("message %q does not name the task and its status", err)
			}
		})
	}
}

func TestWaitImageScanRecognisesItsTask(t *testing.T) {
	clock := newScanClock()
	began := clock.Now()
	cases := []struct {
		name    string
		answers []string
		wantID  string
		polls   int
	}{
		{
			name: "an older task, then none, then ours",
			answers: []string{
				latestBody("OLD", "SUCCESS", began.Add(-time.Hour).UnixMilli()),
				noTask,
				latestBody("T1", "START", began.UnixMilli()),
				latestBody("T1", "SUCCESS", began.UnixMilli()),
			},
			wantID: "T1", polls: 4,
		},
		{
			name:    "another id, started since the creation began",
			answers: []string{latestBody("SUB-1", "SUCCESS", began.Add(2*time.Second).UnixMilli())},
			wantID:  "SUB-1", polls: 1,
		},
		{
			name:    "a single object instead of an array",
			answers: []string{strings.Replace(strings.Replace(latestBody("T1", "SUCCESS", began.UnixMilli()), `"Task":[`, `"Task":`, 1), `}]}`, `}}`, 1)},
			wantID:  "T1", polls: 1,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stub := &scanStub{onLatest: func(n int, w http.ResponseWriter) { writeBody(w, 200, tc.answers[min(n, len(tc.answers))-1]) }}
			task, err := stub.client(t).WaitImageScan(bounded(t), scanDigest, &ScanStart{TaskID: "T1", Began: began}, newScanClock().options())
			if err != nil || task.TaskId.Value != tc.wantID {
				t.Fatalf("got %+v, %v; want task %s", task, err, tc.wantID)
			}
			if _, latests := stub.counts(); latests != tc.polls {
				t.Errorf("%d polls, want %d", latests, tc.polls)
			}
		})
	}
}

func TestWaitImageScanBacksOffFromFiveToThirtySecondsWithJitter(t *testing.T) {
	clock := newScanClock()
	const polls = 12
	stub := &scanStub{onLatest: func(n int, w http.ResponseWriter) {
		status := "PRE_ANALYZER"
		if n == polls {
			status = "SUCCESS"
		}
		writeBody(w, 200, latestBody("T1", status, 1))
	}}
	if _, err := stub.client(t).WaitImageScan(bounded(t), scanDigest, &ScanStart{TaskID: "T1", Began: clock.Now()}, clock.options()); err != nil {
		t.Fatal(err)
	}
	waits := clock.waits()
	if len(waits) != polls {
		t.Fatalf("%d waits, want %d", len(waits), polls)
	}
	nominal := 5 * time.Second
	atCap := map[time.Duration]bool{}
	for k, w := range waits {
		lo, hi := nominal-nominal/5, min(nominal+nominal/5, 30*time.Second)
		if w < lo || w > hi {
			t.Errorf("wait %d = %v, want %v..%v (nominal %v)", k+1, w, lo, hi, nominal)
		}
		if nominal == 30*time.Second {
			atCap[w] = true
		}
		nominal = min(nominal*3/2, 30*time.Second)
	}
	if len(atCap) < 2 {
		t.Errorf("the waits at the cap are all %v: not jittered", waits[len(waits)-1])
	}
}

func TestScanOptionsIntervalsAreConfigurable(t *testing.T) {
	clock := newScanClock()
	stub := &scanStub{onLatest: func(n int, w http.ResponseWriter) {
		writeBody(w, 200, latestBody("T1", map[bool]string{true: "SUCCESS", false: "START"}[n == 6], 1))
	}}
	opts := clock.options()
	opts.PollInterval, opts.MaxPollInterval = 10*time.Millisecond, 20*time.Millisecond
	if _, err := stub.client(t).WaitImageScan(bounded(t), scanDigest, &ScanStart{TaskID: "T1", Began: clock.Now()}, opts); err != nil {
		t.Fatal(err)
	}
	for _, w := range clock.waits() {
		if w < 8*time.Millisecond || w > 20*time.Millisecond {
			t.Errorf("wait %v outside 8ms..20ms", w)
		}
	}
}

// The create timeout is the context's deadline: here a real one, with
// millisecond intervals.
func TestWaitImageScanStopsAtTheDeadline(t *testing.T) {
	cases := []struct {
		name    string
		answer  string
		wantMsg string
	}{
		{"while the task runs", latestBody("T1", "PRE_ANALYZER", time.Now().UnixMilli()), "status PRE_ANALYZER"},
		{"before the task is listed", noTask, "not listed yet"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stub := &scanStub{onLatest: func(int, http.ResponseWriter) {}}
			stub.onLatest = func(_ int, w http.ResponseWriter) { writeBody(w, 200, tc.answer) }
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			task, err := stub.client(t).WaitImageScan(ctx, scanDigest, &ScanStart{TaskID: "T1", Began: time.Now()},
				ScanOptions{PollInterval: time.Millisecond, MaxPollInterval: 2 * time.Millisecond})
			var waitErr *ScanWaitError
			if !errors.As(err, &waitErr) || !errors.Is(err, context.DeadlineExceeded) || waitErr.TaskID != "T1" {
				t.Fatalf("error %v, want a ScanWaitError of T1 for the deadline", err)
			}
			if (tc.answer == noTask) != (task == nil) || (task == nil) != (waitErr.Last == nil) {
				t.Errorf("last task %+v, error's %+v", task, waitErr.Last)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("message %q lacks %q", err, tc.wantMsg)
			}
		})
	}
}

// Ctrl-C cancels the context: a wait in progress, or a status read in
// flight, ends at once.
func TestWaitImageScanStopsPromptlyWhenCancelled(t *testing.T) {
	for _, inFlight := range []bool{false, true} {
		t.Run(fmt.Sprintf("read in flight %v", inFlight), func(t *testing.T) {
			reading := make(chan struct{}, 1)
			stub := &scanStub{onLatest: func(_ int, w http.ResponseWriter) {
				select {
				case reading <- struct{}{}:
				default:
				}
				time.Sleep(300 * time.Millisecond) // longer than the test waits: the client must not wait for it
				writeBody(w, 200, latestBody("T1", "START", 1))
			}}
			c := stub.client(t)
			// Not in flight: the first wait is an hour long.
			opts := ScanOptions{PollInterval: time.Hour}
			if inFlight {
				opts.PollInterval = time.Millisecond
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				_, err := c.WaitImageScan(ctx, scanDigest, &ScanStart{TaskID: "T1", Began: time.Now()}, opts)
				done <- err
			}()
			if inFlight {
				<-reading
			} else {
				time.Sleep(20 * time.Millisecond) // let it enter the wait
			}
			cancel()
			select {
			case err := <-done:
				var waitErr *ScanWaitError
				if !errors.As(err, &waitErr) || !errors.Is(err, context.Canceled) {
					t.Fatalf("error %v, want a ScanWaitError for context.Canceled", err)
				}
			case <-time.After(250 * time.Millisecond):
				t.Fatal("still waiting after cancellation")
			}
		})
	}
}

func TestWaitImageScanReadFailures(t *testing.T) {
	t.Run("a transient failure does not end the wait", func(t *testing.T) {
		stub := &scanStub{onLatest: func(n int, w http.ResponseWriter) {
			if n == 2 {
				writeBody(w, http.StatusServiceUnavailable, `{"Code":"ServiceUnavailable","Message":"try later"}`)
				return
			}
			writeBody(w, 200, latestBody("T1", map[bool]string{true: "SUCCESS", false: "START"}[n == 3], 1))
		}}
		c := stub.client(t, withMaxRetries(0))
		var events []ScanEvent
		opts := newScanClock().options()
		opts.OnEvent = func(e ScanEvent) { events = append(events, e) }
		task, err := c.WaitImageScan(bounded(t), scanDigest, &ScanStart{TaskID: "T1"}, opts)
		if err != nil || task.ScanStatus() != ScanStatusSuccess {
			t.Fatalf("got %v, %v", task, err)
		}
		if len(events) != 3 || events[1].Kind != ScanEventPoll || events[1].Err == nil {
			t.Errorf("events %+v, want three polls, the second with its error", events)
		}
	})
	t.Run("a final failure ends it", func(t *testing.T) {
		stub := &scanStub{onLatest: func(n int, w http.ResponseWriter) {
			if n == 2 {
				writeBody(w, http.StatusForbidden, `{"RequestId":"REQ-403","Code":"NoPermission","Message":"denied"}`)
				return
			}
			writeBody(w, 200, latestBody("T1", "START", 1))
		}}
		task, err := stub.client(t).WaitImageScan(bounded(t), scanDigest, &ScanStart{TaskID: "T1"}, newScanClock().options())
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.Code != "NoPermission" || task == nil || task.Status.Value != "START" {
			t.Fatalf("got %+v, %v; want NoPermission with the last status", task, err)
		}
	})
	t.Run("an adopted task that already ended is not read again", func(t *testing.T) {
		stub := &scanStub{}
		done := &ImageScanTask{TaskId: String{Value: "T1", Valid: true}, Status: String{Value: "FAIL", Valid: true}}
		_, err := stub.client(t).WaitImageScan(bounded(t), scanDigest, &ScanStart{TaskID: "T1", Task: done}, newScanClock().options())
		var failed *ScanFailedError
		if !errors.As(err, &failed) || failed.Status != ScanStatusFail {
			t.Fatalf("error %v", err)
		}
	})
}

func TestStartImageScanAnswers(t *testing.T) {
	cases := []struct {
		name    string
		answer  string
		reason  ScanNotStartedReason
		message string
	}{
		{"region not supported", `{"RequestId":"REQ-R","Data":{"CanCreate":true,"Status":"FAIL","Result":"TASK_NOT_SUPPORT_REGION"}}`,
			ScanRegionNotSupported, "TASK_NOT_SUPPORT_REGION"},
		{"no task id, no reason", `{"RequestId":"REQ-R","Data":{"CanCreate":true,"Status":"INIT"}}`, ScanNoTaskID, "without a task id"},
		{"no task id, CanCreate absent", `{"RequestId":"REQ-R","Data":{}}`, ScanNoTaskID, "CanCreate absent"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clock := newScanClock()
			stub := &scanStub{onCreate: func(_ int, w http.ResponseWriter) { writeBody(w, 200, tc.answer) }}
			_, err := stub.client(t).StartImageScan(bounded(t), ImageScanRequest{Digest: scanDigest}, clock.options())
			var notStarted *ScanNotStartedError
			if !errors.As(err, &notStarted) || notStarted.Reason != tc.reason || notStarted.RequestID != "REQ-R" {
				t.Fatalf("error %v, want reason %d with the request id", err, tc.reason)
			}
			if !strings.Contains(err.Error(), tc.message) || !strings.Contains(err.Error(), "REQ-R") {
				t.Errorf("message %q lacks %q or the request id", err, tc.message)
			}
			if creates, latests := stub.counts(); creates != 1 || latests != 0 || len(clock.waits()) != 0 {
				t.Errorf("%d creations, %d reads, waits %v; want one creation and nothing else", creates, latests, clock.waits())
			}
		})
	}
}

// When ten scans run, the service refuses; the creation waits with the poll
// backoff and tries again, and only the context (the create timeout) ends it.
func TestStartImageScanWaitsForTheRunningLimit(t *testing.T) {
	refusals := map[string]func(http.ResponseWriter){
		"CanCreate false": func(w http.ResponseWriter) { writeBody(w, 200, `{"RequestId":"REQ-L","Data":{"CanCreate":false}}`) },
		"throttling": func(w http.ResponseWriter) {
			writeBody(w, http.StatusBadRequest, `{"RequestId":"REQ-T","Code":"Throttling.User","Message":"Request was denied due to user flow control."}`)
		},
	}
	for name, refuse := range refusals {
		t.Run(name+", then started", func(t *testing.T) {
			clock := newScanClock()
			stub := &scanStub{onCreate: func(n int, w http.ResponseWriter) {
				if n <= 3 {
					refuse(w)
					return
				}
				writeBody(w, 200, created("T4"))
			}}
			var limitEvents int
			opts := clock.options()
			opts.OnEvent = func(e ScanEvent) {
				if e.Kind == ScanEventLimitWait {
					limitEvents++
				}
			}
			start, err := stub.client(t, withMaxRetries(0)).StartImageScan(bounded(t), ImageScanRequest{Digest: scanDigest}, opts)
			if err != nil || start.TaskID != "T4" {
				t.Fatalf("got %+v, %v", start, err)
			}
			creates, latests := stub.counts()
			waits := clock.waits()
			if creates != 4 || latests != 0 || len(waits) != 3 || limitEvents != 3 {
				t.Fatalf("%d creations, %d reads, waits %v, %d events; want 4, 0, three waits, 3", creates, latests, waits, limitEvents)
			}
			if waits[0] < 4*time.Second || waits[0] > 6*time.Second || waits[2] < waits[0] {
				t.Errorf("waits %v do not follow the 5s poll backoff", waits)
			}
			if !start.Began.Equal(newScanClock().Now()) {
				t.Errorf("Began %v, want the first attempt's time", start.Began)
			}
		})
		t.Run(name+", until the deadline", func(t *testing.T) {
			clock := newScanClock()
			clock.deadline = clock.Now().Add(20 * time.Minute)
			stub := &scanStub{onCreate: func(_ int, w http.ResponseWriter) { refuse(w) }}
			_, err := stub.client(t).StartImageScan(bounded(t), ImageScanRequest{Digest: scanDigest}, clock.options())
			var notStarted *ScanNotStartedError
			if !errors.As(err, &notStarted) || notStarted.Reason != ScanLimitReached || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("error %v, want ScanLimitReached for the deadline", err)
			}
			creates, _ := stub.counts()
			if notStarted.Refusals != creates || creates < 40 || notStarted.Waited != 20*time.Minute {
				t.Errorf("%d refusals of %d creations over %v; want every creation refused, about one per 30s, over 20m", notStarted.Refusals, creates, notStarted.Waited)
			}
		})
	}
}

// Creating is not idempotent. A creation that may have reached the service
// is never simply sent again: the image's latest task is read first, and a
// task started since the creation began is taken as the result.
func TestStartImageScanAdoptsTheTaskOfAnAnswerThatWasLost(t *testing.T) {
	lost := map[string]func(http.ResponseWriter){
		"server error": serverError,
		"gateway page": func(w http.ResponseWriter) {
			http.Error(w, "<html><title>502 Bad Gateway</title></html>", http.StatusBadGateway)
		},
		"truncated body": func(w http.ResponseWriter) { writeBody(w, 200, created("T1")[:30]) },
		"no Data":        func(w http.ResponseWriter) { writeBody(w, 200, `{"RequestId":"REQ-1"}`) },
		"connection reset": func(w http.ResponseWriter) {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				_ = conn.Close()
			}
		},
	}
	for name, answer := range lost {
		t.Run(name, func(t *testing.T) {
			clock := newScanClock()
			stub := &scanStub{}
			stub.onCreate = func(_ int, w http.ResponseWriter) { answer(w) }
			// The service started the task a second after the request left.
			stub.onLatest = func(_ int, w http.ResponseWriter) {
				writeBody(w, 200, latestBody("T1", "START", clock.ms(time.Second)))
			}
			start, err := stub.client(t).StartImageScan(bounded(t), ImageScanRequest{Digest: scanDigest}, clock.options())
			if err != nil || start.TaskID != "T1" || start.Task == nil || start.Data != nil {
				t.Fatalf("got %+v, %v; want task T1 adopted", start, err)
			}
			if creates, latests := stub.counts(); creates != 1 || latests != 1 {
				t.Fatalf("%d creations and %d reads; want the one creation, then one read", creates, latests)
			}
		})
	}
}

func TestStartImageScanCreatesAgainOnlyWhenNoTaskStarted(t *testing.T) {
	cases := []struct {
		name        string
		latest      func(c *scanClock) string
		wantCreates int
		wantID      string
	}{
		{"no task at all", func(*scanClock) string { return noTask }, 2, "T2"},
		{"an older finished task", func(c *scanClock) string { return latestBody("OLD", "SUCCESS", c.ms(-time.Hour)) }, 2, "T2"},
		{"a finished task without StartTime", func(*scanClock) string { return latestBody("OLD", "SUCCESS", 0) }, 2, "T2"},
		{"a running task without StartTime", func(*scanClock) string { return latestBody("RUN", "PRE_ANALYZER", 0) }, 1, "RUN"},
		{"a task 30s early by the service's clock", func(c *scanClock) string { return latestBody("SKEW", "START", c.ms(-30*time.Second)) }, 1, "SKEW"},
		{"a task 2 minutes early", func(c *scanClock) string { return latestBody("OLD", "START", c.ms(-2*time.Minute)) }, 2, "T2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clock := newScanClock()
			answer := tc.latest(clock)
			stub := &scanStub{
				onCreate: func(n int, w http.ResponseWriter) {
					if n == 1 {
						writeBody(w, http.StatusServiceUnavailable, `{"Code":"ServiceUnavailable","Message":"busy"}`)
						return
					}
					writeBody(w, 200, created("T2"))
				},
				onLatest: func(_ int, w http.ResponseWriter) { writeBody(w, 200, answer) },
			}
			start, err := stub.client(t).StartImageScan(bounded(t), ImageScanRequest{Digest: scanDigest}, clock.options())
			if err != nil || start.TaskID != tc.wantID {
				t.Fatalf("got %+v, %v; want task %s", start, err, tc.wantID)
			}
			if creates, latests := stub.counts(); creates != tc.wantCreates || latests != 1 {
				t.Fatalf("%d creations, %d reads; want %d and 1", creates, latests, tc.wantCreates)
			}
		})
	}
}

func TestStartImageScanFailures(t *testing.T) {
	t.Run("refusals are final and never checked", func(t *testing.T) {
		stub := &scanStub{onCreate: func(_ int, w http.ResponseWriter) {
			writeBody(w, http.StatusForbidden, `{"RequestId":"REQ-403","Code":"NoPermission","Message":"denied"}`)
		}}
		_, err := stub.client(t).StartImageScan(bounded(t), ImageScanRequest{Digest: scanDigest}, newScanClock().options())
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.Code != "NoPermission" {
			t.Fatalf("error %v", err)
		}
		if creates, latests := stub.counts(); creates != 1 || latests != 0 {
			t.Fatalf("%d creations, %d reads", creates, latests)
		}
	})
	t.Run("unclear failures within the retry budget", func(t *testing.T) {
		stub := &scanStub{onCreate: func(_ int, w http.ResponseWriter) { serverError(w) }, onLatest: func(_ int, w http.ResponseWriter) { writeBody(w, 200, noTask) }}
		_, err := stub.client(t, withMaxRetries(2)).StartImageScan(bounded(t), ImageScanRequest{Digest: scanDigest}, newScanClock().options())
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.Code != "ServerError" || apiErr.Attempts != 3 {
			t.Fatalf("error %v, want ServerError after 3 attempts", err)
		}
		if creates, latests := stub.counts(); creates != 3 || latests != 3 {
			t.Fatalf("%d creations, %d reads; want 3 of each (every creation checked)", creates, latests)
		}
	})
	t.Run("no retries: one creation, checked", func(t *testing.T) {
		stub := &scanStub{onCreate: func(_ int, w http.ResponseWriter) { serverError(w) }, onLatest: func(_ int, w http.ResponseWriter) { writeBody(w, 200, noTask) }}
		_, err := stub.client(t, withMaxRetries(0)).StartImageScan(bounded(t), ImageScanRequest{Digest: scanDigest}, newScanClock().options())
		if err == nil {
			t.Fatal("no error")
		}
		if creates, latests := stub.counts(); creates != 1 || latests != 1 {
			t.Fatalf("%d creations, %d reads; want 1 and 1", creates, latests)
		}
	})
	t.Run("an unclear failure that cannot be checked", func(t *testing.T) {
		stub := &scanStub{
			onCreate: func(_ int, w http.ResponseWriter) { serverError(w) },
			onLatest: func(_ int, w http.ResponseWriter) {
				writeBody(w, http.StatusForbidden, `{"RequestId":"REQ-403","Code":"NoPermission","Message":"denied"}`)
			},
		}
		_, err := stub.client(t).StartImageScan(bounded(t), ImageScanRequest{Digest: scanDigest}, newScanClock().options())
		var unknown *ScanOutcomeUnknownError
		if !errors.As(err, &unknown) || unknown.CheckErr == nil || !strings.Contains(err.Error(), "may have started") {
			t.Fatalf("error %v, want ScanOutcomeUnknownError with the check's failure", err)
		}
		if creates, _ := stub.counts(); creates != 1 {
			t.Fatalf("%d creations: created again without knowing", creates)
		}
	})
	t.Run("the deadline while a creation is in flight", func(t *testing.T) {
		cases := []struct {
			name     string
			refusals int    // creations refused before the one cut off
			latest   string // what the brief look finds
			check    func(t *testing.T, start *ScanStart, err error)
		}{
			{"it started a task: adopted", 0, "T1", func(t *testing.T, start *ScanStart, err error) {
				if err != nil || start.TaskID != "T1" || start.Task == nil {
					t.Fatalf("got %+v, %v; want T1 adopted", start, err)
				}
			}},
			{"nothing started, after limit refusals", 2, "", func(t *testing.T, _ *ScanStart, err error) {
				var notStarted *ScanNotStartedError
				if !errors.As(err, &notStarted) || notStarted.Reason != ScanLimitReached || notStarted.Refusals != 2 || !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("error %v, want ScanLimitReached after 2 refusals", err)
				}
			}},
			{"nothing started", 0, "", func(t *testing.T, _ *ScanStart, err error) {
				var unknown *ScanOutcomeUnknownError
				if err == nil || errors.As(err, &unknown) || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no scan started") {
					t.Fatalf("error %v, want no scan started for the deadline", err)
				}
				// Nothing was refused, so the running limit is not blamed.
				var notStarted *ScanNotStartedError
				if errors.As(err, &notStarted) || strings.Contains(err.Error(), "refused") {
					t.Fatalf("error %v blames the running limit; no creation was refused", err)
				}
			}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				began := time.Now()
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				stub := &scanStub{
					onCreate: func(n int, w http.ResponseWriter) {
						if n <= tc.refusals {
							writeBody(w, 200, `{"RequestId":"REQ-L","Data":{"CanCreate":false}}`)
							return
						}
						time.Sleep(200 * time.Millisecond) // past the deadline
						writeBody(w, 200, created("T1"))
					},
					onLatest: func(_ int, w http.ResponseWriter) {
						if tc.latest == "" {
							writeBody(w, 200, noTask)
							return
						}
						writeBody(w, 200, latestBody(tc.latest, "START", began.UnixMilli()))
					},
				}
				c := stub.client(t)
				ctx, cancelDeadline := context.WithTimeout(ctx, 100*time.Millisecond)
				defer cancelDeadline()
				start, err := c.StartImageScan(ctx, ImageScanRequest{Digest: scanDigest}, ScanOptions{PollInterval: time.Millisecond, MaxPollInterval: time.Millisecond})
				tc.check(t, start, err)
				if _, latests := stub.counts(); latests != 1 {
					t.Errorf("%d reads, want the one brief look", latests)
				}
			})
		}
	})
	t.Run("cancelled while a creation is in flight", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		stub := &scanStub{onCreate: func(_ int, w http.ResponseWriter) {
			cancel()
			time.Sleep(50 * time.Millisecond)
			writeBody(w, 200, created("T1"))
		}}
		_, err := stub.client(t).StartImageScan(ctx, ImageScanRequest{Digest: scanDigest}, newScanClock().options())
		var unknown *ScanOutcomeUnknownError
		if !errors.As(err, &unknown) || !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v, want ScanOutcomeUnknownError wrapping context.Canceled", err)
		}
	})
}

// Against the fake: an answer lost after the task started leaves one task,
// and waiting follows it to the end the fake reports.
func TestScanAgainstTheFake(t *testing.T) {
	digest := strings.Repeat("e", 64)
	fake := startFake(t, fakesas.Options{
		Images: []fakesas.Image{{"Uuid": "u", "Digest": digest, "RepoName": "app", "ScaStatus": "INIT", "LastScanTime": 0}},
		Scan:   fakesas.ScanOptions{Duration: 30 * time.Millisecond, LostCreateAnswers: 1, Outcomes: map[string]string{digest: fakesas.ScanTimout}},
	})
	c := clientFor(t, fake.Endpoint())
	opts := ScanOptions{PollInterval: 5 * time.Millisecond, MaxPollInterval: 10 * time.Millisecond}
	start, err := c.StartImageScan(bounded(t), ImageScanRequest{Digest: "sha256:" + digest}, opts)
	if err != nil {
		t.Fatalf("StartImageScan: %v", err)
	}
	tasks := fake.ScanTasks()
	if len(tasks) != 1 || start.TaskID != tasks[0].TaskID {
		t.Fatalf("start %+v, fake tasks %v; want the one task adopted", start, tasks)
	}
	task, err := c.WaitImageScan(bounded(t), digest, start, opts)
	var failed *ScanFailedError
	if !errors.As(err, &failed) || failed.RawStatus != fakesas.ScanTimout || failed.Status != ScanStatusTimeout {
		t.Fatalf("error %v, want the fake's TIMOUT", err)
	}
	if task.StartTime.Value != tasks[0].Start.UnixMilli() || task.FinishTime.Value != tasks[0].End.UnixMilli() || !task.Create.Valid || task.Create.Time.IsZero() {
		t.Errorf("task times %+v, want those of %v", task, tasks[0])
	}
}
