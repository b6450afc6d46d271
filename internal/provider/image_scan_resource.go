package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

var (
	_ resource.Resource                   = (*imageScanResource)(nil)
	_ resource.ResourceWithConfigure      = (*imageScanResource)(nil)
	_ resource.ResourceWithImportState    = (*imageScanResource)(nil)
	_ resource.ResourceWithValidateConfig = (*imageScanResource)(nil)
)

// defaultScanCreateTimeout bounds starting a scan and waiting for it.
const defaultScanCreateTimeout = 20 * time.Minute

// envScanPollInterval replaces the 5-second first poll interval (the cap
// becomes six times it). It is for tests against a fake API only.
const envScanPollInterval = "SAS_SCAN_POLL_INTERVAL"

// NewImageScanResource returns the sas_image_scan resource.
func NewImageScanResource() resource.Resource {
	return &imageScanResource{}
}

type imageScanResource struct {
	data         *providerData
	pollInterval time.Duration // 0: the client's default
}

type imageScanModel struct {
	ID                types.String   `tfsdk:"id"`
	Digest            types.String   `tfsdk:"digest"`
	RepoName          types.String   `tfsdk:"repo_name"`
	RepoNamespace     types.String   `tfsdk:"repo_namespace"`
	Tag               types.String   `tfsdk:"tag"`
	RegionID          types.String   `tfsdk:"region_id"`
	InstanceID        types.String   `tfsdk:"instance_id"`
	RegistryType      types.String   `tfsdk:"registry_type"`
	Triggers          types.Map      `tfsdk:"triggers"`
	WaitForCompletion types.Bool     `tfsdk:"wait_for_completion"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`
	TaskID            types.String   `tfsdk:"task_id"`
	Status            types.String   `tfsdk:"status"`
	StartedAt         types.String   `tfsdk:"started_at"`
	FinishedAt        types.String   `tfsdk:"finished_at"`
	ImagesScanned     types.Int64    `tfsdk:"images_scanned"`
}

func (r *imageScanResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_image_scan"
}

