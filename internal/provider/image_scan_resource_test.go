package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

const scanAddr = "sas_image_scan.test"

// Digests of the images the scan tests use.
var (
	scanDigestNew    = strings.Repeat("3f9a", 16) // app:2.0, never scanned
	scanDigestEdge   = strings.Repeat("7c21", 16) // edge:1.0, in eu-central-1
	scanDigestAbsent = strings.Repeat("e0d5", 16) // no image
)

// scanTestImages are a never-scanned image, so that a scan's effect shows,
// and one in a region the tests declare unsupported.
func scanTestImages() []fakesas.Image {
	return []fakesas.Image{
		img("u-new", "app", "2.0", fakesas.Image{"Digest": scanDigestNew, "InstanceId": "cri-test", "RegistryType": "acr",
			"ScaStatus": "INIT", "ScaProgress": 0, "LastScanTime": int64(0)}),
		img("u-edge", "edge", "1.0", fakesas.Image{"Digest": scanDigestEdge, "RegionId": "eu-central-1"}),
	}
}

// startScanFake serves scanTestImages with the scan options.
func startScanFake(t *testing.T, scan fakesas.ScanOptions) *fakesas.Server {
	t.Helper()
	return startFake(t, fakesas.Options{Images: scanTestImages(), Scan: scan})
}

// scanAccTest is accTest with a 10ms poll interval instead of 5s.
func scanAccTest(t *testing.T, steps ...tfresource.TestStep) {
	t.Helper()
	isolateEnv(t)
	t.Setenv(envScanPollInterval, "10ms")
	// Every scan here ends, or is stopped by a create timeout of seconds.
	stopWithin(t, 45*time.Second, "the scan (its create timeout, or its polling)")
	tfresource.Test(t, tfresource.TestCase{ProtoV6ProviderFactories: testProviderFactories, Steps: steps})
}

// scanConfig is the provider block plus a sas_image_scan "test" with body.
func scanConfig(fake *fakesas.Server, body string, extra ...string) string {
	return providerConfig(fake) + "resource \"sas_image_scan\" \"test\" {\n" + body + "\n}\n" + strings.Join(extra, "\n")
}

// rfc3339 is a time as the resource renders it.
func rfc3339Time(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// expectScanTask checks that the resource at addr records the fake's n-th
// task (from 1) with this status: ids, times and count derived from what
// the fake knows of the task.
type expectScanTask struct {
	addr   string
	fake   *fakesas.Server
	n      int
	status string
}

func (e expectScanTask) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	got := resourceAttributes(req, e.addr)
	if got == nil {
		resp.Error = fmt.Errorf("%s is not in the state", e.addr)
		return
	}
	resp.Error = e.compare(func(k string) (string, bool) {
		v, ok := got[k]
		return fmt.Sprint(v), ok && v != nil
	})
}

// check is the same check for steps that take a TestCheckFunc (refresh).
func (e expectScanTask) check(s *terraform.State) error {
	r, ok := s.RootModule().Resources[e.addr]
	if !ok {
		return fmt.Errorf("%s is not in the state", e.addr)
	}
	return e.compare(func(k string) (string, bool) {
		v, ok := r.Primary.Attributes[k]
		return v, ok
	})
}

// compare checks the attributes get returns (false: null) against the task.
func (e expectScanTask) compare(get func(string) (string, bool)) error {
	tasks := e.fake.ScanTasks()
	if len(tasks) < e.n {
		return fmt.Errorf("the fake has %d scan tasks, want at least %d", len(tasks), e.n)
	}
	task := tasks[e.n-1]
	want := map[string]string{"id": task.TaskID, "task_id": task.TaskID, "status": e.status, "started_at": rfc3339Time(task.Start), "images_scanned": "0"}
	switch e.status {
	case "SUCCESS":
		want["finished_at"], want["images_scanned"] = rfc3339Time(task.End), fmt.Sprint(task.Images)
	case "FAIL", "TIMEOUT":
		want["finished_at"] = rfc3339Time(task.End)
	}
	if v, ok := get("finished_at"); ok && want["finished_at"] == "" {
		return fmt.Errorf("%s.finished_at = %s, want null while the task runs (%v)", e.addr, v, task)
	}
	for k, v := range want {
		if got, _ := get(k); got != v {
			return fmt.Errorf("%s.%s = %q, want %q (%v)", e.addr, k, got, v, task)
		}
	}
	return nil
}

