package provider

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-sas/terraform-provider-sas/internal/sasapi"
)

var (
	_ datasource.DataSource                     = (*imageVulnerabilitiesDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*imageVulnerabilitiesDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*imageVulnerabilitiesDataSource)(nil)
)

// NewImageVulnerabilitiesDataSource returns the sas_image_vulnerabilities data source.
func NewImageVulnerabilitiesDataSource() datasource.DataSource {
	return &imageVulnerabilitiesDataSource{}
}

type imageVulnerabilitiesDataSource struct {
	data *providerData
}

// The service's three vocabularies, each the single source of truth for
// its validator, its mapping and its documentation.
var (
	// vulNecessities are the fix priorities, most urgent first.
	vulNecessities = []string{"asap", "later", "nntf"}
	// vulStatuses map status names to the service's codes.
	vulStatuses = []struct {
		name string
		code int64
	}{
		{"unfixed", sasapi.VulStatusUnfixed},
		{"fixing", sasapi.VulStatusFixing},
		{"fixed", sasapi.VulStatusFixed},
	}
	// vulSeverities are the CVE levels (VulLevel), most severe first.
	vulSeverities = []string{"serious", "high", "medium", "low"}
)

func vulStatusNames() []string {
	names := make([]string, len(vulStatuses))
	for k, s := range vulStatuses {
		names[k] = s.name
	}
	return names
}

// vulStatusName names a status code; an unknown code is kept as its
// decimal string, an absent one is null.
func vulStatusName(code sasapi.Int) types.String {
	if !code.Valid {
		return types.StringNull()
	}
	for _, s := range vulStatuses {
		if s.code == code.Value {
			return types.StringValue(s.name)
		}
	}
	return types.StringValue(strconv.FormatInt(code.Value, 10))
}

func vulStatusCode(name string) (int64, bool) {
	for _, s := range vulStatuses {
		if s.name == name {
			return s.code, true
		}
	}
	return 0, false
}

// vulScopeAttributes are the arguments that narrow a lookup to some images;
// one of them is required.
var vulScopeAttributes = []string{"image_uuids", "digest", "repo_name", "repo_namespace", "repo_id", "repo_instance_id", "repo_region_id"}

type imageVulnerabilitiesModel struct {
	ID              types.String         `tfsdk:"id"`
	ImageUUIDs      types.List           `tfsdk:"image_uuids"`
	Digest          types.String         `tfsdk:"digest"`
	RepoName        types.String         `tfsdk:"repo_name"`
	RepoNamespace   types.String         `tfsdk:"repo_namespace"`
	RepoID          types.String         `tfsdk:"repo_id"`
	RepoInstanceID  types.String         `tfsdk:"repo_instance_id"`
	RepoRegionID    types.String         `tfsdk:"repo_region_id"`
	Necessities     types.Set            `tfsdk:"necessities"`
	Statuses        types.Set            `tfsdk:"statuses"`
	Name            types.String         `tfsdk:"name"`
	MaxResults      types.Int64          `tfsdk:"max_results"`
	PageSize        types.Int64          `tfsdk:"page_size"`
	Lang            types.String         `tfsdk:"lang"`
	WithCVEDetails  types.Bool           `tfsdk:"with_cve_details"`
	TotalCount      types.Int64          `tfsdk:"total_count"`
	Vulnerabilities []vulnerabilityModel `tfsdk:"vulnerabilities"`
	Summary         *vulSummaryModel     `tfsdk:"summary"`
}

