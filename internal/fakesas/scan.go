package fakesas

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Image scan tasks: PublicCreateImageScanTask starts a task over the images
// its scope selects, DescribeImageLatestScanTask reports a digest's latest
// task. Decisions where the service is unspecified, all deliberate:
//
//   - A creation must name images: an empty scope is InvalidParameter (the
//     service's behaviour is undocumented). Digests must be bare 64-hex, the
//     form DescribeImageInstances returns; anything else is InvalidParameter,
//     which catches a client sending "sha256:...".
//   - The scope parameters are comma-separated lists; an image is selected
//     when its field is in every list given. A digest that selects no image
//     still gets a task, which succeeds having scanned nothing (Finish 0).
//   - A task runs ScanOptions.Duration, through START, MESSAGE_SEND,
//     PROCESSING and PRE_ANALYZER (a quarter each), then ends with the
//     outcome configured for its digest: SUCCESS, FAIL or TIMOUT (the
//     service's spelling). FinishTime is "" until then, as on the wire.
//   - At MaxRunning running tasks a creation is refused with CanCreate false
//     and no TaskId (or Throttling.User with LimitAsThrottling).
//   - A scope naming, or selecting an image in, an unsupported region is
//     refused with Result TASK_NOT_SUPPORT_REGION and no TaskId.
//   - Starting marks the selected images ScaStatus START, progress 0. The
//     end is applied to the dataset by the first request after it: SUCCESS
//     sets LastScanTime to the end, ScaStatus SUCCESS, ScaProgress 100,
//     removes ScaResult and sets the counts (ScanOptions.Findings, else the
//     image's own) with matching statuses; FAIL and TIMOUT set ScaStatus FAIL
//     and TIMEOUT (the image list's spelling) and keep the rest.
//   - Create and Modified are "yyyy-MM-dd HH:mm:ss" in UTC+8.

const (
	actionPublicCreateImageScanTask   = "PublicCreateImageScanTask"
	actionDescribeImageLatestScanTask = "DescribeImageLatestScanTask"
)

// Defaults of ScanOptions.
const (
	DefaultScanDuration    = 2 * time.Second
	DefaultMaxRunningScans = 10
)

// How a scan task ends, as DescribeImageLatestScanTask reports it.
const (
	ScanSuccess = "SUCCESS"
	ScanFail    = "FAIL"
	ScanTimout  = "TIMOUT" // sic: the service's spelling
)

// Findings are the risk counts a successful scan reports for an image.
type Findings struct {
	Vul, Hc, Alarm int
}

// ScanOptions configures image scan tasks.
type ScanOptions struct {
	// Duration is how long a task runs; 0 means DefaultScanDuration.
	Duration time.Duration
	// MaxRunning is how many tasks may run at once; 0 means
	// DefaultMaxRunningScans, the service's default.
	MaxRunning int
	// LimitAsThrottling refuses a creation over MaxRunning with an HTTP 400
	// Throttling.User error instead of CanCreate false.
	LimitAsThrottling bool
	// UnsupportedRegions are refused with TASK_NOT_SUPPORT_REGION.
	UnsupportedRegions []string
	// Outcomes maps a bare digest to how its scans end: ScanSuccess (the
	// default), ScanFail or ScanTimout.
	Outcomes map[string]string
	// Findings maps a bare digest to what a successful scan finds; an image
	// without an entry keeps its own counts.
	Findings map[string]Findings
	// LostCreateAnswers makes that many creations start their task and then
	// answer with LostCreateFault (default FaultServerError) instead, as when
	// the answer is lost on its way back.
	LostCreateAnswers int
	LostCreateFault   FaultKind
	// Clock times the tasks; nil means time.Now.
	Clock func() time.Time
}

// ScanTask is what the fake knows of one task.
type ScanTask struct {
	TaskID string
	// Digests are the digests the task is the latest task of: those
	// requested and those of the images it selected.
	Digests []string
	// Images is how many images the scope selected.
	Images  int
	Start   time.Time
	End     time.Time
	Outcome string
	// Query is the creation request's parameters.
	Query url.Values
}

// scanTask is a task with its bookkeeping.
type scanTask struct {
	ScanTask
	id           int64
	imageDigests []string // digests of the selected images
	applied      bool     // the end has been applied to the dataset
}

