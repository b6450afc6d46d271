package fakesas

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
)

// manualClock is a scan clock the test moves by hand.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func newManualClock() *manualClock {
	return &manualClock{now: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

const (
	digestA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	digestB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	digestC = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
)

// scanImages are a never-scanned image (A), a scanned risky one (B) and one
// in another region (C).
func scanImages() []Image {
	return []Image{
		{"Uuid": "u-a", "Digest": digestA, "RepoName": "app", "RepoNamespace": "prod", "Tag": "1.0", "RegionId": "cn-hangzhou",
			"ScaStatus": "INIT", "ScaProgress": 0, "LastScanTime": int64(0), "VulCount": 0, "HcCount": 0, "AlarmCount": 0,
			"VulStatus": "NO", "HcStatus": "NO", "AlarmStatus": "NO", "RiskStatus": "NO", "ScaResult": "TASK_NOT_EXISTS"},
		{"Uuid": "u-b", "Digest": digestB, "RepoName": "app", "RepoNamespace": "prod", "Tag": "0.9", "RegionId": "cn-hangzhou",
			"ScaStatus": "SUCCESS", "ScaProgress": 100, "LastScanTime": int64(1700000000000), "VulCount": 4, "HcCount": 0, "AlarmCount": 1,
			"VulStatus": "YES", "HcStatus": "NO", "AlarmStatus": "YES", "RiskStatus": "YES"},
		{"Uuid": "u-c", "Digest": digestC, "RepoName": "edge", "RepoNamespace": "prod", "Tag": "2.0", "RegionId": "eu-central-1",
			"ScaStatus": "INIT", "LastScanTime": int64(0)},
	}
}

// scanFake starts a fake over scanImages with a manual clock.
func scanFake(t *testing.T, opts ScanOptions) (*Server, *openapi.Client, *manualClock) {
	t.Helper()
	clock := newManualClock()
	opts.Clock = clock.Now
	s := startServer(t, Options{Images: scanImages(), Scan: opts})
	return s, newClient(t, s, defaultCreds), clock
}

func createScan(t *testing.T, client *openapi.Client, query map[string]string) map[string]any {
	t.Helper()
	data, ok := mustCall(t, client, actionPublicCreateImageScanTask, query)["Data"].(map[string]any)
	if !ok {
		t.Fatalf("no Data in the answer")
	}
	return data
}

// latestTask returns the only element of Task, nil when Task is empty.
func latestTask(t *testing.T, client *openapi.Client, digest string) map[string]any {
	t.Helper()
	tasks, ok := mustCall(t, client, actionDescribeImageLatestScanTask, map[string]string{"Digest": digest})["Task"].([]any)
	if !ok || len(tasks) > 1 {
		t.Fatalf("Task is not an array of at most one element: %v", tasks)
	}
	if len(tasks) == 0 {
		return nil
	}
	return tasks[0].(map[string]any)
}

// imageByUUID reads one image through DescribeImageInstances.
func imageByUUID(t *testing.T, client *openapi.Client, uuid string) map[string]any {
	t.Helper()
	body := mustCall(t, client, actionDescribeImageInstances, map[string]string{"Criteria": `[{"name":"uuid","value":"` + uuid + `"}]`})
	list := body["ImageInstanceList"].([]any)
	if len(list) != 1 {
		t.Fatalf("%d images with uuid %s", len(list), uuid)
	}
	return list[0].(map[string]any)
}

func str(v any) string { return fmt.Sprint(v) }

func TestScanTaskRunsThroughItsPhasesAndUpdatesTheImage(t *testing.T) {
	s, client, clock := scanFake(t, ScanOptions{Duration: 4 * time.Minute, Findings: map[string]Findings{digestA: {Vul: 3, Hc: 2}}})
	started := clock.Now()
	data := createScan(t, client, map[string]string{"Digests": digestA, "RepoNames": "app", "RegionIds": "cn-hangzhou"})
	tasks := s.ScanTasks()
	if len(tasks) != 1 {
		t.Fatalf("%d tasks, want 1", len(tasks))
	}
	task := tasks[0]
	if str(data["TaskId"]) != task.TaskID || data["CanCreate"] != true || str(data["TotalCount"]) != "1" || str(data["Status"]) != "INIT" {
		t.Fatalf("create answer %v for %v", data, task)
	}
	if task.TaskID != ScanTaskID(0, 1) || task.Images != 1 || !task.End.Equal(started.Add(4*time.Minute)) || task.Query.Get("RepoNames") != "app" {
		t.Fatalf("recorded %v", task)
	}
	if img := imageByUUID(t, client, "u-a"); str(img["ScaStatus"]) != "START" || str(img["ScaProgress"]) != "0" {
		t.Fatalf("a scanning image shows %v/%v, want START/0", img["ScaStatus"], img["ScaProgress"])
	}

	for _, want := range []string{"START", "MESSAGE_SEND", "PROCESSING", "PRE_ANALYZER"} {
		got := latestTask(t, client, digestA)
		if str(got["Status"]) != want || got["FinishTime"] != "" || str(got["Finish"]) != "0" {
			t.Fatalf("at %v: Status %v FinishTime %q Finish %v, want %s, empty, 0", clock.Now().Sub(started), got["Status"], got["FinishTime"], got["Finish"], want)
		}
		clock.advance(time.Minute)
	}

	got := latestTask(t, client, digestA)
	wantText := func(tm time.Time) string { return tm.In(time.FixedZone("", 8*3600)).Format("2006-01-02 15:04:05") }
	checks := map[string]string{
		"TaskId": task.TaskID, "Status": "SUCCESS", "Target": digestA, "TargetType": "IMAGE", "Finish": "1",
		"StartTime": fmt.Sprint(started.UnixMilli()), "FinishTime": fmt.Sprint(task.End.UnixMilli()),
		"Create": wantText(started), "Modified": wantText(task.End),
	}
	for k, want := range checks {
		if str(got[k]) != want {
			t.Errorf("%s = %v, want %s", k, got[k], want)
		}
	}

	img := imageByUUID(t, client, "u-a")
	wantImage := map[string]string{
		"LastScanTime": fmt.Sprint(task.End.UnixMilli()), "ScaStatus": "SUCCESS", "ScaProgress": "100",
		"VulCount": "3", "VulStatus": "YES", "HcCount": "2", "HcStatus": "YES", "AlarmCount": "0", "AlarmStatus": "NO", "RiskStatus": "YES",
	}
	for k, want := range wantImage {
		if str(img[k]) != want {
			t.Errorf("image %s = %v, want %s", k, img[k], want)
		}
	}
	if _, ok := img["ScaResult"]; ok {
		t.Errorf("ScaResult %v survived a successful scan", img["ScaResult"])
	}
	if scanned := mustCall(t, client, actionDescribeImageInstances, map[string]string{"Scanned": "true", "Criteria": `[{"name":"uuid","value":"u-a"}]`}); pageInfoOf(t, scanned)["TotalCount"] != 1 {
		t.Error("the scanned image does not count as scanned")
	}
	if other := imageByUUID(t, client, "u-b"); str(other["LastScanTime"]) != "1700000000000" || str(other["VulCount"]) != "4" {
		t.Errorf("an image outside the scope changed: %v", other)
	}
}

func TestScanWithoutFindingsKeepsTheImagesCounts(t *testing.T) {
	_, client, clock := scanFake(t, ScanOptions{Duration: time.Second})
	createScan(t, client, map[string]string{"Digests": digestB})
	clock.advance(time.Second)
	img := imageByUUID(t, client, "u-b")
	if str(img["VulCount"]) != "4" || str(img["AlarmCount"]) != "1" || str(img["RiskStatus"]) != "YES" || str(img["LastScanTime"]) != fmt.Sprint(clock.Now().UnixMilli()) {
		t.Fatalf("image after the scan: %v", img)
	}
}

func TestScanOutcomes(t *testing.T) {
	cases := []struct {
		outcome, taskStatus, imageStatus string
	}{
		{ScanFail, "FAIL", "FAIL"},
		{ScanTimout, "TIMOUT", "TIMEOUT"},
	}
	for _, tc := range cases {
		t.Run(tc.outcome, func(t *testing.T) {
			_, client, clock := scanFake(t, ScanOptions{Duration: time.Second, Outcomes: map[string]string{digestA: tc.outcome}})
			createScan(t, client, map[string]string{"Digests": digestA})
			clock.advance(time.Second)
			got := latestTask(t, client, digestA)
			if str(got["Status"]) != tc.taskStatus || str(got["Finish"]) != "0" || got["FinishTime"] == "" {
				t.Fatalf("task %v, want Status %s, Finish 0 and a FinishTime", got, tc.taskStatus)
			}
			img := imageByUUID(t, client, "u-a")
			if str(img["ScaStatus"]) != tc.imageStatus || str(img["LastScanTime"]) != "0" {
				t.Fatalf("image ScaStatus %v LastScanTime %v, want %s and 0", img["ScaStatus"], img["LastScanTime"], tc.imageStatus)
			}
		})
	}
}

func TestScanRunningLimit(t *testing.T) {
	s, client, clock := scanFake(t, ScanOptions{Duration: time.Minute, MaxRunning: 2})
	first := createScan(t, client, map[string]string{"Digests": digestA})
	second := createScan(t, client, map[string]string{"Digests": digestB})
	if first["CanCreate"] != true || second["CanCreate"] != false {
		t.Fatalf("CanCreate after the first and second task: %v, %v; want true, false", first["CanCreate"], second["CanCreate"])
	}
	refused := createScan(t, client, map[string]string{"Digests": digestA})
	if _, ok := refused["TaskId"]; ok || refused["CanCreate"] != false {
		t.Fatalf("third task while two run: %v, want CanCreate false and no TaskId", refused)
	}
	if n := len(s.ScanTasks()); n != 2 {
		t.Fatalf("%d tasks recorded, want 2", n)
	}
	clock.advance(time.Minute)
	if again := createScan(t, client, map[string]string{"Digests": digestA}); str(again["TaskId"]) == "" {
		t.Fatalf("no task once the others ended: %v", again)
	}

	s.SetScanOptions(ScanOptions{Duration: time.Minute, MaxRunning: 1, LimitAsThrottling: true, Clock: clock.Now})
	_, err := call(client, actionPublicCreateImageScanTask, map[string]string{"Digests": digestB})
	wantSDKError(t, err, "Throttling.User", http.StatusBadRequest)
}

func TestScanUnsupportedRegion(t *testing.T) {
	for name, query := range map[string]map[string]string{
		"named in the scope":        {"Digests": digestA, "RegionIds": "eu-central-1"},
		"of the image in the scope": {"Digests": digestC},
	} {
		t.Run(name, func(t *testing.T) {
			s, client, _ := scanFake(t, ScanOptions{UnsupportedRegions: []string{"eu-central-1"}})
			data := createScan(t, client, query)
			if _, ok := data["TaskId"]; ok || str(data["Result"]) != "TASK_NOT_SUPPORT_REGION" {
				t.Fatalf("answer %v, want Result TASK_NOT_SUPPORT_REGION without TaskId", data)
			}
			if n := len(s.ScanTasks()); n != 0 {
				t.Fatalf("%d tasks started", n)
			}
		})
	}
}

func TestScanOfADigestWithoutImageSucceedsHavingScannedNothing(t *testing.T) {
	_, client, clock := scanFake(t, ScanOptions{Duration: time.Second})
	unknown := strings.Repeat("d", 64)
	if data := createScan(t, client, map[string]string{"Digests": unknown}); str(data["TotalCount"]) != "0" {
		t.Fatalf("TotalCount %v, want 0", data["TotalCount"])
	}
	clock.advance(time.Second)
	if got := latestTask(t, client, unknown); str(got["Status"]) != "SUCCESS" || str(got["Finish"]) != "0" {
		t.Fatalf("task %v, want SUCCESS with Finish 0", got)
	}
}

func TestLatestScanTask(t *testing.T) {
	_, client, clock := scanFake(t, ScanOptions{Duration: time.Second})
	if got := latestTask(t, client, digestA); got != nil {
		t.Fatalf("a never scanned digest has task %v", got)
	}
	first := createScan(t, client, map[string]string{"Digests": digestA})
	clock.advance(2 * time.Second)
	second := createScan(t, client, map[string]string{"RepoNames": "app", "Tags": "1.0"})
	if got := latestTask(t, client, digestA); str(got["TaskId"]) != str(second["TaskId"]) || str(got["TaskId"]) == str(first["TaskId"]) {
		t.Fatalf("latest task %v, want the second one %v", got["TaskId"], second["TaskId"])
	}
}

func TestScanRequestValidation(t *testing.T) {
	s, client, _ := scanFake(t, ScanOptions{})
	cases := []struct {
		name   string
		action string
		query  map[string]string
		code   string
	}{
		{"unscoped creation", actionPublicCreateImageScanTask, nil, "InvalidParameter"},
		{"prefixed digest", actionPublicCreateImageScanTask, map[string]string{"Digests": "sha256:" + digestA}, "InvalidParameter"},
		{"upper-case digest", actionPublicCreateImageScanTask, map[string]string{"Digests": strings.ToUpper(digestA)}, "InvalidParameter"},
		{"latest without digest", actionDescribeImageLatestScanTask, nil, "MissingParameter"},
		{"latest with prefixed digest", actionDescribeImageLatestScanTask, map[string]string{"Digest": "sha256:" + digestA}, "InvalidParameter"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := call(client, tc.action, tc.query)
			wantSDKError(t, err, tc.code, http.StatusBadRequest)
		})
	}
	if n := len(s.ScanTasks()); n != 0 {
		t.Fatalf("%d tasks started by invalid requests", n)
	}
}

func TestScanLostCreateAnswerStillStartsTheTask(t *testing.T) {
	s, client, _ := scanFake(t, ScanOptions{LostCreateAnswers: 1})
	_, err := call(client, actionPublicCreateImageScanTask, map[string]string{"Digests": digestA})
	wantSDKError(t, err, "ServerError", http.StatusInternalServerError)
	tasks := s.ScanTasks()
	if len(tasks) != 1 {
		t.Fatalf("%d tasks, want the one whose answer was lost", len(tasks))
	}
	if got := latestTask(t, client, digestA); str(got["TaskId"]) != tasks[0].TaskID {
		t.Fatalf("latest task %v, want %s", got["TaskId"], tasks[0].TaskID)
	}
	if data := createScan(t, client, map[string]string{"Digests": digestA}); str(data["TaskId"]) == "" {
		t.Fatal("the next creation was lost too")
	}
}