type vulnerabilityModel struct {
	Name          types.String      `tfsdk:"name"`
	AliasName     types.String      `tfsdk:"alias_name"`
	CVEIDs        []string          `tfsdk:"cve_ids"`
	Type          types.String      `tfsdk:"type"`
	Necessity     types.String      `tfsdk:"necessity"`
	Status        types.String      `tfsdk:"status"`
	CanFix        types.Bool        `tfsdk:"can_fix"`
	CanUpdate     types.Bool        `tfsdk:"can_update"`
	ImageUUID     types.String      `tfsdk:"image_uuid"`
	Image         types.String      `tfsdk:"image"`
	ImageDigest   types.String      `tfsdk:"image_digest"`
	RepoName      types.String      `tfsdk:"repo_name"`
	RepoNamespace types.String      `tfsdk:"repo_namespace"`
	Layers        []string          `tfsdk:"layers"`
	FirstSeenAt   timetypes.RFC3339 `tfsdk:"first_seen_at"`
	LastSeenAt    timetypes.RFC3339 `tfsdk:"last_seen_at"`
	ScannedAt     timetypes.RFC3339 `tfsdk:"scanned_at"`
	ModifiedAt    timetypes.RFC3339 `tfsdk:"modified_at"`
	OS            types.String      `tfsdk:"os"`
	OSRelease     types.String      `tfsdk:"os_release"`
	Packages      []vulPackageModel `tfsdk:"packages"`
	Severity      types.String      `tfsdk:"severity"`
	MaxCVSSScore  types.Float64     `tfsdk:"max_cvss_score"`
	CVEs          []vulCVEModel     `tfsdk:"cves"` // nil (null) without with_cve_details; shared by the rows of a name
}

type vulPackageModel struct {
	Name        types.String `tfsdk:"name"`
	Version     types.String `tfsdk:"version"`
	FullVersion types.String `tfsdk:"full_version"`
	Path        types.String `tfsdk:"path"`
	Layer       types.String `tfsdk:"layer"`
	MatchDetail types.String `tfsdk:"match_detail"`
	UpdateCmd   types.String `tfsdk:"update_cmd"`
}

type vulCVEModel struct {
	CVEID       types.String      `tfsdk:"cve_id"`
	CVSSScore   types.Float64     `tfsdk:"cvss_score"`
	CVSSVector  types.String      `tfsdk:"cvss_vector"`
	Level       types.String      `tfsdk:"level"`
	Title       types.String      `tfsdk:"title"`
	Summary     types.String      `tfsdk:"summary"`
	Solution    types.String      `tfsdk:"solution"`
	PublishedAt timetypes.RFC3339 `tfsdk:"published_at"`
	Reference   types.String      `tfsdk:"reference"`
}

type vulSummaryModel struct {
	Vulnerabilities types.Int64   `tfsdk:"vulnerabilities"`
	Images          types.Int64   `tfsdk:"images"`
	Asap            types.Int64   `tfsdk:"asap"`
	Later           types.Int64   `tfsdk:"later"`
	Nntf            types.Int64   `tfsdk:"nntf"`
	Fixable         types.Int64   `tfsdk:"fixable"`
	AsapFixable     types.Int64   `tfsdk:"asap_fixable"`
	Unfixed         types.Int64   `tfsdk:"unfixed"`
	Serious         types.Int64   `tfsdk:"serious"`
	High            types.Int64   `tfsdk:"high"`
	Medium          types.Int64   `tfsdk:"medium"`
	Low             types.Int64   `tfsdk:"low"`
	UnknownSeverity types.Int64   `tfsdk:"unknown_severity"`
	MaxCVSSScore    types.Float64 `tfsdk:"max_cvss_score"`
}

func (d *imageVulnerabilitiesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_image_vulnerabilities"
}

// quoted renders values as a Markdown list of code spans: `a`, `b`, `c`.
func quoted(values []string) string {
	out := make([]string, len(values))
	for k, v := range values {
		out[k] = "`" + v + "`"
	}
	return strings.Join(out, ", ")
}

