package sasapi

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"
)

// Defaults of ScanOptions.
const (
	DefaultScanPollInterval    = 5 * time.Second
	DefaultScanMaxPollInterval = 30 * time.Second
)

// scanClockSkew is how much earlier than the local start of a creation a
// task may have started, by the service's clock, and still count as the
// one that creation started: the two clocks are not the same.
const scanClockSkew = time.Minute

// ScanOptions controls StartImageScan and WaitImageScan. Both run until
// their context ends: the caller bounds them with a deadline.
type ScanOptions struct {
	// PollInterval is the first wait, both between status reads and
	// between attempts the ten-running-scans limit refused. It grows by
	// half each time up to MaxPollInterval, each wait jittered by ±20%.
	PollInterval    time.Duration
	MaxPollInterval time.Duration
	// OnEvent, if set, is told about waits and retries, for logging.
	OnEvent func(ScanEvent)

	// Tests replace the clock and the sleep.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

func (o ScanOptions) withDefaults() ScanOptions {
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultScanPollInterval
	}
	if o.MaxPollInterval <= 0 {
		o.MaxPollInterval = DefaultScanMaxPollInterval
	}
	o.MaxPollInterval = max(o.MaxPollInterval, o.PollInterval)
	if o.now == nil {
		o.now = time.Now
	}
	if o.sleep == nil {
		o.sleep = sleep
	}
	return o
}

func (o ScanOptions) emit(e ScanEvent) {
	if o.OnEvent != nil {
		o.OnEvent(e)
	}
}

// ScanEventKind names what a ScanEvent reports.
type ScanEventKind string

const (
	// ScanEventLimitWait: the service refused to start another scan (ten
	// already run, or it throttled); StartImageScan waits Wait and tries again.
	ScanEventLimitWait ScanEventKind = "limit-wait"
	// ScanEventCreateUnclear: a creation failed in a way that may have left a
	// task behind (Err); after Wait the image's latest task is checked.
	ScanEventCreateUnclear ScanEventKind = "create-unclear"
	// ScanEventAdopted: that check found a task started since the creation
	// began; it is taken instead of creating another.
	ScanEventAdopted ScanEventKind = "adopted"
	// ScanEventPoll: a status read; Task is what it found (nil: no task of
	// ours yet), Err a failure polling carries on after.
	ScanEventPoll ScanEventKind = "poll"
)

// ScanEvent is one step of StartImageScan or WaitImageScan.
type ScanEvent struct {
	Kind ScanEventKind
	Wait time.Duration
	Task *ImageScanTask
	Err  error
}

// ScanStart is a scan task that StartImageScan started or adopted.
type ScanStart struct {
	// TaskID is the task's id as the creation returned it, or as the image's
	// latest task reported it when the task was adopted.
	TaskID string
	// Began is when the first creation attempt was sent, by the local clock.
	Began time.Time
	// Data is the creation's answer; nil when the task was adopted.
	Data *CreateImageScanTaskData
	// Task is the adopted task; nil when the creation answered.
	Task      *ImageScanTask
	RequestID string
}

// Owns reports whether t, the image's latest task, is this scan: the same
// task id, or (the service does not document that both calls report the
// same id) a task that started since the creation began, which scans the
// same image no earlier than this one would have.
func (s *ScanStart) Owns(t *ImageScanTask) bool {
	if t == nil {
		return false
	}
	if t.TaskId.Valid && t.TaskId.Value == s.TaskID {
		return true
	}
	return startedSince(t, s.Began)
}

// startedSince reports whether the task started at or after began, allowing
// for clock skew. Create/Modified are not used: their time zone is unknown.
// A task without StartTime counts only while it is running: a running scan
// reports on the image as it is now, one that ended cannot be dated.
func startedSince(t *ImageScanTask, began time.Time) bool {
	if t.StartTime.Valid && t.StartTime.Value > 0 {
		return !time.UnixMilli(t.StartTime.Value).Before(began.Add(-scanClockSkew))
	}
	return !t.Finished()
}

// ScanNotStartedReason says why the service started no scan.
type ScanNotStartedReason int

const (
	// ScanRegionNotSupported: Result TASK_NOT_SUPPORT_REGION.
	ScanRegionNotSupported ScanNotStartedReason = iota + 1
	// ScanLimitReached: the service kept refusing (CanCreate false, or
	// throttling) until the context ended.
	ScanLimitReached
	// ScanNoTaskID: the service answered without a task id and without
	// saying why.
	ScanNoTaskID
)