// scanRegistry holds the tasks; the Server's mutex guards it.
type scanRegistry struct {
	opts     ScanOptions
	tasks    []*scanTask
	latest   map[string]*scanTask
	lostLeft int
}

func newScanRegistry(opts ScanOptions) *scanRegistry {
	return &scanRegistry{opts: opts, latest: map[string]*scanTask{}, lostLeft: opts.LostCreateAnswers}
}

func (r *scanRegistry) now() time.Time {
	if r.opts.Clock != nil {
		return r.opts.Clock()
	}
	return time.Now()
}

func (r *scanRegistry) duration() time.Duration {
	if r.opts.Duration > 0 {
		return r.opts.Duration
	}
	return DefaultScanDuration
}

func (r *scanRegistry) maxRunning() int {
	if r.opts.MaxRunning > 0 {
		return r.opts.MaxRunning
	}
	return DefaultMaxRunningScans
}

func (r *scanRegistry) running(now time.Time) int {
	n := 0
	for _, t := range r.tasks {
		if now.Before(t.End) {
			n++
		}
	}
	return n
}

// SetScanOptions replaces the scan options; tasks already started keep
// their duration and outcome.
func (s *Server) SetScanOptions(opts ScanOptions) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scans.opts = opts
	s.scans.lostLeft = opts.LostCreateAnswers
}

// ScanTasks returns the tasks started so far, oldest first.
func (s *Server) ScanTasks() []ScanTask {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ScanTask, len(s.scans.tasks))
	for i, t := range s.scans.tasks {
		out[i] = t.ScanTask
		out[i].Digests = slices.Clone(t.Digests)
		out[i].Query = cloneValues(t.Query)
	}
	return out
}

var bareDigest = regexp.MustCompile(`^[0-9a-f]{64}$`)

// scanScope maps each scope parameter to the image field it selects on.
var scanScope = []struct{ param, field string }{
	{"Digests", "Digest"}, {"RegionIds", "RegionId"}, {"InstanceIds", "InstanceId"}, {"RepoIds", "RepoId"},
	{"RepoNames", "RepoName"}, {"RepoNamespaces", "RepoNamespace"}, {"Tags", "Tag"}, {"RegistryTypes", "RegistryType"},
}

// parseScanScope reads the comma-separated scope parameters.
func parseScanScope(q url.Values) (map[string][]string, *apiError) {
	scope := map[string][]string{}
	for _, p := range scanScope {
		if v := q.Get(p.param); v != "" {
			scope[p.field] = strings.Split(v, ",")
		}
	}
	if len(scope) == 0 {
		return nil, invalidParameter("Specify the images to scan: at least one of Digests, RegionIds, InstanceIds, RepoIds, RepoNames, RepoNamespaces, Tags or RegistryTypes.")
	}
	for _, d := range scope["Digest"] {
		if !bareDigest.MatchString(d) {
			return nil, invalidParameter("The specified parameter Digests is invalid: %q is not a 64-hex image digest.", d)
		}
	}
	return scope, nil
}

func selected(img Image, scope map[string][]string) bool {
	for field, values := range scope {
		if !slices.Contains(values, fieldString(img[field])) {
			return false
		}
	}
	return true
}

type createScanData struct {
	TaskId      string `json:",omitempty"`
	CanCreate   bool
	Status      string `json:",omitempty"`
	Result      string `json:",omitempty"`
	Progress    *int   `json:",omitempty"`
	TotalCount  *int   `json:",omitempty"`
	FinishCount *int   `json:",omitempty"`
	CollectTime int64  `json:",omitempty"`
	ExecTime    int64  `json:",omitempty"`
}

type createScanResponse struct {
	RequestID string `json:"RequestId"`
	Data      createScanData
}