func (r *imageScanResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}}
	}
	scope := func(desc string, v validator.String) schema.StringAttribute {
		return schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: desc + " Optional scope of the scan, sent as written; changing it scans again.",
			Validators:          []validator.String{stringvalidator.LengthBetween(1, 255), v},
			PlanModifiers:       []planmodifier.String{scanArgument{}},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Scans one container image with Security Center (`PublicCreateImageScanTask`) and, by default, " +
			"waits for the scan to finish (`DescribeImageLatestScanTask`), so that data sources read after it " +
			"(with `depends_on`) see fresh results. **Each scan uses the account's paid container image scan quota.** " +
			"Every argument forces a new scan; destroying the resource only forgets it: a scan cannot be undone.",
		Attributes: map[string]schema.Attribute{
			"id": computed("The scan task id, the same as `task_id`."),
			"digest": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Digest of the image to scan: 64 hex digits, with or without the `sha256:` prefix, in any case. " +
					"It is sent to the service in the bare lower-case form `DescribeImageInstances` reports; writing it another way does not scan again.",
				Validators:    []validator.String{digestValidator()},
				PlanModifiers: []planmodifier.String{scanArgument{normalize: normalizeDigestText}},
			},
			"repo_name":      scope("Repository name, such as `payments-api`.", stringvalidator.RegexMatches(repoNamePattern, "must be a repository name: lower-case letters and digits separated by '.', '_', '__', '-' or '/'")),
			"repo_namespace": scope("Registry namespace of the repository.", stringvalidator.RegexMatches(namespacePattern, "must be a namespace: lower-case letters and digits separated by '.', '_', '__' or '-'")),
			"tag":            scope("Image tag.", stringvalidator.RegexMatches(tagPattern, "must be an image tag: up to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'")),
			"region_id":      scope("Region of the image, such as `cn-hangzhou`. The provider's `region` only selects the API endpoint; this scopes the scan.", stringvalidator.RegexMatches(regionPattern, "must be a region id such as cn-hangzhou or ap-southeast-1")),
			"instance_id":    scope("Id of the registry instance holding the image, such as an ACR Enterprise Edition `cri-...` id.", stringvalidator.RegexMatches(instanceIDPattern, "must be a registry instance id: letters, digits, '.', '_' or '-'")),
			"registry_type":  scope("Registry kind: `acr`, `harbor` or `quay`.", stringvalidator.OneOf("acr", "harbor", "quay")),
			"triggers": schema.MapAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Arbitrary strings; any change scans the image again, for example a date to rescan daily or the id of a build.",
				PlanModifiers:       []planmodifier.Map{scanArgument{}},
			},
			"wait_for_completion": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
				MarkdownDescription: "Wait until the scan finishes (default `true`): `SUCCESS` completes the apply, `FAIL` or `TIMEOUT` fails it. " +
					"With `false` the apply completes once the scan has started, and refreshing reports its progress; data sources read then may see old results.",
				PlanModifiers: []planmodifier.Bool{scanArgument{}},
			},
			"task_id": computed("Id of the scan task, as `DescribeImageLatestScanTask` reports it (until the task shows there, the id the start call returned)."),
			"status": computed("Status of the scan task: `SUCCESS`; while it runs `INIT`, `START`, `MESSAGE_SEND`, `PROCESSING`, `PRE_ANALYZER`; " +
				"`FAIL` or `TIMEOUT` (which the service spells `TIMOUT`) when it failed, in which case an apply that waited fails and keeps the scan as tainted."),
			"started_at":  computed("When the scan started, RFC 3339 in UTC; null when the service does not say."),
			"finished_at": computed("When the scan finished, RFC 3339 in UTC; **null while it runs**."),
			"images_scanned": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "Number of images the task scanned (the task's `Finish`); null until the service reports it.",
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{
				Create: true,
				CreateDescription: fmt.Sprintf("How long to start the scan and wait for it, as a duration such as `30m`; default `%s`. "+
					"It includes waiting while ten scans already run. Changing it does not scan again.", durationText(defaultScanCreateTimeout)),
			}),
		},
	}
}