func (d *imageVulnerabilitiesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the vulnerabilities Security Center found in container images (`DescribeImageVulList`, `Type = cve`), " +
			"one row per image and vulnerability, with the fix priority, whether a fix exists, the affected packages and their " +
			"upgrade command; with `with_cve_details`, also the CVSS score and severity of each CVE (`DescribeVulDetails`). " +
			"Every page is read; rows are de-duplicated by image, name and record id.\n\n" +
			"An image that was never successfully scanned has **no** rows: no rows means *unknown*, not *safe*, unless " +
			"`sas_image_instances` shows the image scanned. Gates should check that too.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Identifier derived from the arguments: the same arguments give the same id.",
			},
			"image_uuids": schema.ListAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: fmt.Sprintf("Images to look at: the `uuid` values `sas_image_instances` returns (for example its `ids`). "+
					"Sent as the comma-separated `Uuids`, %d per request: a longer list is read in batches of %d, one after the other. "+
					"Repeated values are read once.", sasapi.UuidsPerRequest, sasapi.UuidsPerRequest),
				Validators: []validator.List{
					listvalidator.SizeAtLeast(1),
					listvalidator.ValueStringsAre(
						stringvalidator.LengthAtLeast(1),
						stringvalidator.RegexMatches(noCommaOrSpace, "must be an image uuid, without commas or spaces"),
					),
				},
			},
			"digest": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Image (manifest) digest, 64 hexadecimal characters as `sas_image_instances` returns it. A `sha256:` prefix is accepted and stripped.",
				Validators:          []validator.String{digestValidator{}},
			},
			"repo_name":        scopeString("Repository name."),
			"repo_namespace":   scopeString("Repository namespace."),
			"repo_id":          scopeString("Repository id."),
			"repo_instance_id": scopeString("Id of the Container Registry instance holding the repositories."),
			"repo_region_id": scopeString("Region of the repositories, such as `cn-hangzhou`. Lookups are account-wide: the provider's " +
				"`region` only selects the API endpoint, so set this to narrow to one region."),
			"necessities": schema.SetAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Only rows with one of these fix priorities: " + quoted(vulNecessities) + ". One value is sent to the service; " +
					"with several, every row is read and the others are dropped here. Unset: every priority.",
				Validators: []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(stringvalidator.OneOf(vulNecessities...))},
			},
			"statuses": schema.SetAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Only rows with one of these statuses: `unfixed` (the service's `1`), `fixing` (`4`), `fixed` (`7`). " +
					"One value is sent to the service; with several, every row is read and the others are dropped here. " +
					"Unset: every status, **fixed rows included**; a gate usually wants `[\"unfixed\", \"fixing\"]`.",
				Validators: []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(stringvalidator.OneOf(vulStatusNames()...))},
			},
			"name": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only rows of this vulnerability name, such as `debian:10:CVE-2019-9893`.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"max_results": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Return at most this many rows (at least 1), after the filters. `total_count` still reports what the service matched.",
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"page_size": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: fmt.Sprintf("Rows per request, 1 to %d. Defaults to %d. When the service serves smaller pages than asked, paging follows the size it serves.", sasapi.MaxPageSize, sasapi.MaxPageSize),
				Validators:          []validator.Int64{int64validator.Between(1, sasapi.MaxPageSize)},
			},
			"lang": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Language of titles and descriptions: `en` (the default) or `zh`.",
				Validators:          []validator.String{stringvalidator.OneOf("en", "zh")},
			},
			"with_cve_details": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "When `true`, look every distinct vulnerability `name` of the result up with `DescribeVulDetails`, once per read, " +
					"concurrently within the provider's `max_concurrency`, and fill `severity`, `max_cvss_score`, `cves` and the severity counts " +
					"of `summary`. Defaults to `false`: one more request per distinct name.",
			},
			"total_count": schema.Int64Attribute{
				Computed: true,
				MarkdownDescription: "The rows the service reported for the query: the sum of `TotalCount` over the `image_uuids` batches, " +
					"before filtering by several `necessities` or `statuses` and before `max_results`.",
			},
			"vulnerabilities": vulnerabilitiesAttribute(),
			"summary":         vulSummaryAttribute(),
		},
	}
}

var (
	noCommaOrSpace = regexp.MustCompile(`^[^,\s]*$`)
)

func scopeString(desc string) schema.StringAttribute {
	return schema.StringAttribute{
		Optional:            true,
		MarkdownDescription: desc,
		Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
	}
}