// createImageScanTask starts a task, or refuses. When the answer is to be
// lost (ScanOptions.LostCreateAnswers) the task starts and the error is
// lostAnswer.
func (s *Server) createImageScanTask(q url.Values, requestID string) ([]byte, *apiError) {
	scope, e := parseScanScope(q)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.scans
	now := r.now()
	var images []int
	var digests []string
	for i, img := range s.data.images {
		if selected(img, scope) {
			images = append(images, i)
			digests = append(digests, fieldString(img["Digest"]))
		}
	}
	if s.unsupportedRegion(scope, images) {
		return marshalResponse(createScanResponse{RequestID: requestID, Data: createScanData{CanCreate: true, Status: "FAIL", Result: "TASK_NOT_SUPPORT_REGION"}})
	}
	if r.running(now) >= r.maxRunning() {
		if r.opts.LimitAsThrottling {
			return nil, newAPIError(http.StatusBadRequest, "Throttling.User", "Request was denied due to user flow control.")
		}
		return marshalResponse(createScanResponse{RequestID: requestID, Data: createScanData{CanCreate: false}})
	}

	t := r.start(now, q, scope["Digest"], digests, s.seed)
	s.markScanning(images)
	if r.lostLeft > 0 {
		r.lostLeft--
		return nil, lostAnswer(cmpOr(r.opts.LostCreateFault, FaultServerError))
	}
	zero, total := 0, len(images)
	return marshalResponse(createScanResponse{RequestID: requestID, Data: createScanData{
		TaskId: t.TaskID, CanCreate: r.running(now) < r.maxRunning(), Status: "INIT", Result: "SUCCESS",
		Progress: &zero, TotalCount: &total, FinishCount: &zero, CollectTime: now.UnixMilli(), ExecTime: now.UnixMilli(),
	}})
}

func cmpOr[T comparable](v, fallback T) T {
	var zero T
	if v == zero {
		return fallback
	}
	return v
}

// unsupportedRegion reports whether the scope names, or selects an image
// in, a region the options declare unsupported; callers hold s.mu.
func (s *Server) unsupportedRegion(scope map[string][]string, images []int) bool {
	unsupported := s.scans.opts.UnsupportedRegions
	for _, region := range scope["RegionId"] {
		if slices.Contains(unsupported, region) {
			return true
		}
	}
	for _, i := range images {
		if slices.Contains(unsupported, fieldString(s.data.images[i]["RegionId"])) {
			return true
		}
	}
	return false
}

// ScanTaskID is the id of the n-th task (from 1) a Server with this seed
// starts, so that tests can expect it before it exists.
func ScanTaskID(seed int64, n int) string {
	return demoHex(splitmix64(uint64(seed)^uint64(n)<<20), 32)
}

// start records a new task; callers hold s.mu.
func (r *scanRegistry) start(now time.Time, q url.Values, requested, imageDigests []string, seed int64) *scanTask {
	seq := int64(len(r.tasks) + 1)
	t := &scanTask{
		ScanTask: ScanTask{
			TaskID: ScanTaskID(seed, int(seq)),
			Images: len(imageDigests),
			Start:  now,
			End:    now.Add(r.duration()),
			Query:  cloneValues(q),
		},
		id:           1000 + seq,
		imageDigests: imageDigests,
	}
	for _, d := range append(slices.Clone(requested), imageDigests...) {
		if !slices.Contains(t.Digests, d) {
			t.Digests = append(t.Digests, d)
		}
	}
	t.Outcome = ScanSuccess
	for _, d := range t.Digests {
		if o := r.opts.Outcomes[d]; o != "" && o != ScanSuccess {
			t.Outcome = o
			break
		}
	}
	r.tasks = append(r.tasks, t)
	for _, d := range t.Digests {
		r.latest[d] = t
	}
	return t
}

// markScanning shows the selected images as being scanned; callers hold s.mu.
func (s *Server) markScanning(images []int) {
	s.updateImages(images, func(img Image) {
		img["ScaStatus"], img["ScaProgress"] = "START", 0
	})
}

// applyEndedScans applies every task that ended, in the order they ended,
// to the images it selected.
func (s *Server) applyEndedScans() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.scans.now()
	var ended []*scanTask
	for _, t := range s.scans.tasks {
		if !t.applied && !now.Before(t.End) {
			ended = append(ended, t)
		}
	}
	slices.SortStableFunc(ended, func(a, b *scanTask) int { return a.End.Compare(b.End) })
	for _, t := range ended {
		t.applied = true
		var images []int
		for i, img := range s.data.images {
			if slices.Contains(t.imageDigests, fieldString(img["Digest"])) {
				images = append(images, i)
			}
		}
		s.updateImages(images, func(img Image) { s.scans.applyOutcome(img, t) })
	}
}