// durationText writes whole minutes as "20m" rather than "20m0s".
func durationText(d time.Duration) string {
	if d%time.Minute == 0 {
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

func (r *imageScanResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, diags := configuredProvider(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	if data == nil {
		return
	}
	r.data = data
	interval, err := scanPollInterval(envLookup)
	if err != nil {
		resp.Diagnostics.AddError("Invalid "+envScanPollInterval, err.Error())
	}
	r.pollInterval = interval
}

// scanPollInterval reads the test-only poll interval override.
func scanPollInterval(lookup lookupFunc) (time.Duration, error) {
	value := firstEnv(lookup, []string{envScanPollInterval})
	if value == "" {
		return 0, nil
	}
	d, err := parsePositiveDuration(value)
	if err != nil {
		return 0, fmt.Errorf("%s (meant for tests only): %w", envScanPollInterval, err)
	}
	return d, nil
}

func (r *imageScanResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var t timeouts.Value
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("timeouts"), &t)...)
	if resp.Diagnostics.HasError() || t.IsNull() || t.IsUnknown() {
		return
	}
	create, ok := t.Attributes()["create"].(types.String)
	if !ok || create.IsNull() || create.IsUnknown() {
		return
	}
	// The timeouts package checks the syntax; a scan needs a positive time.
	if d, err := time.ParseDuration(create.ValueString()); err == nil && d <= 0 {
		resp.Diagnostics.AddAttributeError(path.Root("timeouts").AtName("create"), "Invalid create timeout",
			fmt.Sprintf("%q must be longer than zero: it is the time allowed to start the scan and wait for it.", create.ValueString()))
	}
}

func (r *imageScanResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan imageScanModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.data == nil {
		resp.Diagnostics.Append(notConfigured())
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultScanCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	digest := plan.Digest.ValueString()
	opts := r.scanOptions(ctx)

	tflog.Info(ctx, "starting Security Center image scan", map[string]any{"digest": digest, "timeout": timeout.String()})
	start, err := r.data.client.StartImageScan(ctx, plan.request(), opts)
	if err != nil {
		resp.Diagnostics.Append(diagnose(explainScan(err, digest, timeout)))
		return
	}
	tflog.Info(ctx, "Security Center image scan started", map[string]any{"task_id": start.TaskID, "adopted": start.Task != nil})
	plan.setStarted(start)

	if !plan.WaitForCompletion.ValueBool() {
		r.refreshStarted(ctx, &plan, start, &resp.Diagnostics)
		resp.Diagnostics.Append(setState(ctx, &resp.State, &plan)...)
		return
	}
	task, err := r.data.client.WaitImageScan(ctx, digest, start, opts)
	if task != nil {
		plan.setTask(task, start.TaskID)
	}
	// Saved with an error too: Terraform then keeps the task as tainted, so
	// that its id stays visible and the next apply scans again.
	resp.Diagnostics.Append(setState(ctx, &resp.State, &plan)...)
	if err != nil {
		resp.Diagnostics.Append(diagnose(explainScan(err, digest, timeout)))
		return
	}
	if task.Finish.Valid && task.Finish.Value == 0 {
		resp.Diagnostics.AddAttributeWarning(path.Root("digest"), "The image scan scanned no image",
			fmt.Sprintf("Scan task %s finished with status SUCCESS but reports 0 images scanned: Security Center may not know image %s under the scope given. "+
				"A gate reading the image will still find it unscanned or unknown.", plan.TaskID.ValueString(), digest))
	}
}

// refreshStarted reads the status of a scan that is not waited for once, so
// the state starts with what the service reports; failing that, it warns.
func (r *imageScanResource) refreshStarted(ctx context.Context, m *imageScanModel, start *sasapi.ScanStart, diags *diag.Diagnostics) {
	task, err := r.data.client.LatestScanTask(ctx, m.Digest.ValueString())
	if err != nil {
		d := diagnose(err)
		diags.AddWarning(d.Summary(), d.Detail()+"\n\nScan task "+start.TaskID+" started; refreshing later reports its status.")
		return
	}
	if start.Owns(task) {
		m.setTask(task, start.TaskID)
	}
}

func (r *imageScanResource) scanOptions(ctx context.Context) sasapi.ScanOptions {
	opts := sasapi.ScanOptions{OnEvent: func(e sasapi.ScanEvent) { logScanEvent(ctx, e) }}
	if r.pollInterval > 0 {
		opts.PollInterval, opts.MaxPollInterval = r.pollInterval, 6*r.pollInterval
	}
	return opts
}

func logScanEvent(ctx context.Context, e sasapi.ScanEvent) {
	fields := map[string]any{"wait": e.Wait.String()}
	if e.Err != nil {
		fields["error"] = e.Err.Error()
	}
	if e.Task != nil {
		fields["task_id"], fields["status"] = e.Task.TaskId.Value, e.Task.Status.Value
	}
	switch e.Kind {
	case sasapi.ScanEventLimitWait:
		tflog.Info(ctx, "Security Center refused to start another scan (at most 10 run at once); trying again", fields)
	case sasapi.ScanEventCreateUnclear:
		tflog.Warn(ctx, "starting the scan failed after the request may have reached Security Center; checking for the task before trying again", fields)
	case sasapi.ScanEventAdopted:
		tflog.Info(ctx, "found the scan task the failed request started", fields)
	default:
		tflog.Debug(ctx, "image scan status", fields)
	}
}

func (r *imageScanResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state imageScanModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.data == nil {
		resp.Diagnostics.Append(notConfigured())
		return
	}
	digest := state.Digest.ValueString()
	task, err := r.data.client.LatestScanTask(ctx, digest)
	if err != nil {
		resp.Diagnostics.Append(diagnose(err))
		return
	}
	switch {
	case state.TaskID.IsNull():
		// Imported by digest: adopt the image's latest task.
		if task == nil || task.TaskId.Value == "" {
			resp.Diagnostics.AddError("No scan task to import",
				fmt.Sprintf("Security Center has no scan task recorded for image %s, so there is nothing to import. Create the resource to scan the image.", digest))
			return
		}
		state.setTask(task, "")
	case task != nil && task.TaskId.Value == state.TaskID.ValueString():
		state.setTask(task, "")
	default:
		// A newer task, or none listed: the recorded scan still happened.
		tflog.Debug(ctx, "the recorded scan task is no longer the image's latest; keeping it", map[string]any{"task_id": state.TaskID.ValueString()})
	}
	resp.Diagnostics.Append(setState(ctx, &resp.State, &state)...)
}

// Update only takes arguments that do not scan again into the state:
// timeouts, the digest written another way, and after an import the
// arguments the import could not know.
func (r *imageScanResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state imageScanModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.ID, plan.TaskID, plan.Status = state.ID, state.TaskID, state.Status
	plan.StartedAt, plan.FinishedAt, plan.ImagesScanned = state.StartedAt, state.FinishedAt, state.ImagesScanned
	resp.Diagnostics.Append(setState(ctx, &resp.State, &plan)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateImported, nil)...)
}

// Delete forgets the scan: it cannot be undone.
func (r *imageScanResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
}

// privateImported marks a state created by import, whose arguments other
// than the digest are unknown: the first plan takes them from the
// configuration without scanning again.
const privateImported = "imported"

func (r *imageScanResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := strings.TrimSpace(req.ID)
	if _, ok := sasapi.NormalizeDigest(id); !ok {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("Import a scan by the digest of its image, sha256:<64 hex digits> or the 64 hex digits alone; got %q. The image's latest scan task is imported.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("digest"), id)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateImported, []byte("true"))...)
}

// explainScan puts in the resource's words why a scan did not complete,
// for every way StartImageScan and WaitImageScan fail that is not a
// failure of a call (those diagnose explains by their category).
func explainScan(err error, digest string, timeout time.Duration) error {
	var notStarted *sasapi.ScanNotStartedError
	var unknown *sasapi.ScanOutcomeUnknownError
	var failed *sasapi.ScanFailedError
	var waitErr *sasapi.ScanWaitError
	bare := normalizeDigestText(digest)
	howToCheck := fmt.Sprintf("Check it in the Security Center console (container image scan tasks) or with `aliyun sas DescribeImageLatestScanTask --Digest %s`.", bare)
	stopped := func() string {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Sprintf("the create timeout (%s) ran out", timeout)
		}
		return "Terraform was interrupted"
	}
	switch {
	case errors.As(err, &failed) && failed.Status == sasapi.ScanStatusTimeout:
		return explained(err, "Image scan timed out in Security Center",
			fmt.Sprintf("Scan task %s of image %s ended with status %s: Security Center gave up on the scan. Nothing was learned about the image; apply again to scan it again.", failed.TaskID, digest, failed.RawStatus))
	case errors.As(err, &failed):
		return explained(err, "Image scan failed",
			fmt.Sprintf("Scan task %s of image %s ended with status %s. Nothing was learned about the image; apply again to scan it again. %s", failed.TaskID, digest, failed.RawStatus, howToCheck))
	case errors.As(err, &waitErr) && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)):
		status := "it was not listed as the image's latest task yet"
		if waitErr.Last != nil {
			status = "its status was " + waitErr.Last.Status.Value
		}
		return explained(err, "Stopped waiting for the image scan",
			fmt.Sprintf("Scan task %s of image %s was still running when %s (%s). The scan may still finish in Security Center. %s "+
				"The resource is kept as tainted, so the next apply starts a new scan: to keep this one once it finished, run `terraform untaint` on it; "+
				"to wait longer, raise `timeouts.create`.", waitErr.TaskID, digest, stopped(), status, howToCheck))
	case errors.As(err, &notStarted) && notStarted.Reason == sasapi.ScanRegionNotSupported:
		return explained(err, "Image scanning is not supported in this region",
			fmt.Sprintf("Security Center refused to scan image %s: the image is in a region that container image scanning does not support (result %s, request id %s). "+
				"No scan was started. Check `region_id`, or scan images in a supported region.", digest, sasapi.ScanResultRegionNotSupported, notStarted.RequestID))
	case errors.As(err, &notStarted) && notStarted.Reason == sasapi.ScanLimitReached:
		return explained(err, "Could not start the image scan: too many scans running",
			fmt.Sprintf("Security Center runs at most 10 image scans at once and refused a new one %d times over %s, until %s. No scan was started. "+
				"Wait for running scans to finish, or raise `timeouts.create`.", notStarted.Refusals, notStarted.Waited.Round(time.Second), stopped()))
	case errors.As(err, &notStarted):
		return explained(err, "Security Center did not start the image scan", err.Error())
	case errors.As(err, &unknown):
		return explained(err, "The image scan may have started",
			fmt.Sprintf("Starting the scan of image %s failed after the request may have reached Security Center, and whether it started a scan could not be found out: %v\n\n"+
				"Each scan uses paid quota: check before applying again. %s", digest, err, howToCheck))
	case errors.Is(err, context.DeadlineExceeded):
		return explained(err, "Image scan not started",
			fmt.Sprintf("Starting the scan of image %s did not complete before %s, and Security Center shows no scan task for it: no scan was started (%v). "+
				"Apply again, or raise `timeouts.create`.", digest, stopped(), err))
	}
	return err
}

