package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

// Each argument reaches its own field of the scan request.
func TestImageScanModel_requestCarriesEveryArgument(t *testing.T) {
	m := imageScanModel{
		Digest: types.StringValue("d"), RegionID: types.StringValue("cn-hangzhou"), InstanceID: types.StringValue("cri-1"),
		RepoName: types.StringValue("app"), RepoNamespace: types.StringValue("prod"), Tag: types.StringValue("1.0"),
		RegistryType: types.StringValue("acr"),
	}
	want := sasapi.ImageScanRequest{Digest: "d", RegionID: "cn-hangzhou", InstanceID: "cri-1", RepoName: "app", RepoNamespace: "prod", Tag: "1.0", RegistryType: "acr"}
	if got := m.request(); got != want {
		t.Errorf("request %+v, want %+v", got, want)
	}
	if got := (imageScanModel{Digest: types.StringValue("d")}).request(); got != (sasapi.ImageScanRequest{Digest: "d"}) {
		t.Errorf("request without scope %+v, want only the digest", got)
	}
}

// scanState is the computed attributes of a scan, "" for null and -1 for
// a null images_scanned.
type scanState struct {
	id, taskID, status, startedAt, finishedAt string
	imagesScanned                             int64
}

func scanStateOf(m *imageScanModel) scanState {
	text := func(s types.String) string {
		if s.IsNull() {
			return ""
		}
		return s.ValueString()
	}
	n := int64(-1)
	if !m.ImagesScanned.IsNull() {
		n = m.ImagesScanned.ValueInt64()
	}
	return scanState{text(m.ID), text(m.TaskID), text(m.Status), text(m.StartedAt), text(m.FinishedAt), n}
}

// The state follows the task as the attribute descriptions define it:
// status upper-cased, with the service's TIMOUT spelled TIMEOUT;
// finished_at null while the task runs (unknown statuses included);
// images_scanned null until the service reports it; the start call's id
// while the task reports none.
func TestImageScanModel_setTaskFollowsTheTask(t *testing.T) {
	start, end := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC), time.Date(2025, 3, 1, 10, 4, 30, 0, time.UTC)
	startText, endText := start.Format(time.RFC3339), end.Format(time.RFC3339)
	task := func(status string, fields ...func(*sasapi.ImageScanTask)) *sasapi.ImageScanTask {
		t := &sasapi.ImageScanTask{TaskId: sasStr("task-1"), Status: sasStr(status), StartTime: sasInt(start.UnixMilli()),
			FinishTime: sasInt(end.UnixMilli()), Finish: sasInt(1)}
		for _, f := range fields {
			f(t)
		}
		return t
	}
	cases := []struct {
		name string
		task *sasapi.ImageScanTask
		want scanState
	}{
		{"success", task("SUCCESS"), scanState{"task-1", "task-1", "SUCCESS", startText, endText, 1}},
		{"success in lower case", task("success"), scanState{"task-1", "task-1", "SUCCESS", startText, endText, 1}},
		{"fail", task("FAIL"), scanState{"task-1", "task-1", "FAIL", startText, endText, 1}},
		{"the service's TIMOUT", task("TIMOUT"), scanState{"task-1", "task-1", "TIMEOUT", startText, endText, 1}},
		{"TIMEOUT", task("TIMEOUT"), scanState{"task-1", "task-1", "TIMEOUT", startText, endText, 1}},
		{"processing: no finish time yet", task("PROCESSING"), scanState{"task-1", "task-1", "PROCESSING", startText, "", 1}},
		{"init", task("INIT"), scanState{"task-1", "task-1", "INIT", startText, "", 1}},
		{"undocumented status runs", task("QUEUED"), scanState{"task-1", "task-1", "QUEUED", startText, "", 1}},
		{"status missing", task("", func(t *sasapi.ImageScanTask) { t.Status = sasapi.String{} }), scanState{"task-1", "task-1", "", startText, "", 1}},
		{"no images scanned", task("SUCCESS", func(t *sasapi.ImageScanTask) { t.Finish = sasInt(0) }), scanState{"task-1", "task-1", "SUCCESS", startText, endText, 0}},
		{"images scanned not reported", task("SUCCESS", func(t *sasapi.ImageScanTask) { t.Finish = sasapi.Int{Value: 3} }),
			scanState{"task-1", "task-1", "SUCCESS", startText, endText, -1}},
		{"finished without a finish time", task("SUCCESS", func(t *sasapi.ImageScanTask) { t.FinishTime = sasInt(0) }),
			scanState{"task-1", "task-1", "SUCCESS", startText, "", 1}},
		{"no start time", task("START", func(t *sasapi.ImageScanTask) { t.StartTime = sasapi.Int{} }), scanState{"task-1", "task-1", "START", "", "", 1}},
		{"no task id: the start call's", task("START", func(t *sasapi.ImageScanTask) { t.TaskId = sasapi.String{} }),
			scanState{"fallback", "fallback", "START", startText, "", 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// A model holding another task's values: setTask replaces all.
			m := imageScanModel{Status: types.StringValue("OLD"), FinishedAt: types.StringValue("old"), ImagesScanned: types.Int64Value(9), StartedAt: types.StringValue("old")}
			m.setTask(tc.task, "fallback")
			if got := scanStateOf(&m); got != tc.want {
				t.Errorf("state %+v, want %+v", got, tc.want)
			}
		})
	}
}