func resultString(desc string) schema.StringAttribute {
	return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
}

func resultTime(desc string) schema.StringAttribute {
	return schema.StringAttribute{Computed: true, CustomType: timetypes.RFC3339Type{}, MarkdownDescription: desc + " RFC 3339 in UTC; null when the service sends 0 or nothing."}
}

const detailsOnly = " Null unless `with_cve_details`."

func vulnerabilitiesAttribute() schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		Computed:            true,
		MarkdownDescription: "The rows, one per image and vulnerability, in the service's order. A field the service did not send is null.",
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"name":       resultString("Vulnerability name, such as `debian:10:CVE-2019-9893`: the key of `DescribeVulDetails`."),
			"alias_name": resultString("Human-readable title."),
			"cve_ids": schema.ListAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "CVE ids of the vulnerability (the service's comma-separated `Related`, split)."},
			"type": resultString("Vulnerability type: `cve`."),
			"necessity": resultString("Fix priority, the service's own triage of the vulnerability in this image: `asap` (fix as soon as possible), " +
				"`later`, `nntf` (no need to fix). Not a CVSS severity: see `severity`."),
			"status": resultString("`unfixed`, `fixing` or `fixed` (the service's `1`, `4`, `7`); another code is kept as its number in a string."),
			"can_fix": schema.BoolAttribute{Computed: true,
				MarkdownDescription: "Whether a fix exists: the service's `CanFix` (`yes`/`no`); the packages' `update_cmd` applies it. Null when the service sends neither."},
			"can_update":     schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether Security Center can upgrade the package itself."},
			"image_uuid":     resultString("`uuid` of the image, as in `sas_image_instances`."),
			"image":          resultString("Full image name, `registry/namespace/repository:tag`."),
			"image_digest":   resultString("Image digest."),
			"repo_name":      resultString("Repository name."),
			"repo_namespace": resultString("Repository namespace."),
			"layers": schema.ListAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Digests of the image layers the vulnerability is in."},
			"first_seen_at": resultTime("First detection."),
			"last_seen_at":  resultTime("Last detection."),
			"scanned_at":    resultTime("Time of the scan that reported the row."),
			"modified_at":   resultTime("Last change of the record."),
			"os":            resultString("Operating system of the image, such as `debian`."),
			"os_release":    resultString("Its release, such as `10.9`."),
			"packages": schema.ListNestedAttribute{Computed: true,
				MarkdownDescription: "Affected packages (`ExtendContentJson.RpmEntityList`).",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":         resultString("Package name."),
					"version":      resultString("Installed version."),
					"full_version": resultString("Full version string."),
					"path":         resultString("Path of the vulnerable file."),
					"layer":        resultString("Digest of the layer that added the package."),
					"match_detail": resultString("Why the package matched, such as `openssl version less than 1.1.1n`."),
					"update_cmd":   resultString("Command that upgrades the package, such as `apt-get update && apt-get install openssl --only-upgrade`; empty when there is no fix."),
				}},
			},
			"severity": resultString("The highest CVE level (`VulLevel`) of its CVEs: " + quoted(vulSeverities) + ". Null when the details list " +
				"no CVE with a known level." + detailsOnly),
			"max_cvss_score": schema.Float64Attribute{Computed: true,
				MarkdownDescription: "The highest CVSS score of its CVEs; null when none has a score." + detailsOnly},
			"cves": schema.ListNestedAttribute{Computed: true,
				MarkdownDescription: "The CVEs behind the vulnerability, from `DescribeVulDetails`; empty when the service knows none." + detailsOnly,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"cve_id":      resultString("CVE id."),
					"cvss_score":  schema.Float64Attribute{Computed: true, MarkdownDescription: "CVSS score; null when the service sends none (an empty string)."},
					"cvss_vector": resultString("CVSS vector."),
					"level":       resultString("Severity: " + quoted(vulSeverities) + "."),
					"title":       resultString("Title."),
					"summary":     resultString("Description."),
					"solution":    resultString("Fix advice; may contain HTML."),
					"published_at": schema.StringAttribute{Computed: true, CustomType: timetypes.RFC3339Type{},
						MarkdownDescription: "Disclosure time, RFC 3339 in UTC; null when the service sends 0 or nothing."},
					"reference": resultString("Reference URL."),
				}},
			},
		}},
	}
}