// ScanNotStartedError means no scan task was started.
type ScanNotStartedError struct {
	Reason ScanNotStartedReason
	// Data is the last answer, nil when the last refusal was an error.
	Data      *CreateImageScanTaskData
	RequestID string
	// Refusals counts the refused attempts; Waited is the time spent waiting
	// for the limit to free.
	Refusals int
	Waited   time.Duration
	// Err is the context's error (ScanLimitReached) or the last refusal
	// error, if any.
	Err error
}

func (e *ScanNotStartedError) Error() string {
	var msg string
	switch e.Reason {
	case ScanRegionNotSupported:
		msg = "the images are in a region image scanning does not support (" + ScanResultRegionNotSupported + ")"
	case ScanLimitReached:
		msg = fmt.Sprintf("the service refused %d times to start another scan (at most 10 run at once) over %s", e.Refusals, e.Waited.Round(time.Second))
	default:
		msg = "the service answered without a task id"
	}
	if d := e.Data; d != nil {
		msg += fmt.Sprintf(" [CanCreate %s, Status %q, Result %q]", boolText(d.CanCreate), d.Status.Value, d.Result.Value)
	}
	if e.RequestID != "" {
		msg += " [request id: " + e.RequestID + "]"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return ActionPublicCreateImageScanTask + ": no scan started: " + msg
}

func (e *ScanNotStartedError) Unwrap() error { return e.Err }

func boolText(b Bool) string {
	if !b.Valid {
		return "absent"
	}
	return fmt.Sprint(b.Value)
}

// ScanOutcomeUnknownError means a creation failed after it may have reached
// the service, and whether it started a task could not be found out.
type ScanOutcomeUnknownError struct {
	// CreateErr is the creation's failure; CheckErr the failure to read the
	// image's latest task, nil when the context ended first.
	CreateErr error
	CheckErr  error
}

func (e *ScanOutcomeUnknownError) Error() string {
	if e.CheckErr == nil {
		return fmt.Sprintf("%s: the scan may have started: %v", ActionPublicCreateImageScanTask, e.CreateErr)
	}
	return fmt.Sprintf("%s: the scan may have started: %v; checking for it failed: %v", ActionPublicCreateImageScanTask, e.CreateErr, e.CheckErr)
}

// Unwrap exposes both failures, so that errors.Is finds a context error in
// either.
func (e *ScanOutcomeUnknownError) Unwrap() []error {
	return []error{e.CreateErr, e.CheckErr}
}

// ScanFailedError means the task ended with FAIL or TIMOUT.
type ScanFailedError struct {
	TaskID string
	// Status is ScanStatusFail or ScanStatusTimeout; RawStatus as sent.
	Status    string
	RawStatus string
}

func (e *ScanFailedError) Error() string {
	return fmt.Sprintf("scan task %s ended with status %s", e.TaskID, e.RawStatus)
}

// ScanWaitError means waiting stopped (the context ended) before the task
// finished. The task goes on in the service.
type ScanWaitError struct {
	TaskID string
	// Last is the last status read of the task; nil when it never showed
	// as the image's latest task.
	Last *ImageScanTask
	Err  error
}

func (e *ScanWaitError) Error() string {
	status := "not listed yet"
	if e.Last != nil {
		status = "status " + e.Last.Status.Value
	}
	return fmt.Sprintf("stopped waiting for scan task %s (%s): %v", e.TaskID, status, e.Err)
}

func (e *ScanWaitError) Unwrap() error { return e.Err }

// LatestScanTask returns the latest scan task of the image with this
// digest (with or without "sha256:"), nil when it has none. It is a read,
// retried like any other.
func (c *Client) LatestScanTask(ctx context.Context, digest string) (*ImageScanTask, error) {
	page, err := Call(ctx, c, DescribeImageLatestScanTask, digest)
	if err != nil {
		return nil, err
	}
	return latestTask(page.Items), nil
}

// createMayHaveActed reports whether a failed creation may have been acted
// on: no answer, a 5xx, or an unreadable 2xx. A 4xx, throttling included,
// is a refusal; a certificate or credential failure sent nothing.
func createMayHaveActed(err error) bool {
	var apiErr *APIError
	var te *TransportError
	var de *DecodeError
	switch {
	case errors.As(err, &apiErr):
		return apiErr.HTTPStatus >= http.StatusInternalServerError || apiErr.Code == "ServiceUnavailable"
	case errors.As(err, &te):
		return !IsCertificateError(te.Err)
	case errors.As(err, &de):
		return true
	}
	return false
}

// StartImageScan starts a scan of one image and returns its task.
//
// Creating a task is not idempotent, so a creation is never resent blindly:
// after a failure that may have reached the service it waits the client's
// backoff, reads the image's latest task, and takes a task started since the
// first attempt instead of creating another; only when there is none does it
// create again, within the client's MaxRetries and RetryTimeout. When the
// service refuses because ten scans already run (CanCreate false without a
// TaskId, or throttling), it waits with the poll backoff and tries again
// until ctx ends.
func (c *Client) StartImageScan(ctx context.Context, req ImageScanRequest, opts ScanOptions) (*ScanStart, error) {
	if _, err := PublicCreateImageScanTask.params(req); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	s := &scanStarter{c: c, req: req, opts: opts, began: opts.now(), limit: newScanBackoff(opts)}
	return s.run(ctx)
}

// scanStarter is the state of one StartImageScan.
type scanStarter struct {
	c     *Client
	req   ImageScanRequest
	opts  ScanOptions
	began time.Time
	limit *scanBackoff

	unclear  int // creations that failed after they may have reached the service
	refusals int
	waited   time.Duration
}

func (s *scanStarter) run(ctx context.Context) (*ScanStart, error) {
	for {
		answer, err := sendOnce(ctx, s.c, PublicCreateImageScanTask, s.req)
		if err == nil {
			start, retry, err := s.answered(ctx, &answer.Items[0], answer.RequestID)
			if !retry {
				return start, err
			}
			continue
		}
		if ctx.Err() != nil {
			return s.interrupted(ctx)
		}
		if IsThrottling(err) {
			if err := s.waitForLimit(ctx, err, nil, ""); err != nil {
				return nil, err
			}
			continue
		}
		if !createMayHaveActed(err) {
			return nil, err
		}
		start, retry, err := s.check(ctx, err)
		if !retry {
			return start, err
		}
	}
}

// lastLookTimeout bounds the read that settles a creation cut off by the
// caller's deadline.
const lastLookTimeout = 10 * time.Second

// interrupted handles a creation cut off by the end of ctx: it may have
// reached the service. After a deadline, one brief read settles whether it
// started a task, so that a task is neither lost nor reported as maybe
// started; after a cancellation (Ctrl-C) there is no time for it.
func (s *scanStarter) interrupted(ctx context.Context) (*ScanStart, error) {
	createErr := fmt.Errorf("%s: %w", ActionPublicCreateImageScanTask, ctx.Err())
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return nil, &ScanOutcomeUnknownError{CreateErr: createErr}
	}
	lookCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lastLookTimeout)
	defer cancel()
	task, err := s.c.LatestScanTask(lookCtx, s.req.Digest)
	if err != nil {
		return nil, &ScanOutcomeUnknownError{CreateErr: createErr, CheckErr: err}
	}
	if task != nil && startedSince(task, s.began) {
		s.opts.emit(ScanEvent{Kind: ScanEventAdopted, Task: task})
		return &ScanStart{TaskID: task.TaskId.Value, Began: s.began, Task: task}, nil
	}
	if s.refusals > 0 {
		return nil, &ScanNotStartedError{Reason: ScanLimitReached, Refusals: s.refusals, Waited: s.waited, Err: ctx.Err()}
	}
	return nil, fmt.Errorf("%s: no scan started: %w", ActionPublicCreateImageScanTask, ctx.Err())
}