func resourceAttributes(req statecheck.CheckStateRequest, addr string) map[string]any {
	if req.State == nil || req.State.Values == nil || req.State.Values.RootModule == nil {
		return nil
	}
	for _, r := range req.State.Values.RootModule.Resources {
		if r.Address == addr {
			return r.AttributeValues
		}
	}
	return nil
}

// requireScanTasks fails unless the fake started exactly n tasks and saw
// `creates` creation requests.
func requireScanTasks(t *testing.T, fake *fakesas.Server, n, creates int) {
	t.Helper()
	if got := len(fake.ScanTasks()); got != n {
		t.Errorf("the fake started %d scan tasks, want %d: %v", got, n, fake.ScanTasks())
	}
	if got := fake.Calls(sasapi.ActionPublicCreateImageScanTask); creates >= 0 && got != creates {
		t.Errorf("the fake saw %d creation requests, want %d", got, creates)
	}
}

// testClient is a client of the fake, for scans started outside Terraform.
func testClient(t *testing.T, fake *fakesas.Server) *sasapi.Client {
	t.Helper()
	c, diags := settings{endpoint: fake.Endpoint(), protocol: "HTTP", accessKey: fakesas.TestAccessKey, secretKey: fakesas.TestSecretKey, maxRetries: 3}.newClient("test")
	if diags.HasError() {
		t.Fatalf("client: %v", diags)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// scanOutside starts a scan as someone else would (the console, another
// pipeline) and returns its task id.
func scanOutside(t *testing.T, fake *fakesas.Server, digest string) string {
	t.Helper()
	start, err := testClient(t, fake).StartImageScan(context.Background(), sasapi.ImageScanRequest{Digest: digest}, sasapi.ScanOptions{})
	if err != nil {
		t.Fatalf("starting a scan outside Terraform: %v", err)
	}
	return start.TaskID
}

func TestImageScanSchemaValidatesAndEveryArgumentScansAgain(t *testing.T) {
	ctx := context.Background()
	var resp resource.SchemaResponse
	NewImageScanResource().Schema(ctx, resource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("schema: %v", resp.Diagnostics)
	}
	if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
		t.Fatalf("schema invalid: %v", diags)
	}
	if resp.Schema.MarkdownDescription == "" || !strings.Contains(resp.Schema.MarkdownDescription, "quota") {
		t.Error("the resource description does not mention the scan quota")
	}
	if _, ok := resp.Schema.Blocks["timeouts"]; !ok {
		t.Error("no timeouts block")
	}
	for name, a := range resp.Schema.Attributes {
		if a.GetMarkdownDescription() == "" {
			t.Errorf("attribute %q has no MarkdownDescription", name)
		}
		if a.IsComputed() && !a.IsOptional() {
			continue
		}
		var modifiers []any
		switch a := a.(type) {
		case schema.StringAttribute:
			for _, m := range a.PlanModifiers {
				modifiers = append(modifiers, m)
			}
		case schema.BoolAttribute:
			for _, m := range a.PlanModifiers {
				modifiers = append(modifiers, m)
			}
		case schema.MapAttribute:
			for _, m := range a.PlanModifiers {
				modifiers = append(modifiers, m)
			}
		default:
			t.Errorf("argument %q has unexpected type %T", name, a)
		}
		found := false
		for _, m := range modifiers {
			_, found = m.(scanArgument)
			if found {
				break
			}
		}
		if !found {
			t.Errorf("argument %q does not scan again when it changes", name)
		}
	}
}

func TestAccImageScan_createWaitsForTheScanAndALaterReadSeesIt(t *testing.T) {
	fake := startScanFake(t, fakesas.ScanOptions{Duration: 300 * time.Millisecond, Findings: map[string]fakesas.Findings{scanDigestNew: {Vul: 2}}})
	written := "sha256:" + strings.ToUpper(scanDigestNew)
	config := scanConfig(fake, `  digest         = "`+written+`"
  repo_name      = "app"
  repo_namespace = "prod"
  tag            = "2.0"
  region_id      = "cn-hangzhou"
  instance_id    = "cri-test"
  registry_type  = "acr"`, `
data "sas_image_instances" "after" {
  criteria   = [{ name = "digest", value = "`+scanDigestNew+`" }]
  depends_on = [sas_image_scan.test]
}`)
	task := func() fakesas.ScanTask { return fake.ScanTasks()[0] }
	image := func(attr string) tfjsonpath.Path { return tfjsonpath.New("images").AtSliceIndex(0).AtMapKey(attr) }
	scanAccTest(t,
		tfresource.TestStep{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				expectScanTask{addr: scanAddr, fake: fake, n: 1, status: "SUCCESS"},
				statecheck.ExpectKnownValue(scanAddr, tfjsonpath.New("task_id"), knownvalue.StringExact(fakesas.ScanTaskID(0, 1))),
				statecheck.ExpectKnownValue(scanAddr, tfjsonpath.New("digest"), knownvalue.StringExact(written)),
				statecheck.ExpectKnownValue(scanAddr, tfjsonpath.New("wait_for_completion"), knownvalue.Bool(true)),
				// The listing read after the scan sees it.
				statecheck.ExpectKnownValue("data.sas_image_instances.after", image("sca_status"), knownvalue.StringExact("SUCCESS")),
				statecheck.ExpectKnownValue("data.sas_image_instances.after", image("vul_count"), knownvalue.Int64Exact(2)),
				statecheck.ExpectKnownValue("data.sas_image_instances.after", image("last_scanned_at"), knownvalue.StringFunc(func(v string) error {
					if want := rfc3339Time(task().End); v != want {
						return fmt.Errorf("last_scanned_at %s, want the scan's end %s", v, want)
					}
					return nil
				})),
			},
		},
		// Nothing changed: no new scan.
		tfresource.TestStep{
			Config:           config,
			ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
	)
	requireScanTasks(t, fake, 1, 1)
	q := task().Query
	want := map[string]string{"Digests": scanDigestNew, "RepoNames": "app", "RepoNamespaces": "prod", "Tags": "2.0", "RegionIds": "cn-hangzhou", "InstanceIds": "cri-test", "RegistryTypes": "acr"}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	if len(q) != len(want) {
		t.Errorf("the creation sent %v, want exactly %v", q, want)
	}
}

// Without waiting, the apply ends once the scan started; refreshing
// follows the recorded task while it is the image's latest, and keeps it
// once a newer task replaced it.
func TestAccImageScan_refreshFollowsTheRecordedTask(t *testing.T) {
	clock := &testClock{now: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	fake := startScanFake(t, fakesas.ScanOptions{Duration: time.Minute, Clock: clock.Now})
	config := scanConfig(fake, `  digest              = "`+scanDigestNew+`"
  wait_for_completion = false`)
	scanAccTest(t,
		tfresource.TestStep{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				expectScanTask{addr: scanAddr, fake: fake, n: 1, status: "START"},
				statecheck.ExpectKnownValue(scanAddr, tfjsonpath.New("finished_at"), knownvalue.Null()),
			},
		},
		tfresource.TestStep{
			PreConfig:    func() { clock.advance(40 * time.Second) },
			RefreshState: true,
			Check:        expectScanTask{addr: scanAddr, fake: fake, n: 1, status: "PROCESSING"}.check,
		},
		tfresource.TestStep{
			PreConfig:    func() { clock.advance(20 * time.Second) },
			RefreshState: true,
			Check:        expectScanTask{addr: scanAddr, fake: fake, n: 1, status: "SUCCESS"}.check,
		},
		tfresource.TestStep{
			PreConfig: func() {
				scanOutside(t, fake, scanDigestNew)
				clock.advance(time.Minute)
			},
			RefreshState: true,
			Check:        expectScanTask{addr: scanAddr, fake: fake, n: 1, status: "SUCCESS"}.check,
		},
		tfresource.TestStep{
			Config:           config,
			ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		},
	)
	requireScanTasks(t, fake, 2, 2)
}

// testClock is a clock the fake's scan tasks follow, moved by the test.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestAccImageScan_changingAnArgumentScansAgainOthersDoNot(t *testing.T) {
	fake := startScanFake(t, fakesas.ScanOptions{Duration: 50 * time.Millisecond})
	body := func(lines ...string) string {
		return `  digest = "sha256:` + scanDigestNew + `"` + "\n  " + strings.Join(lines, "\n  ")
	}
	action := func(a plancheck.ResourceActionType) tfresource.ConfigPlanChecks {
		return tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(scanAddr, a)}}
	}
	step := func(n int, a plancheck.ResourceActionType, lines ...string) tfresource.TestStep {
		return tfresource.TestStep{
			Config:            scanConfig(fake, body(lines...)),
			ConfigPlanChecks:  action(a),
			ConfigStateChecks: []statecheck.StateCheck{expectScanTask{addr: scanAddr, fake: fake, n: n, status: "SUCCESS"}},
		}
	}
	first := step(1, plancheck.ResourceActionCreate, `triggers = { build = "1" }`)
	first.ConfigPlanChecks = tfresource.ConfigPlanChecks{}
	scanAccTest(t,
		first,
		step(2, plancheck.ResourceActionReplace, `triggers = { build = "2" }`),
		step(3, plancheck.ResourceActionReplace, `triggers = { build = "2", date = "2026-03-01" }`),
		// Timeouts and the way the digest is written change nothing scanned.
		step(3, plancheck.ResourceActionUpdate, `triggers = { build = "2", date = "2026-03-01" }`, `timeouts { create = "30m" }`),
		tfresource.TestStep{
			Config:            scanConfig(fake, `  digest = "`+strings.ToUpper(scanDigestNew)+`"`+"\n  "+`triggers = { build = "2", date = "2026-03-01" }`+"\n  "+`timeouts { create = "30m" }`),
			ConfigPlanChecks:  action(plancheck.ResourceActionUpdate),
			ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(scanAddr, tfjsonpath.New("digest"), knownvalue.StringExact(strings.ToUpper(scanDigestNew)))},
		},
		step(4, plancheck.ResourceActionReplace, `triggers = { build = "2", date = "2026-03-01" }`, `repo_name = "app"`),
		// Setting the default changes nothing.
		step(4, plancheck.ResourceActionNoop, `triggers = { build = "2", date = "2026-03-01" }`, `repo_name = "app"`, `wait_for_completion = true`),
		tfresource.TestStep{
			Config:            scanConfig(fake, body(`triggers = { build = "2", date = "2026-03-01" }`, `repo_name = "app"`, `wait_for_completion = false`)),
			ConfigPlanChecks:  action(plancheck.ResourceActionReplace),
			ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(scanAddr, tfjsonpath.New("task_id"), knownvalue.StringExact(fakesas.ScanTaskID(0, 5)))},
		},
	)
	requireScanTasks(t, fake, 5, 5)
}