func vulSummaryAttribute() schema.SingleNestedAttribute {
	count := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{Computed: true, MarkdownDescription: desc}
	}
	return schema.SingleNestedAttribute{
		Computed: true,
		MarkdownDescription: "Counts over the returned rows (`vulnerabilities`, after the filters and `max_results`). " +
			"A gate that people can keep switched on reads `self.summary.asap_fixable == 0`.",
		Attributes: map[string]schema.Attribute{
			"vulnerabilities":  count("Rows."),
			"images":           count("Distinct `image_uuid` values of the rows."),
			"asap":             count("Rows whose `necessity` is `asap`."),
			"later":            count("Rows whose `necessity` is `later`."),
			"nntf":             count("Rows whose `necessity` is `nntf`."),
			"fixable":          count("Rows whose `can_fix` is `true`."),
			"asap_fixable":     count("Rows whose `necessity` is `asap` and whose `can_fix` is `true`."),
			"unfixed":          count("Rows whose `status` is `unfixed`."),
			"serious":          count("Rows whose `severity` is `serious`." + detailsOnly),
			"high":             count("Rows whose `severity` is `high`." + detailsOnly),
			"medium":           count("Rows whose `severity` is `medium`." + detailsOnly),
			"low":              count("Rows whose `severity` is `low`." + detailsOnly),
			"unknown_severity": count("Rows whose details came back empty, or without a known level: their `severity` is null." + detailsOnly),
			"max_cvss_score": schema.Float64Attribute{Computed: true,
				MarkdownDescription: "The highest `max_cvss_score` of the rows; null when no row has one." + detailsOnly},
		},
	}
}

func (d *imageVulnerabilitiesDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{vulScopeValidator{}}
}

// vulScopeValidator requires one scope argument: without one, a read would
// list every vulnerability of every image of the account.
type vulScopeValidator struct{}

func (vulScopeValidator) Description(context.Context) string {
	return "at least one of " + strings.Join(vulScopeAttributes, ", ") + " must be set"
}

func (v vulScopeValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (vulScopeValidator) ValidateDataSource(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	for _, name := range vulScopeAttributes {
		var value attr.Value
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(name), &value)...)
		if value == nil || !value.IsNull() { // set, or unknown until apply
			return
		}
	}
	resp.Diagnostics.AddError("Missing image scope",
		"sas_image_vulnerabilities needs to know which images to look at: set at least one of "+
			strings.Join(vulScopeAttributes, ", ")+". Lookups are account-wide, so without one it would read every vulnerability of every image.")
}

func (d *imageVulnerabilitiesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	var diags diag.Diagnostics
	d.data, diags = configuredProvider(req.ProviderData)
	resp.Diagnostics.Append(diags...)
}

