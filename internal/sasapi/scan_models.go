package sasapi

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Image scan operations.
const (
	ActionPublicCreateImageScanTask   = "PublicCreateImageScanTask"
	ActionDescribeImageLatestScanTask = "DescribeImageLatestScanTask"
)

// Scan task statuses of DescribeImageLatestScanTask. The service spells the
// timeout "TIMOUT"; ScanStatus reports it as ScanStatusTimeout.
const (
	ScanStatusSuccess = "SUCCESS"
	ScanStatusFail    = "FAIL"
	ScanStatusTimeout = "TIMEOUT"
	scanStatusTimout  = "TIMOUT"
)

// ScanResultRegionNotSupported is the Result of a creation refused because
// the images are in a region image scanning does not cover.
const ScanResultRegionNotSupported = "TASK_NOT_SUPPORT_REGION"

// digestPattern is an image digest as DescribeImageInstances returns it:
// 64 hex digits, without the "sha256:" algorithm prefix.
var digestPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// NormalizeDigest returns the bare, lower-case 64-hex form of a sha256
// digest written with or without its "sha256:" prefix, and false when d is
// not such a digest.
func NormalizeDigest(d string) (string, bool) {
	d = strings.ToLower(strings.TrimSpace(d))
	d = strings.TrimPrefix(d, "sha256:")
	return d, digestPattern.MatchString(d)
}

// ImageScanRequest scopes a scan to one image. The service takes every
// scope parameter as a comma-separated list; this client scans one image,
// so each holds one value or is empty (not sent).
type ImageScanRequest struct {
	// Digest is required, with or without "sha256:"; it is sent bare.
	Digest        string
	RegionID      string
	InstanceID    string
	RepoName      string
	RepoNamespace string
	Tag           string
	RegistryType  string
}

// PublicCreateImageScanTask starts a scan of the images a request scopes;
// its one record is the answer's Data. Creating is not idempotent: it is
// sent without retries (see StartImageScan).
var PublicCreateImageScanTask = Operation[ImageScanRequest, CreateImageScanTaskData]{
	Action: ActionPublicCreateImageScanTask,
	Noun:   "scan tasks",
	Params: ImageScanRequest.params,
	Decode: decodeWith(jsonBody[CreateImageScanTaskResponse], (*CreateImageScanTaskResponse).page),
}

// DescribeImageLatestScanTask lists the latest scan task of the image
// with a digest (the request, with or without "sha256:"): normally one,
// none when the image was never scanned; see latestTask.
var DescribeImageLatestScanTask = Operation[string, ImageScanTask]{
	Action: ActionDescribeImageLatestScanTask,
	Noun:   "scan tasks",
	Params: latestScanTaskParams,
	Decode: decodeWith(jsonBody[DescribeImageLatestScanTaskResponse], func(r *DescribeImageLatestScanTaskResponse) (Page[ImageScanTask], error) {
		return Page[ImageScanTask]{Items: r.Task, RequestID: r.RequestID}, nil
	}),
}

func latestScanTaskParams(digest string) (map[string]string, error) {
	bare, ok := NormalizeDigest(digest)
	if !ok {
		return nil, fmt.Errorf("digest %q is not a sha256 digest (64 hex digits)", digest)
	}
	return map[string]string{"Digest": bare}, nil
}

// params renders the request as PublicCreateImageScanTask parameters.
func (r ImageScanRequest) params() (map[string]string, error) {
	digest, ok := NormalizeDigest(r.Digest)
	if !ok {
		return nil, fmt.Errorf("digest %q is not a sha256 digest (64 hex digits)", r.Digest)
	}
	query := map[string]string{"Digests": digest}
	params := []struct{ name, value string }{
		{"RegionIds", r.RegionID}, {"InstanceIds", r.InstanceID}, {"RepoNames", r.RepoName},
		{"RepoNamespaces", r.RepoNamespace}, {"Tags", r.Tag}, {"RegistryTypes", r.RegistryType},
	}
	for _, p := range params {
		if p.value == "" {
			continue
		}
		// A comma would make the service read two values.
		if strings.Contains(p.value, ",") {
			return nil, fmt.Errorf("%s %q must not contain a comma", p.name, p.value)
		}
		query[p.name] = p.value
	}
	return query, nil
}

// CreateImageScanTaskData is the Data of a PublicCreateImageScanTask answer.
// A creation succeeded exactly when TaskId is set.
type CreateImageScanTaskData struct {
	TaskId      String `json:"TaskId"`
	CanCreate   Bool   `json:"CanCreate"`
	Status      String `json:"Status"`
	Result      String `json:"Result"`
	Progress    Int    `json:"Progress"`
	TotalCount  Int    `json:"TotalCount"`
	FinishCount Int    `json:"FinishCount"`
	CollectTime Int    `json:"CollectTime"`
	ExecTime    Int    `json:"ExecTime"`
}