// Importing by digest adopts the image's latest task; the first apply
// then takes the arguments from the configuration without scanning.
func TestAccImageScan_importByDigestAdoptsTheLatestTask(t *testing.T) {
	fake := startScanFake(t, fakesas.ScanOptions{Duration: 50 * time.Millisecond})
	config := scanConfig(fake, `  digest   = "sha256:`+scanDigestNew+`"
  repo_name = "app"
  triggers = { build = "7" }
  timeouts { create = "5m" }`)
	var outside string
	scanAccTest(t,
		tfresource.TestStep{
			PreConfig: func() {
				outside = scanOutside(t, fake, scanDigestNew)
				time.Sleep(60 * time.Millisecond) // the scan ends
			},
			Config:             config,
			ResourceName:       scanAddr,
			ImportState:        true,
			ImportStateId:      "sha256:" + scanDigestNew,
			ImportStatePersist: true,
			ImportStateCheck: func(states []*terraform.InstanceState) error {
				if len(states) != 1 {
					return fmt.Errorf("%d states imported", len(states))
				}
				a := states[0].Attributes
				task := fake.ScanTasks()[0]
				want := map[string]string{"id": outside, "task_id": outside, "status": "SUCCESS", "digest": "sha256:" + scanDigestNew,
					"started_at": rfc3339Time(task.Start), "finished_at": rfc3339Time(task.End), "images_scanned": "1"}
				for k, v := range want {
					if a[k] != v {
						return fmt.Errorf("imported %s = %q, want %q", k, a[k], v)
					}
				}
				return nil
			},
		},
		tfresource.TestStep{
			Config: config,
			ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(scanAddr, plancheck.ResourceActionUpdate),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				expectScanTask{addr: scanAddr, fake: fake, n: 1, status: "SUCCESS"},
				statecheck.ExpectKnownValue(scanAddr, tfjsonpath.New("triggers"), knownvalue.MapExact(map[string]knownvalue.Check{"build": knownvalue.StringExact("7")})),
			},
		},
		// After the adoption a change scans again, as for any scan.
		tfresource.TestStep{
			Config: strings.Replace(config, `"7"`, `"8"`, 1),
			ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(scanAddr, plancheck.ResourceActionReplace),
			}},
			ConfigStateChecks: []statecheck.StateCheck{expectScanTask{addr: scanAddr, fake: fake, n: 2, status: "SUCCESS"}},
		},
	)
	requireScanTasks(t, fake, 2, 2)
}