// A scan just started records the adopted task as setTask does, or else
// the start call's id, status (upper-cased) and start time, with the rest
// null.
func TestImageScanModel_setStarted(t *testing.T) {
	exec := time.Date(2025, 3, 1, 9, 59, 58, 0, time.UTC)
	cases := []struct {
		name  string
		start sasapi.ScanStart
		want  scanState
	}{
		{"created", sasapi.ScanStart{TaskID: "t-new", Data: &sasapi.CreateImageScanTaskData{Status: sasStr("init"), ExecTime: sasInt(exec.UnixMilli())}},
			scanState{"t-new", "t-new", "INIT", exec.Format(time.RFC3339), "", -1}},
		{"created without status or time", sasapi.ScanStart{TaskID: "t-new", Data: &sasapi.CreateImageScanTaskData{}}, scanState{"t-new", "t-new", "", "", "", -1}},
		{"created without data", sasapi.ScanStart{TaskID: "t-new"}, scanState{"t-new", "t-new", "", "", "", -1}},
		{"adopted", sasapi.ScanStart{TaskID: "t-start", Task: &sasapi.ImageScanTask{TaskId: sasStr("t-adopted"), Status: sasStr("SUCCESS"),
			StartTime: sasInt(exec.UnixMilli()), FinishTime: sasInt(exec.UnixMilli()), Finish: sasInt(2)}},
			scanState{"t-adopted", "t-adopted", "SUCCESS", exec.Format(time.RFC3339), exec.Format(time.RFC3339), 2}},
		{"adopted without an id", sasapi.ScanStart{TaskID: "t-start", Task: &sasapi.ImageScanTask{Status: sasStr("START")}},
			scanState{"t-start", "t-start", "START", "", "", -1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := imageScanModel{Status: types.StringValue("OLD"), FinishedAt: types.StringValue("old"), ImagesScanned: types.Int64Value(9), StartedAt: types.StringValue("old")}
			m.setStarted(&tc.start)
			if got := scanStateOf(&m); got != tc.want {
				t.Errorf("state %+v, want %+v", got, tc.want)
			}
		})
	}
}

// Times are RFC 3339 in UTC; 0 or less, or not sent, is null.
func TestMillisText(t *testing.T) {
	at := time.Date(2025, 3, 1, 18, 0, 0, 0, time.FixedZone("CST", 8*3600))
	cases := []struct {
		ms   sasapi.Int
		want string // "" for null
	}{
		{sasInt(at.UnixMilli()), "2025-03-01T10:00:00Z"},
		{sasInt(1000), "1970-01-01T00:00:01Z"},
		{sasInt(1), "1970-01-01T00:00:00Z"},
		{sasInt(0), ""},
		{sasInt(-1000), ""},
		{sasapi.Int{Value: at.UnixMilli()}, ""},
	}
	for _, tc := range cases {
		got := millisText(tc.ms)
		if (tc.want == "" && !got.IsNull()) || (tc.want != "" && !got.Equal(types.StringValue(tc.want))) {
			t.Errorf("millisText(%+v) = %v, want %q", tc.ms, got, tc.want)
		}
	}
}

// A digest in any accepted spelling becomes the bare lower-case form; other
// text is left as written (the validator reports it).
func TestNormalizeDigestText(t *testing.T) {
	bare := strings.Repeat("0123456789abcdef", 4)
	for in, want := range map[string]string{
		bare:                              bare,
		"sha256:" + bare:                  bare,
		"SHA256:" + strings.ToUpper(bare): bare,
		" " + bare + " ":                  bare,
		"app:1.0":                         "app:1.0",
		"sha256:abc":                      "sha256:abc",
		"sha512:" + bare:                  "sha512:" + bare,
	} {
		if got := normalizeDigestText(in); got != want {
			t.Errorf("normalizeDigestText(%q) = %q, want %q", in, got, want)
		}
	}
}