// CreateImageScanTaskResponse is a PublicCreateImageScanTask answer.
type CreateImageScanTaskResponse struct {
	RequestID string                   `json:"RequestId"`
	Data      *CreateImageScanTaskData `json:"Data"`
}

// errNoData marks a 2xx create answer without Data: the service may have
// acted on the request, so the answer is treated as lost.
var errNoData = errors.New("no Data in the body")

// page is the answer's Data as a page of one. An answer without Data is
// an error: the service may have acted on the request.
func (r *CreateImageScanTaskResponse) page() (Page[CreateImageScanTaskData], error) {
	if r.Data == nil {
		return Page[CreateImageScanTaskData]{}, errNoData
	}
	return Page[CreateImageScanTaskData]{Items: []CreateImageScanTaskData{*r.Data}, RequestID: r.RequestID}, nil
}

// ImageScanTask is one element of DescribeImageLatestScanTask.Task.
type ImageScanTask struct {
	Id         Int    `json:"Id"`
	TaskId     String `json:"TaskId"`
	Name       String `json:"Name"`
	TaskType   String `json:"TaskType"`
	Target     String `json:"Target"`
	TargetType String `json:"TargetType"`
	// Status is as sent; use ScanStatus to compare it.
	Status String `json:"Status"`
	Source String `json:"Source"`
	// Finish is the number of images scanned.
	Finish Int `json:"Finish"`
	// StartTime and FinishTime are Unix milliseconds; FinishTime is empty
	// until the task ends.
	StartTime  Int `json:"StartTime"`
	FinishTime Int `json:"FinishTime"`
	// Create and Modified are "yyyy-MM-dd HH:mm:ss" text in a time zone the
	// service does not state, so they are kept but never compared.
	Create   DateTime `json:"Create"`
	Modified DateTime `json:"Modified"`
}

// ScanStatus is the task's status in upper case, with the service's
// "TIMOUT" spelled ScanStatusTimeout.
func (t *ImageScanTask) ScanStatus() string {
	s := strings.ToUpper(strings.TrimSpace(t.Status.Value))
	if s == scanStatusTimout {
		return ScanStatusTimeout
	}
	return s
}

// Finished reports whether the task reached an end state: SUCCESS, FAIL or
// TIMOUT/TIMEOUT. Every other status, unknown ones included, is running.
func (t *ImageScanTask) Finished() bool {
	switch t.ScanStatus() {
	case ScanStatusSuccess, ScanStatusFail, ScanStatusTimeout:
		return true
	}
	return false
}

// DescribeImageLatestScanTaskResponse is a DescribeImageLatestScanTask answer.
type DescribeImageLatestScanTaskResponse struct {
	RequestID string    `json:"RequestId"`
	Task      scanTasks `json:"Task"`
}

// latestTask is the task an answer describes, nil when the image has none.
// The answer is documented as an array of normally one element; of
// several, the one started last (then the highest Id) wins.
func latestTask(tasks []ImageScanTask) *ImageScanTask {
	if len(tasks) == 0 {
		return nil
	}
	latest := slices.MaxFunc(tasks, func(a, b ImageScanTask) int {
		return cmp.Or(cmp.Compare(a.StartTime.Value, b.StartTime.Value), cmp.Compare(a.Id.Value, b.Id.Value))
	})
	return &latest
}

// scanTasks accepts the documented array, a single object or null.
type scanTasks []ImageScanTask

func (s *scanTasks) UnmarshalJSON(data []byte) error {
	*s = nil
	if bytes.Equal(data, jsonNull) {
		return nil
	}
	if data[0] == '{' {
		var t ImageScanTask
		if err := json.Unmarshal(data, &t); err != nil {
			return err
		}
		*s = scanTasks{t}
		return nil
	}
	var list []ImageScanTask
	if err := json.Unmarshal(data, &list); err != nil {
		return err
	}
	*s = list
	return nil
}

// dateTimeLayout is the service's text time format.
const dateTimeLayout = "2006-01-02 15:04:05"

// DateTime is a "yyyy-MM-dd HH:mm:ss" text time that may be absent. Time
// holds the wall clock read as UTC, since the zone is not stated. Text that
// does not parse is kept in Text with a zero Time rather than failing the
// whole answer; a number is taken as Unix milliseconds.
type DateTime struct {
	Text  string
	Time  time.Time
	Valid bool
}

// UnmarshalJSON accepts the documented text, a number of milliseconds or null.
func (d *DateTime) UnmarshalJSON(data []byte) error {
	*d = DateTime{}
	var s String
	if err := s.UnmarshalJSON(data); err != nil {
		return err
	}
	if !s.Valid || s.Value == "" {
		return nil
	}
	d.Text, d.Valid = s.Value, true
	if t, err := time.Parse(dateTimeLayout, s.Value); err == nil {
		d.Time = t
	} else if ms, err := parseInteger(s.Value); err == nil {
		d.Time = time.UnixMilli(ms).UTC()
	}
	return nil
}