func TestAccImageScan_importVerifiesAgainstACreatedScan(t *testing.T) {
	fake := startScanFake(t, fakesas.ScanOptions{Duration: 50 * time.Millisecond})
	config := scanConfig(fake, `  digest    = "sha256:`+scanDigestNew+`"
  repo_name = "app"
  triggers  = { build = "7" }`)
	scanAccTest(t,
		tfresource.TestStep{Config: config},
		tfresource.TestStep{
			ResourceName:      scanAddr,
			ImportState:       true,
			ImportStateIdFunc: func(*terraform.State) (string, error) { return "sha256:" + scanDigestNew, nil },
			ImportStateVerify: true,
			// Only the digest and the task come from the service.
			ImportStateVerifyIgnore: []string{"repo_name", "triggers", "wait_for_completion", "timeouts"},
		},
	)
	requireScanTasks(t, fake, 1, 1)
}

func TestAccImageScan_importErrors(t *testing.T) {
	cases := []struct {
		name string
		id   string
		want []string
	}{
		{"an image never scanned", "sha256:" + scanDigestNew, []string{"No scan task to import", "no scan task recorded for image sha256:" + scanDigestNew}},
		{"not a digest", "app:2.0", []string{"Invalid import ID", `got "app:2.0"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := startScanFake(t, fakesas.ScanOptions{})
			scanAccTest(t, tfresource.TestStep{
				Config:        scanConfig(fake, `  digest = "`+scanDigestNew+`"`),
				ResourceName:  scanAddr,
				ImportState:   true,
				ImportStateId: tc.id,
				ExpectError:   errorMatching(tc.want...),
			})
			requireScanTasks(t, fake, 0, 0)
		})
	}
}

func TestAccImageScan_scansThatDoNotSucceedFailTheApply(t *testing.T) {
	cases := []struct {
		name    string
		scan    fakesas.ScanOptions
		body    string
		tasks   int
		want    []string
		tainted bool // the task is kept (tainted) in the state
	}{
		{
			name: "FAIL names the task and the status",
			scan: fakesas.ScanOptions{Duration: 50 * time.Millisecond, Outcomes: map[string]string{scanDigestNew: fakesas.ScanFail}},
			want: []string{"Image scan failed", "Scan task " + fakesas.ScanTaskID(0, 1) + " of image " + scanDigestNew + " ended with status FAIL"},
			// A bounded wait, so that a status wrongly taken for running fails fast.
			body: `digest = "` + scanDigestNew + `"` + "\n" + `timeouts { create = "30s" }`, tasks: 1, tainted: true,
		},
		{
			name: "the service's TIMOUT",
			scan: fakesas.ScanOptions{Duration: 50 * time.Millisecond, Outcomes: map[string]string{scanDigestNew: fakesas.ScanTimout}},
			want: []string{"Image scan timed out in Security Center", "Scan task " + fakesas.ScanTaskID(0, 1) + " of image " + scanDigestNew + " ended with status TIMOUT"},
			// A bounded wait, so that a status wrongly taken for running fails fast.
			body: `digest = "` + scanDigestNew + `"` + "\n" + `timeouts { create = "30s" }`, tasks: 1, tainted: true,
		},
		{
			name: "the create timeout says the scan may still finish and how to check",
			scan: fakesas.ScanOptions{Duration: time.Hour},
			body: `digest = "sha256:` + scanDigestNew + `"` + "\n" + `timeouts { create = "1s" }`,
			want: []string{"Stopped waiting for the image scan", "Scan task " + fakesas.ScanTaskID(0, 1), "was still running when the create timeout (1s) ran out",
				"The scan may still finish", "aliyun sas DescribeImageLatestScanTask --Digest " + scanDigestNew, "terraform untaint", "timeouts.create"},
			tasks: 1, tainted: true,
		},
		{
			name:  "a region image scanning does not support",
			scan:  fakesas.ScanOptions{UnsupportedRegions: []string{"eu-central-1"}},
			body:  `digest = "` + scanDigestEdge + `"`,
			want:  []string{"Image scanning is not supported in this region", "TASK_NOT_SUPPORT_REGION", "request id", "No scan was started"},
			tasks: 0,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := startScanFake(t, tc.scan)
			config := scanConfig(fake, tc.body)
			steps := []tfresource.TestStep{{Config: config, ExpectError: errorMatching(tc.want...)}}
			if tc.tainted {
				// The failed scan's task is in the state, tainted: the next
				// plan scans again.
				steps = append(steps, tfresource.TestStep{
					Config:             config,
					PlanOnly:           true,
					ExpectNonEmptyPlan: true,
					ConfigPlanChecks: tfresource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
						expectTaintedScan{addr: scanAddr, taskID: fakesas.ScanTaskID(0, 1)},
					}},
				})
			}
			scanAccTest(t, steps...)
			requireScanTasks(t, fake, tc.tasks, 1)
		})
	}
}

// expectTaintedScan checks that the plan replaces the scan at addr because
// it is tainted, and that the tainted object records the task.
type expectTaintedScan struct {
	addr, taskID string
}

func (e expectTaintedScan) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != e.addr {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		// The configuration is unchanged: only a taint replaces it.
		if !rc.Change.Actions.Replace() || before["task_id"] != e.taskID {
			resp.Error = fmt.Errorf("%s: actions %v with task_id %v; want a replacement of tainted task %s", e.addr, rc.Change.Actions, before["task_id"], e.taskID)
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the plan", e.addr)
}

// At most ten scans run at once: a creation refused for that waits and
// tries again within the create timeout.
func TestAccImageScan_waitsWhileTheRunningLimitIsReached(t *testing.T) {
	fake := startScanFake(t, fakesas.ScanOptions{Duration: 300 * time.Millisecond, MaxRunning: 1})
	config := scanConfig(fake, `  digest = "`+scanDigestNew+`"`, `
resource "sas_image_scan" "second" {
  digest = "`+scanDigestAbsent+`"
}`)
	scanAccTest(t, tfresource.TestStep{
		Config: config,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(scanAddr, tfjsonpath.New("status"), knownvalue.StringExact("SUCCESS")),
			statecheck.ExpectKnownValue("sas_image_scan.second", tfjsonpath.New("status"), knownvalue.StringExact("SUCCESS")),
			statecheck.ExpectKnownValue("sas_image_scan.second", tfjsonpath.New("images_scanned"), knownvalue.Int64Exact(0)),
		},
	})
	tasks := fake.ScanTasks()
	if len(tasks) != 2 || tasks[1].Start.Before(tasks[0].End) {
		t.Fatalf("tasks %v: want two, the second started after the first ended", tasks)
	}
	if creates := fake.Calls(sasapi.ActionPublicCreateImageScanTask); creates < 3 {
		t.Errorf("%d creation requests: the limit never refused one", creates)
	}
}

func TestAccImageScan_theRunningLimitUntilTheTimeout(t *testing.T) {
	fake := startScanFake(t, fakesas.ScanOptions{Duration: time.Hour, MaxRunning: 1})
	scanAccTest(t, tfresource.TestStep{
		PreConfig: func() { scanOutside(t, fake, scanDigestAbsent) },
		Config:    scanConfig(fake, `  digest = "`+scanDigestNew+`"`+"\n"+`  timeouts { create = "1s" }`),
		ExpectError: errorMatching("Could not start the image scan: too many scans running", "at most 10 image scans at once",
			"until the create timeout (1s) ran out", "No scan was started", "raise `timeouts.create`"),
	})
	requireScanTasks(t, fake, 1, -1)
}

// Creating is not idempotent: an answer lost after the task started must
// not start a second scan; a failure before it started is retried.
func TestAccImageScan_creationFailures(t *testing.T) {
	cases := []struct {
		name           string
		scan           fakesas.ScanOptions
		faults         []fakesas.Fault
		tasks, creates int
		body           string   // more arguments
		want           []string // error fragments; nil: the apply succeeds
	}{
		{name: "the answer is lost after the task started", scan: fakesas.ScanOptions{LostCreateAnswers: 1}, tasks: 1, creates: 1},
		{name: "the connection breaks after the task started", scan: fakesas.ScanOptions{LostCreateAnswers: 1, LostCreateFault: fakesas.FaultConnReset}, tasks: 1, creates: 1},
		{name: "the service fails before starting it", faults: []fakesas.Fault{{Kind: fakesas.FaultServerError, Action: sasapi.ActionPublicCreateImageScanTask, Count: 1}}, tasks: 1, creates: 2},
		{name: "the create timeout while the start is in flight", scan: fakesas.ScanOptions{}, tasks: 0, creates: 1,
			faults: []fakesas.Fault{{Kind: fakesas.FaultSlow, Action: sasapi.ActionPublicCreateImageScanTask, Delay: time.Minute}},
			body:   `timeouts { create = "1s" }`,
			want:   []string{"Image scan not started", "did not complete before the create timeout (1s) ran out", "no scan was started"}},
		{name: "permission denied is final", faults: []fakesas.Fault{{Kind: fakesas.FaultNoPermission, Action: sasapi.ActionPublicCreateImageScanTask}},
			creates: 1, want: []string{"NoPermission", "HTTP status: 403", "Request id: ", "yundun-sas:PublicCreateImageScanTask", "Starting a scan is not a read"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.scan.Duration = 50 * time.Millisecond
			fake := startScanFake(t, tc.scan)
			fake.SetFaults(tc.faults...)
			step := tfresource.TestStep{Config: scanConfig(fake, `  digest = "`+scanDigestNew+`"`+"\n"+tc.body)}
			if tc.want != nil {
				step.ExpectError = errorMatching(tc.want...)
			} else {
				step.ConfigStateChecks = []statecheck.StateCheck{expectScanTask{addr: scanAddr, fake: fake, n: 1, status: "SUCCESS"}}
			}
			scanAccTest(t, step)
			requireScanTasks(t, fake, tc.tasks, tc.creates)
		})
	}
}

func TestAccImageScan_invalidArgumentsFailAtPlanWithoutCallingTheAPI(t *testing.T) {
	valid := `digest = "` + scanDigestNew + `"`
	cases := []struct {
		name   string
		config string
		want   []string
	}{
		{"digest too short", `digest = "sha256:abc"`, []string{"Invalid image digest", `"sha256:abc" must be a sha256 image digest`}},
		{"digest of another algorithm", `digest = "sha512:` + scanDigestNew + `"`, []string{"Invalid image digest"}},
		{"digest with a tag", `digest = "app:2.0"`, []string{"Invalid image digest"}},
		{"digest missing", `repo_name = "app"`, []string{`The argument "digest" is required`}},
		{"repo_name upper case", valid + "\nrepo_name = \"App\"", []string{"Attribute repo_name must be a repository name"}},
		{"repo_name with a comma", valid + "\nrepo_name = \"app,web\"", []string{"Attribute repo_name must be a repository name"}},
		{"repo_namespace N/A", valid + "\nrepo_namespace = \"N/A\"", []string{"Attribute repo_namespace must be a namespace"}},
		{"tag starting with a dot", valid + "\ntag = \".1\"", []string{"Attribute tag must be an image tag"}},
		{"tag with a comma", valid + "\ntag = \"1,2\"", []string{"Attribute tag must be an image tag"}},
		{"empty tag", valid + "\ntag = \"\"", []string{"Attribute tag string length must be between 1 and 255"}},
		{"region_id", valid + "\nregion_id = \"hangzhou\"", []string{"Attribute region_id must be a region id"}},
		{"instance_id with a space", valid + "\ninstance_id = \"cri 1\"", []string{"Attribute instance_id must be a registry instance id"}},
		{"registry_type", valid + "\nregistry_type = \"docker\"", []string{"Attribute registry_type value must be one of", `"docker"`}},
		{"wait_for_completion not a bool", valid + "\nwait_for_completion = \"soon\"", []string{"Incorrect attribute value type"}},
		{"triggers not a map", valid + "\ntriggers = [\"a\"]", []string{"Incorrect attribute value type"}},
		{"timeouts.create zero", valid + "\ntimeouts { create = \"0s\" }", []string{"Invalid create timeout", `"0s" must be longer than zero`}},
		{"timeouts.create negative", valid + "\ntimeouts { create = \"-5m\" }", []string{"Invalid create timeout"}},
		{"timeouts.create not a duration", valid + "\ntimeouts { create = \"soon\" }", []string{"Invalid Attribute Value Time Duration", `create = "soon"`}},
		{"unknown argument", valid + "\nimage = \"x\"", []string{`An argument named "image" is not expected here`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := startScanFake(t, fakesas.ScanOptions{})
			scanAccTest(t, tfresource.TestStep{
				Config:      scanConfig(fake, tc.config),
				PlanOnly:    true,
				ExpectError: errorMatching(tc.want...),
			})
			if n := len(fake.Requests()); n != 0 {
				t.Errorf("an invalid configuration reached the API: %d requests", n)
			}
		})
	}
}

func TestImageScanPollIntervalFromTheEnvironment(t *testing.T) {
	lookup := func(v string) lookupFunc {
		return func(name string) (string, bool) { return v, name == envScanPollInterval && v != "" }
	}
	if d, err := scanPollInterval(lookup("")); d != 0 || err != nil {
		t.Errorf("unset: %v, %v", d, err)
	}
	if d, err := scanPollInterval(lookup("250ms")); d != 250*time.Millisecond || err != nil {
		t.Errorf("250ms: %v, %v", d, err)
	}
	for _, bad := range []string{"0s", "-1s", "fast"} {
		if _, err := scanPollInterval(lookup(bad)); err == nil || !strings.Contains(err.Error(), envScanPollInterval) {
			t.Errorf("%q: %v, want an error naming the variable", bad, err)
		}
	}
}

// Ctrl-C while the apply waits for a scan stops the wait at once, and the
// started task is kept, tainted, in the state. This runs the real plugin
// binary under the real Terraform CLI, as interrupt_test.go does for reads.
func TestAccImageScan_ctrlCStopsWaitingPromptly(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	terraform := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if terraform == "" {
		t.Skip("needs TF_ACC_TERRAFORM_PATH (make test sets it)")
	}
	dir := t.TempDir()
	plugins := filepath.Join(dir, "plugins")
	if out, err := exec.Command("go", "build", "-o", filepath.Join(plugins, "terraform-provider-sas"), "../..").CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	isolateEnv(t) // after the build: it moves HOME, and with it Go's caches
	fake := startScanFake(t, fakesas.ScanOptions{Duration: time.Hour})

	rc := filepath.Join(dir, "terraformrc")
	writeFile(t, rc, "provider_installation {\n  dev_overrides {\n    \"terraform-sas/sas\" = \""+plugins+"\"\n    \"registry.opentofu.org/terraform-sas/sas\" = \""+plugins+"\"\n  }\n  direct {}\n}\n")
	work := filepath.Join(dir, "config")
	writeFile(t, filepath.Join(work, "main.tf"), `terraform {
  required_providers {
    sas = { source = "terraform-sas/sas" }
  }
}
resource "sas_image_scan" "slow" {
  digest = "`+scanDigestNew+`"
}
`)
	cmd := exec.Command(terraform, "-chdir="+work, "apply", "-auto-approve", "-input=false", "-no-color")
	// A 20s poll interval: the first status read comes long after the interrupt.
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "SAS_PROTOCOL=HTTP",
		"ALIBABA_CLOUD_ENDPOINT_SAS="+fake.Endpoint(), "ALIBABA_CLOUD_ACCESS_KEY_ID="+fakesas.TestAccessKey,
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET="+fakesas.TestSecretKey, envScanPollInterval+"=20s")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	deadline := time.Now().Add(time.Minute)
	for len(fake.ScanTasks()) == 0 {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("the provider never started the scan:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // into the wait
	interrupted := time.Now()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		elapsed := time.Since(interrupted)
		t.Logf("terraform exited %v after the interrupt (%v)", elapsed.Round(time.Millisecond), err)
		if err == nil {
			t.Errorf("an interrupted apply exited successfully:\n%s", out.String())
		}
		// Far below the 16s the first wait lasts at least.
		if elapsed > 5*time.Second {
			t.Errorf("terraform took %v to stop after the interrupt", elapsed)
		}
		for _, want := range []string{"Stopped waiting for the image scan", "Terraform was interrupted", "may still finish"} {
			if !strings.Contains(strings.Join(strings.Fields(out.String()), " "), want) {
				t.Errorf("output lacks %q:\n%s", want, out.String())
			}
		}
		requireNoProcess(t, plugins, 2*time.Second)
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("terraform did not stop within 30s of the interrupt:\n%s", out.String())
	}
	if n := fake.Calls(sasapi.ActionDescribeImageLatestScanTask); n != 0 {
		t.Errorf("%d status reads: the interrupt came during a read, not the wait", n)
	}
	raw, err := os.ReadFile(filepath.Join(work, "terraform.tfstate"))
	if err != nil {
		t.Fatalf("no state: %v", err)
	}
	var state struct {
		Resources []struct {
			Instances []struct {
				Status     string         `json:"status"`
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(raw, &state); err != nil {
		t.Fatalf("state: %v", err)
	}
	if len(state.Resources) != 1 || len(state.Resources[0].Instances) != 1 ||
		state.Resources[0].Instances[0].Status != "tainted" || state.Resources[0].Instances[0].Attributes["task_id"] != fakesas.ScanTaskID(0, 1) {
		t.Errorf("the interrupted scan is not kept, tainted, in the state:\n%s", raw)
	}
}

// requireNoProcess fails when a process whose command line holds dir is
// still running after wait (pgrep; skipped where it is not installed).
func requireNoProcess(t *testing.T, dir string, wait time.Duration) {
	t.Helper()
	if _, err := exec.LookPath("pgrep"); err != nil {
		t.Log("pgrep not installed: cannot check that the provider process exited")
		return
	}
	deadline := time.Now().Add(wait)
	for {
		out, _ := exec.Command("pgrep", "-f", dir).Output()
		if len(bytes.TrimSpace(out)) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("provider process(es) %s still running %v after Terraform exited", bytes.TrimSpace(out), wait)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}
