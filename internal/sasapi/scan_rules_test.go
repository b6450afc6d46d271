package sasapi

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A task belongs to a creation when it started at or after the creation
// began, less the clock skew; a task that cannot be dated belongs only
// while it runs.
func TestStartedSince(t *testing.T) {
	began := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	at := func(d time.Duration) Int { return Int{Value: began.Add(d).UnixMilli(), Valid: true} }
	cases := []struct {
		name   string
		start  Int
		status string
		want   bool
	}{
		{"started after the creation began", at(time.Second), "SUCCESS", true},
		{"started exactly the skew earlier", at(-scanClockSkew), "SUCCESS", true},
		{"started a millisecond before the skew", at(-scanClockSkew - time.Millisecond), "START", false},
		{"no start time, running", Int{}, "START", true},
		{"no start time, finished", Int{}, "SUCCESS", false},
		{"start time 0 is no date, running", Int{Value: 0, Valid: true}, "START", true},
		{"start time 0 is no date, finished", Int{Value: 0, Valid: true}, "FAIL", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			task := &ImageScanTask{StartTime: tc.start, Status: String{Value: tc.status, Valid: true}}
			if got := startedSince(task, began); got != tc.want {
				t.Fatalf("startedSince = %v, want %v", got, tc.want)
			}
		})
	}
}

// The id a status read reports wins; the creation's is the fallback.
func TestTaskIDOf(t *testing.T) {
	start := &ScanStart{TaskID: "CREATED"}
	cases := []struct {
		name string
		task *ImageScanTask
		want string
	}{
		{"no status read", nil, "CREATED"},
		{"a status read without an id", &ImageScanTask{}, "CREATED"},
		{"a status read with an id", &ImageScanTask{TaskId: String{Value: "READ", Valid: true}}, "READ"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := taskIDOf(start, tc.task); got != tc.want {
				t.Fatalf("taskIDOf = %q, want %q", got, tc.want)
			}
		})
	}
}

// Every part of a scan error's message is there exactly when it is known.
func TestScanErrorMessages(t *testing.T) {
	refused := &CreateImageScanTaskData{CanCreate: Bool{Value: false, Valid: true}, Status: String{Value: "s", Valid: true}, Result: String{Value: "r", Valid: true}}
	denied := errors.New("denied")
	cases := []struct {
		name string
		err  error
		want string
	}{
		{
			"region",
			&ScanNotStartedError{Reason: ScanRegionNotSupported},
			"PublicCreateImageScanTask: no scan started: the images are in a region image scanning does not support (TASK_NOT_SUPPORT_REGION)",
		},
		{
			"limit, with the answer, request id and cause",
			&ScanNotStartedError{Reason: ScanLimitReached, Data: refused, RequestID: "REQ", Refusals: 3, Waited: 1500 * time.Millisecond, Err: context.DeadlineExceeded},
			`PublicCreateImageScanTask: no scan started: the service refused 3 times to start another scan (at most 10 run at once) over 2s [CanCreate false, Status "s", Result "r"] [request id: REQ]: context deadline exceeded`,
		},
		{
			"no task id, CanCreate absent",
			&ScanNotStartedError{Reason: ScanNoTaskID, Data: &CreateImageScanTaskData{}},
			`PublicCreateImageScanTask: no scan started: the service answered without a task id [CanCreate absent, Status "", Result ""]`,
		},
		{
			"outcome unknown, not checked",
			&ScanOutcomeUnknownError{CreateErr: denied},
			"PublicCreateImageScanTask: the scan may have started: denied",
		},
		{
			"outcome unknown, the check failed",
			&ScanOutcomeUnknownError{CreateErr: denied, CheckErr: errors.New("unreadable")},
			"PublicCreateImageScanTask: the scan may have started: denied; checking for it failed: unreadable",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Fatalf("message\n %s\nwant\n %s", got, tc.want)
			}
		})
	}
}

// Every wait of the jitter's range occurs, its ends included. The spread is
// a few nanoseconds so that a few thousand draws meet each value (the
// chance of missing one is below 1e-190).
func TestScanBackoffJitterCoversTheWholeSpread(t *testing.T) {
	seen := map[time.Duration]int{}
	for range 2000 {
		seen[newScanBackoff(ScanOptions{PollInterval: 10, MaxPollInterval: time.Second}).next()]++
	}
	want := []time.Duration{8, 9, 10, 11, 12}
	if len(seen) != len(want) {
		t.Fatalf("waits %v, want each of %v", seen, want)
	}
	for _, d := range want {
		if seen[d] == 0 {
			t.Fatalf("waits %v, want each of %v", seen, want)
		}
	}
	if got := newScanBackoff(ScanOptions{PollInterval: 10, MaxPollInterval: 9}).next(); got > 9 {
		t.Fatalf("wait %v above the cap 9ns", got)
	}
}