// answered interprets a creation's answer: a task id is success; otherwise
// the service refused, for a region it does not scan, for the running limit,
// or for no stated reason.
func (s *scanStarter) answered(ctx context.Context, d *CreateImageScanTaskData, requestID string) (start *ScanStart, retry bool, err error) {
	if d.TaskId.Valid && d.TaskId.Value != "" {
		return &ScanStart{TaskID: d.TaskId.Value, Began: s.began, Data: d, RequestID: requestID}, false, nil
	}
	if d.Result.Value == ScanResultRegionNotSupported {
		return nil, false, &ScanNotStartedError{Reason: ScanRegionNotSupported, Data: d, RequestID: requestID}
	}
	if d.CanCreate.Valid && !d.CanCreate.Value {
		if err := s.waitForLimit(ctx, nil, d, requestID); err != nil {
			return nil, false, err
		}
		return nil, true, nil
	}
	return nil, false, &ScanNotStartedError{Reason: ScanNoTaskID, Data: d, RequestID: requestID}
}

// waitForLimit waits before the next attempt after a refusal; when ctx ends
// first it returns the ScanLimitReached error.
func (s *scanStarter) waitForLimit(ctx context.Context, refusal error, d *CreateImageScanTaskData, requestID string) error {
	s.refusals++
	wait := s.limit.next()
	s.opts.emit(ScanEvent{Kind: ScanEventLimitWait, Wait: wait, Err: refusal})
	started := s.opts.now()
	err := s.opts.sleep(ctx, wait)
	s.waited += s.opts.now().Sub(started)
	if err == nil {
		return nil
	}
	return &ScanNotStartedError{Reason: ScanLimitReached, Data: d, RequestID: requestID, Refusals: s.refusals, Waited: s.waited, Err: errors.Join(err, refusal)}
}