func (d *imageVulnerabilitiesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var model imageVulnerabilitiesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.data == nil {
		resp.Diagnostics.Append(notConfigured())
		return
	}
	resp.Diagnostics.Append(readImageVulnerabilities(ctx, d.data.client, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(setState(ctx, &resp.State, &model)...)
}

// vulArguments are the arguments of a read in plain Go.
type vulArguments struct {
	query         sasapi.ImageVulQuery
	necessities   []string // sorted; several are filtered here
	statuses      []string // sorted; several are filtered here
	maxResults    int
	pageSize      int
	withDetails   bool
	filterLocally bool
}

func (m *imageVulnerabilitiesModel) arguments(ctx context.Context) (vulArguments, diag.Diagnostics) {
	var diags diag.Diagnostics
	a := vulArguments{
		maxResults:  int(m.MaxResults.ValueInt64()),
		pageSize:    int(m.PageSize.ValueInt64()),
		withDetails: m.WithCVEDetails.ValueBool(),
	}
	diags.Append(m.ImageUUIDs.ElementsAs(ctx, &a.query.Uuids, false)...)
	diags.Append(m.Necessities.ElementsAs(ctx, &a.necessities, false)...)
	diags.Append(m.Statuses.ElementsAs(ctx, &a.statuses, false)...)
	slices.Sort(a.necessities)
	slices.Sort(a.statuses)
	a.query.Digest = normalizeDigestText(m.Digest.ValueString())
	a.query.RepoName = m.RepoName.ValueString()
	a.query.RepoNamespace = m.RepoNamespace.ValueString()
	a.query.RepoId = m.RepoID.ValueString()
	a.query.RepoInstanceId = m.RepoInstanceID.ValueString()
	a.query.RepoRegionId = m.RepoRegionID.ValueString()
	a.query.Name = m.Name.ValueString()
	a.query.Lang = cmp.Or(m.Lang.ValueString(), "en")
	// One value goes to the service; several are filtered here, since no
	// list syntax of these parameters is documented.
	if len(a.necessities) == 1 {
		a.query.Necessity = a.necessities[0]
	}
	if len(a.statuses) == 1 {
		code, _ := vulStatusCode(a.statuses[0])
		a.query.StatusList = strconv.FormatInt(code, 10)
	}
	a.filterLocally = len(a.necessities) > 1 || len(a.statuses) > 1
	return a, diags
}

// keep applies the filters the service was not asked for, then max_results.
func (a vulArguments) keep(rows []sasapi.VulRecord) []sasapi.VulRecord {
	if a.filterLocally {
		kept := rows[:0]
		for _, r := range rows {
			if matchesAny(a.necessities, r.Necessity.Value, r.Necessity.Valid) && matchesAny(a.statuses, vulStatusName(r.Status).ValueString(), r.Status.Valid) {
				kept = append(kept, r)
			}
		}
		rows = kept
	}
	if a.maxResults > 0 && len(rows) > a.maxResults {
		rows = rows[:a.maxResults]
	}
	return rows
}

// matchesAny is true when no filter is set, or the value is present and listed.
func matchesAny(filter []string, value string, valid bool) bool {
	return len(filter) == 0 || (valid && slices.Contains(filter, value))
}

// readImageVulnerabilities reads the rows, and their details when asked,
// and fills the computed attributes of m.
func readImageVulnerabilities(ctx context.Context, client *sasapi.Client, m *imageVulnerabilitiesModel) diag.Diagnostics {
	a, diags := m.arguments(ctx)
	if diags.HasError() {
		return diags
	}
	opts := sasapi.ListOptions{PageSize: a.pageSize, MaxResults: a.maxResults}
	if a.filterLocally {
		opts.MaxResults = 0 // the limit applies after the filter
	}
	listing, err := client.ListImageVulnerabilities(ctx, a.query, opts)
	if err != nil {
		diags.Append(errorDiagnostic("Reading Security Center image vulnerabilities", err))
		return diags
	}
	for _, w := range listing.Warnings {
		diags.AddWarning("Security Center vulnerability listing may be inconsistent", w)
	}
	rows := a.keep(listing.Items)
	tflog.Info(ctx, "read Security Center image vulnerabilities", map[string]any{
		"rows": len(rows), "total_count": listing.TotalCount, "requests": listing.Requests,
		"retries": listing.Retries, "page_size": listing.PageSize, "duplicates": listing.Duplicates,
	})

	var details map[string]vulNameDetails
	if a.withDetails {
		names := make([]string, len(rows))
		for k := range rows {
			names[k] = rows[k].Name.Value
		}
		cves, err := client.LookupVulDetails(ctx, names, sasapi.VulDetailsOptions{Lang: a.query.Lang})
		if err != nil {
			diags.Append(errorDiagnostic("Reading Security Center vulnerability details", err))
			return diags
		}
		tflog.Info(ctx, "read Security Center vulnerability details", map[string]any{"names": len(cves)})
		details = make(map[string]vulNameDetails, len(cves))
		for name, list := range cves {
			details[name] = convertNameDetails(list)
		}
	}

	m.Vulnerabilities = make([]vulnerabilityModel, len(rows))
	for k := range rows {
		m.Vulnerabilities[k] = flattenVulnerability(&rows[k], details, a.withDetails)
	}
	summary := summariseVulnerabilities(m.Vulnerabilities, a.withDetails)
	m.Summary = &summary
	m.TotalCount = types.Int64Value(int64(listing.TotalCount))
	m.ID = types.StringValue(a.id())
	return diags
}

// vulNameDetails is what with_cve_details adds to every row of one name,
// converted once per name: names repeat across images.
type vulNameDetails struct {
	cves     []vulCVEModel // never nil: no CVE is an empty list
	severity types.String
	maxScore types.Float64
}

func convertNameDetails(cves []sasapi.CVE) vulNameDetails {
	models, severity, score := flattenCVEs(cves)
	return vulNameDetails{cves: models, severity: severity, maxScore: score}
}

// flattenVulnerability converts one row; details is nil without
// with_cve_details, and a name missing from it has no CVE.
func flattenVulnerability(r *sasapi.VulRecord, details map[string]vulNameDetails, withDetails bool) vulnerabilityModel {
	v := vulnerabilityModel{
		Name:          stringOf(r.Name),
		AliasName:     stringOf(r.AliasName),
		CVEIDs:        stringsOf(r.Related.Values, r.Related.Valid),
		Type:          stringOf(r.Type),
		Necessity:     stringOf(r.Necessity),
		Status:        vulStatusName(r.Status),
		CanFix:        boolOf(sasapi.ParseYesNo(r.CanFix)),
		CanUpdate:     boolOf(r.CanUpdate),
		ImageUUID:     stringOf(r.Uuid),
		Image:         stringOf(r.Image),
		ImageDigest:   stringOf(r.ImageDigest),
		RepoName:      stringOf(r.RepoName),
		RepoNamespace: stringOf(r.RepoNamespace),
		Layers:        stringsOf(r.Layers.Values, r.Layers.Valid),
		FirstSeenAt:   rfc3339Of(r.FirstTs),
		LastSeenAt:    rfc3339Of(r.LastTs),
		ScannedAt:     rfc3339Of(r.ScanTime),
		ModifiedAt:    rfc3339Of(r.ModifyTs),
		OS:            types.StringNull(),
		OSRelease:     types.StringNull(),
		Severity:      types.StringNull(),
		MaxCVSSScore:  types.Float64Null(),
	}
	if ext := r.ExtendContentJson; ext.Valid {
		v.OS, v.OSRelease = stringOf(ext.Os), stringOf(ext.OsRelease)
		v.Packages = make([]vulPackageModel, len(ext.RpmEntityList))
		for k, p := range ext.RpmEntityList {
			v.Packages[k] = vulPackageModel{
				Name: stringOf(p.Name), Version: stringOf(p.Version), FullVersion: stringOf(p.FullVersion), Path: stringOf(p.Path),
				Layer: stringOf(p.Layer), MatchDetail: stringOf(p.MatchDetail), UpdateCmd: stringOf(p.UpdateCmd),
			}
		}
	}
	if withDetails {
		d, ok := details[r.Name.Value]
		if !ok {
			d = vulNameDetails{cves: []vulCVEModel{}, severity: types.StringNull(), maxScore: types.Float64Null()}
		}
		v.CVEs, v.Severity, v.MaxCVSSScore = d.cves, d.severity, d.maxScore
	}
	return v
}

// flattenCVEs converts the details of one name and derives its severity
// (the most severe known level) and highest score; both are null when no
// CVE gives one.
func flattenCVEs(cves []sasapi.CVE) ([]vulCVEModel, types.String, types.Float64) {
	out := make([]vulCVEModel, len(cves))
	rank := len(vulSeverities)
	score := types.Float64Null()
	for k, c := range cves {
		out[k] = vulCVEModel{
			CVEID: stringOf(c.CveId), CVSSScore: float64Of(c.CvssScore), CVSSVector: stringOf(c.CvssVector),
			Level: stringOf(c.VulLevel), Title: stringOf(c.Title), Summary: stringOf(c.Summary), Solution: stringOf(c.Solution),
			PublishedAt: rfc3339Of(c.ReleaseTime), Reference: stringOf(c.Reference),
		}
		if r := slices.Index(vulSeverities, c.VulLevel.Value); r >= 0 && c.VulLevel.Valid {
			rank = min(rank, r)
		}
		if c.CvssScore.Valid && (score.IsNull() || c.CvssScore.Value > score.ValueFloat64()) {
			score = types.Float64Value(c.CvssScore.Value)
		}
	}
	severity := types.StringNull()
	if rank < len(vulSeverities) {
		severity = types.StringValue(vulSeverities[rank])
	}
	return out, severity, score
}

// summariseVulnerabilities computes the summary over the returned rows, as
// the schema defines each count.
func summariseVulnerabilities(rows []vulnerabilityModel, withDetails bool) vulSummaryModel {
	var s struct{ asap, later, nntf, fixable, asapFixable, unfixed, unknown int64 }
	levels := map[string]int64{}
	images := map[string]bool{}
	maxScore := types.Float64Null()
	for k := range rows {
		v := &rows[k]
		if !v.ImageUUID.IsNull() {
			images[v.ImageUUID.ValueString()] = true
		}
		switch v.Necessity.ValueString() {
		case "asap":
			s.asap++
			if v.CanFix.ValueBool() {
				s.asapFixable++
			}
		case "later":
			s.later++
		case "nntf":
			s.nntf++
		}
		if v.CanFix.ValueBool() {
			s.fixable++
		}
		if v.Status.ValueString() == "unfixed" {
			s.unfixed++
		}
		if v.Severity.IsNull() {
			s.unknown++
		} else {
			levels[v.Severity.ValueString()]++
		}
		if !v.MaxCVSSScore.IsNull() && (maxScore.IsNull() || v.MaxCVSSScore.ValueFloat64() > maxScore.ValueFloat64()) {
			maxScore = v.MaxCVSSScore
		}
	}
	summary := vulSummaryModel{
		Vulnerabilities: types.Int64Value(int64(len(rows))),
		Images:          types.Int64Value(int64(len(images))),
		Asap:            types.Int64Value(s.asap),
		Later:           types.Int64Value(s.later),
		Nntf:            types.Int64Value(s.nntf),
		Fixable:         types.Int64Value(s.fixable),
		AsapFixable:     types.Int64Value(s.asapFixable),
		Unfixed:         types.Int64Value(s.unfixed),
		Serious:         types.Int64Null(),
		High:            types.Int64Null(),
		Medium:          types.Int64Null(),
		Low:             types.Int64Null(),
		UnknownSeverity: types.Int64Null(),
		MaxCVSSScore:    types.Float64Null(),
	}
	if withDetails {
		summary.Serious = types.Int64Value(levels["serious"])
		summary.High = types.Int64Value(levels["high"])
		summary.Medium = types.Int64Value(levels["medium"])
		summary.Low = types.Int64Value(levels["low"])
		summary.UnknownSeverity = types.Int64Value(s.unknown)
		summary.MaxCVSSScore = maxScore
	}
	return summary
}

// id hashes the arguments, so equal arguments give equal ids.
func (a vulArguments) id() string {
	encoded, _ := json.Marshal(struct { // cannot fail: strings, numbers and bools
		Query       sasapi.ImageVulQuery
		Necessities []string
		Statuses    []string
		MaxResults  int
		PageSize    int
		Details     bool
	}{a.query, a.necessities, a.statuses, a.maxResults, a.pageSize, a.withDetails})
	sum := sha256.Sum256(encoded)
	return hex.EncodeToString(sum[:12])
}