// scanArgument makes a change of an argument scan again (replace the
// resource), except a change normalize says is none, and except filling in
// after an import an argument the import could not know.
type scanArgument struct {
	normalize func(string) string
}

func (scanArgument) Description(context.Context) string {
	return "Changing this value scans the image again."
}

func (m scanArgument) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (m scanArgument) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	same := req.PlanValue.Equal(req.StateValue)
	if m.normalize != nil && !req.PlanValue.IsUnknown() && !req.PlanValue.IsNull() && !req.StateValue.IsNull() {
		same = m.normalize(req.PlanValue.ValueString()) == m.normalize(req.StateValue.ValueString())
	}
	resp.RequiresReplace = replaces(ctx, req.State.Raw.IsNull() || req.Plan.Raw.IsNull(), same, req.StateValue.IsNull(), req.Private, &resp.Diagnostics)
}

func (m scanArgument) PlanModifyBool(ctx context.Context, req planmodifier.BoolRequest, resp *planmodifier.BoolResponse) {
	resp.RequiresReplace = replaces(ctx, req.State.Raw.IsNull() || req.Plan.Raw.IsNull(), req.PlanValue.Equal(req.StateValue), req.StateValue.IsNull(), req.Private, &resp.Diagnostics)
}

func (m scanArgument) PlanModifyMap(ctx context.Context, req planmodifier.MapRequest, resp *planmodifier.MapResponse) {
	resp.RequiresReplace = replaces(ctx, req.State.Raw.IsNull() || req.Plan.Raw.IsNull(), req.PlanValue.Equal(req.StateValue), req.StateValue.IsNull(), req.Private, &resp.Diagnostics)
}

// privateData is what plan modifiers can read of the private state.
type privateData interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

func replaces(ctx context.Context, createOrDestroy, same, stateNull bool, private privateData, diags *diag.Diagnostics) bool {
	if createOrDestroy || same {
		return false
	}
	if stateNull && private != nil {
		imported, d := private.GetKey(ctx, privateImported)
		diags.Append(d...)
		if string(imported) == "true" {
			return false
		}
	}
	return true
}