// check handles a creation that may have reached the service: after the
// backoff it looks for a task started since the first attempt. Found, it is
// adopted; not found, the creation is retried while the retry budget lasts.
func (s *scanStarter) check(ctx context.Context, createErr error) (start *ScanStart, retry bool, err error) {
	s.unclear++
	wait := s.c.backoff(s.unclear, createErr)
	s.opts.emit(ScanEvent{Kind: ScanEventCreateUnclear, Wait: wait, Err: createErr})
	if err := s.opts.sleep(ctx, wait); err != nil {
		return nil, false, &ScanOutcomeUnknownError{CreateErr: createErr}
	}
	task, checkErr := s.c.LatestScanTask(ctx, s.req.Digest)
	if checkErr != nil {
		return nil, false, &ScanOutcomeUnknownError{CreateErr: createErr, CheckErr: checkErr}
	}
	if task != nil && startedSince(task, s.began) {
		s.opts.emit(ScanEvent{Kind: ScanEventAdopted, Task: task})
		return &ScanStart{TaskID: task.TaskId.Value, Began: s.began, Task: task}, false, nil
	}
	// No task: the creation did not take effect, so sending it again is safe.
	budgetLeft := s.opts.now().Add(s.c.backoff(s.unclear+1, createErr)).Before(s.began.Add(s.c.cfg.RetryTimeout))
	if s.unclear > s.c.cfg.MaxRetries || !budgetLeft {
		setAttempts(createErr, s.unclear)
		return nil, false, createErr
	}
	return nil, true, nil
}

// WaitImageScan polls the image's latest task until the scan started as
// start finishes, with the poll backoff, and returns the task's last state.
// SUCCESS returns no error; FAIL and TIMOUT return a *ScanFailedError; the
// end of ctx a *ScanWaitError. A failed read that retrying may fix does not
// stop the wait; any other read failure is returned.
func (c *Client) WaitImageScan(ctx context.Context, digest string, start *ScanStart, opts ScanOptions) (*ImageScanTask, error) {
	opts = opts.withDefaults()
	b := newScanBackoff(opts)
	last := start.Task
	for {
		if last != nil && last.Finished() {
			return last, finishedError(start, last)
		}
		if err := opts.sleep(ctx, b.next()); err != nil {
			return last, &ScanWaitError{TaskID: taskIDOf(start, last), Last: last, Err: err}
		}
		task, err := c.LatestScanTask(ctx, digest)
		if ctx.Err() != nil {
			return last, &ScanWaitError{TaskID: taskIDOf(start, last), Last: last, Err: ctx.Err()}
		}
		if err != nil && IsRetryable(err) {
			opts.emit(ScanEvent{Kind: ScanEventPoll, Task: last, Err: err})
			continue
		}
		if err != nil {
			return last, err
		}
		if start.Owns(task) {
			last = task
		}
		opts.emit(ScanEvent{Kind: ScanEventPoll, Task: last})
	}
}

func finishedError(start *ScanStart, t *ImageScanTask) error {
	if status := t.ScanStatus(); status != ScanStatusSuccess {
		return &ScanFailedError{TaskID: taskIDOf(start, t), Status: status, RawStatus: t.Status.Value}
	}
	return nil
}

// taskIDOf prefers the id the status read reports.
func taskIDOf(start *ScanStart, t *ImageScanTask) string {
	if t != nil && t.TaskId.Value != "" {
		return t.TaskId.Value
	}
	return start.TaskID
}

// scanBackoff is the wait sequence of polls and limit retries: it starts at
// PollInterval and grows by half up to MaxPollInterval, each wait jittered
// by ±20% (and never above the cap) so that many pipelines do not poll in
// step.
type scanBackoff struct {
	current, max time.Duration
}

func newScanBackoff(o ScanOptions) *scanBackoff {
	return &scanBackoff{current: o.PollInterval, max: o.MaxPollInterval}
}

func (b *scanBackoff) next() time.Duration {
	d := b.current
	b.current = min(b.current+b.current/2, b.max)
	spread := d / 5
	return min(d-spread+rand.N(2*spread+1), b.max)
}