func (r *scanRegistry) applyOutcome(img Image, t *scanTask) {
	switch t.Outcome {
	case ScanFail:
		img["ScaStatus"] = "FAIL"
	case ScanTimout:
		img["ScaStatus"] = "TIMEOUT"
	default:
		img["LastScanTime"] = t.End.UnixMilli()
		img["ScaStatus"], img["ScaProgress"] = "SUCCESS", 100
		delete(img, "ScaResult")
		f, ok := r.opts.Findings[fieldString(img["Digest"])]
		if !ok {
			f = Findings{Vul: int(fieldNumber(img["VulCount"])), Hc: int(fieldNumber(img["HcCount"])), Alarm: int(fieldNumber(img["AlarmCount"]))}
		}
		setCounts(img, f.Vul, f.Hc, f.Alarm)
	}
}

// updateImages replaces the dataset with one where the given images are
// changed by update (on copies); the encoded form of the others is kept.
// Callers hold s.mu.
func (s *Server) updateImages(indices []int, update func(Image)) {
	if len(indices) == 0 {
		return
	}
	old := s.data
	images := slices.Clone(old.images)
	for _, i := range indices {
		img := copyImages([]Image{images[i]})[0]
		update(img)
		images[i] = img
	}
	d := newDataset(images)
	for i := range images {
		if !slices.Contains(indices, i) {
			d.encoded[i].Store(old.encoded[i].Load())
		}
	}
	s.data = d
}

// scanTaskView is one element of DescribeImageLatestScanTask.Task.
type scanTaskView struct {
	Id         int64
	TaskId     string
	Name       string
	TaskType   string
	Target     string
	TargetType string
	Status     string
	Source     string
	Finish     int
	StartTime  int64
	FinishTime any // "" until the task ends, as on the wire
	Create     string
	Modified   string
}

type latestScanResponse struct {
	RequestID string `json:"RequestId"`
	Task      []scanTaskView
}

// serviceZone is the zone of the text times, UTC+8 as the service's home.
var serviceZone = time.FixedZone("UTC+8", 8*60*60)

func (s *Server) describeImageLatestScanTask(q url.Values, requestID string) ([]byte, *apiError) {
	digest := q.Get("Digest")
	if digest == "" {
		return nil, newAPIError(http.StatusBadRequest, "MissingParameter",
			"The input parameter \"Digest\" that is mandatory for processing this request is not supplied.")
	}
	if !bareDigest.MatchString(digest) {
		return nil, invalidParameter("The specified parameter Digest is invalid: %q is not a 64-hex image digest.", digest)
	}
	s.mu.Lock()
	t := s.scans.latest[digest]
	now := s.scans.now()
	s.mu.Unlock()
	resp := latestScanResponse{RequestID: requestID, Task: []scanTaskView{}}
	if t != nil {
		resp.Task = append(resp.Task, t.view(digest, now))
	}
	return marshalResponse(resp)
}

// view is the task as reported at now.
func (t *scanTask) view(digest string, now time.Time) scanTaskView {
	v := scanTaskView{
		Id: t.id, TaskId: t.TaskID, Name: "IMAGE_SCAN", TaskType: "IMAGE_SCAN", Target: digest, TargetType: "IMAGE",
		Source: "openapi", StartTime: t.Start.UnixMilli(), FinishTime: "",
		Create: t.Start.In(serviceZone).Format(time.DateTime),
	}
	status, changed := t.phase(now)
	v.Status, v.Modified = status, changed.In(serviceZone).Format(time.DateTime)
	if !now.Before(t.End) {
		v.FinishTime = t.End.UnixMilli()
		if t.Outcome == ScanSuccess {
			v.Finish = t.Images
		}
	}
	return v
}

// phase is the task's status at now and when it took it.
func (t *scanTask) phase(now time.Time) (string, time.Time) {
	if !now.Before(t.End) {
		return t.Outcome, t.End
	}
	phases := []string{"START", "MESSAGE_SEND", "PROCESSING", "PRE_ANALYZER"}
	quarter := t.End.Sub(t.Start) / 4
	k := 0
	if quarter > 0 {
		k = min(int(now.Sub(t.Start)/quarter), len(phases)-1)
	}
	return phases[k], t.Start.Add(time.Duration(k) * quarter)
}

// String describes the task, for test failure messages.
func (t ScanTask) String() string {
	return fmt.Sprintf("task %s of %v (%d images, %s → %s, %s)", t.TaskID, t.Digests, t.Images, t.Start.Format(time.RFC3339Nano), t.End.Format(time.RFC3339Nano), t.Outcome)
}
